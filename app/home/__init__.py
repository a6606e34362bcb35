"""The signed-in member's home page."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the home domain: blueprints."""
    from app.home import views

    app.register_blueprint(views.bp)
