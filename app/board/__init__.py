"""Units' boards (支部园地): a discussion space per unit for its members, moderated by its secretaries.

Topics and replies are discussion posts that belong to a unit (app.discussions): the same posts,
Markdown rendering and sanitising, replies and quotes, pins, reports and moderation as under lessons.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the board domain: blueprints."""
    from app.board import views

    app.register_blueprint(views.bp)
