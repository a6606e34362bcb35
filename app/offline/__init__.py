"""Offline study: the installable app, saving pages and lessons on the device, honest offline credit."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the offline domain: its pages, its API, its CLI and its listener of the heartbeat code."""
    from app.offline import api, cli, services, verify, views
    from app.progress.verify import add_check
    from app.progress.watching import viewer

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.offline_cli)
    if services.keep_online_span not in viewer.session_superseded:
        viewer.session_superseded.append(services.keep_online_span)  # online spans offline plays avoid
    add_check(verify.offline_violations)  # `flask progress verify`: offline credit kept its rules
