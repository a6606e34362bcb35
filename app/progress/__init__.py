"""Learning progress: what each member has opened and completed."""

import importlib
from types import ModuleType

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the progress domain: blueprints, CLI group, jobs and listeners."""
    from app.progress import (
        api,
        cli,
        jobs,  # noqa: F401 -- the daily check and repair of the record
        learning,
        manage_views,  # noqa: F401 -- its pages are routes of views.bp
        services,
        views,
    )
    from app.progress.watching import lean
    from app.quizzes.events import listen_attempt_finished

    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.lessons_bp)
    app.cli.add_command(cli.progress_cli)
    listen_attempt_finished(services.attempt_finished)  # quiz outcomes complete quiz lessons
    learning.provide()  # the lesson, course and reading pages record and show the member's learning
    lean.install(app)  # players' viewing-token heartbeats skip the Flask request (watching/lean.py)


# Modules moved into subpackages (issue 20), still importable as ``from app.progress import heartbeats``
# by code written against the old layout.
_MOVED = {
    "certificates": "app.progress.completion.certificates",
    "heartbeats": "app.progress.watching.heartbeats",
    "reading": "app.progress.watching.reading",
    "viewing": "app.progress.watching.viewing",
}


def __getattr__(name: str) -> ModuleType:
    if name in _MOVED:
        return importlib.import_module(_MOVED[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
