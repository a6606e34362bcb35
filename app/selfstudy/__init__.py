"""Self-study (自学): watching the library's videos, verified like a lesson, and the units' rules on
whether it earns 学时. It sits above the library, media and progress domains (none of them imports it):
the library asks it for a resource page's player through ``resources.player_providers``, and progress's
``verify`` learns its rule versions through ``verify.add_rule_labels``."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the self-study domain: its blueprints and its answers to the library and progress."""
    from app.library import resources
    from app.progress import verify
    from app.selfstudy import services, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api_bp)
    if services.resource_player not in resources.player_providers:
        resources.player_providers.append(services.resource_player)
    verify.add_rule_labels(services.rule_labels)
