"""Target responsibility assessment (目标责任考核 / 方针管理板): per unit, role and quarter, a required
level (必达目标) and a stretch level (挑战目标) for measures the site computes or a secretary records;
a board per unit and quarter rolled up the tree, with the secretary's plan / do / check / act notes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the assessment domain: its blueprint."""
    from app.assessment import views

    app.register_blueprint(views.bp)
