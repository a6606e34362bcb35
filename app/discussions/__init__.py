"""Lesson discussions: posts and replies, questions to the course's trainers, and moderation."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the discussions domain: blueprints."""
    from app.discussions import views

    app.register_blueprint(views.bp)
