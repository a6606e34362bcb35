"""The audit log: an append-only record of who did what to which object, for every domain."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the audit domain: blueprints, jobs and listeners."""
    from app.audit import (
        changes,  # noqa: F401 -- staff changes audited from the first request (session listeners)
        services,
        views,
    )
    from app.auth.events import listen_account_event

    app.register_blueprint(views.bp)
    listen_account_event(services.record_audit)  # refused sign-ins, lockouts, API tokens
