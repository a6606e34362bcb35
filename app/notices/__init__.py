"""Notices (通知公告): secretaries publish to their unit and below; read and acknowledgement receipts."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the notices domain: blueprints."""
    from app.notices import views

    app.register_blueprint(views.bp)
