"""Lesson discussions: posts and replies, questions to the course's trainers, and moderation."""
