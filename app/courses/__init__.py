"""Courses: the open course folder format, the catalogue, lessons, authoring and assignments."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the courses domain: blueprints, CLI group, listeners."""
    from app.courses import authoring_views, cli, quiz_link, review_views, services, videos, views
    from app.media.usage import listen_video_usage
    from app.org.events import listen_member_placed
    from app.quizzes.usage import listen_quiz_usage

    app.register_blueprint(views.bp)
    app.register_blueprint(authoring_views.bp)
    app.register_blueprint(review_views.bp)
    app.cli.add_command(cli.courses_cli)
    listen_member_placed(services.enrol_in_assigned_courses)  # a placed member studies what is assigned
    listen_video_usage(videos.lessons_using, videos.may_watch)  # a video in a lesson: kept, and watched
    listen_quiz_usage(quiz_link.QUIZ_USAGE)  # a quiz in a lesson: taken through it, and kept
