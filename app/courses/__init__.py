"""Courses: the open course folder format, the catalogue, lessons, authoring and assignments."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the courses domain: blueprints, CLI group."""
    from app.courses import authoring_views, cli, review_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(authoring_views.bp)
    app.register_blueprint(review_views.bp)
    app.cli.add_command(cli.courses_cli)
