"""The application factory: every extension, blueprint and CLI group, in order, on one screen."""

from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

from app import (
    assessment,
    audit,
    auth,
    backup,
    board,
    courses,
    demo,
    discussions,
    home,
    library,
    live,
    media,
    notices,
    offline,
    org,
    progress,
    quizzes,
    reports,
    selfstudy,
)
from app.config import load_config
from app.extensions import babel, csrf, db, limiter, migrate, tune_sqlite
from app.inputs import BoundedIntegerConverter, Request

LANGUAGE_COOKIE = "lang"


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Create the site; ``config`` overrides settings read from the environment (tests use it)."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(Path(app.instance_path), config))
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    app.request_class = Request  # every JSON body read within limits (app/inputs.py)

    from app import models  # noqa: F401  -- every table known to the metadata before use

    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine, app.config["SQLITE_SYNCHRONOUS"])
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    from app.auth.tokens import protect_forms

    app.before_request(protect_forms)  # CSRF for cookie-signed requests (bearer API calls need none)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from app.jobs import init_jobs, worker_command

    init_jobs(app)
    app.cli.add_command(worker_command)
    # The domains along the learning loop, then the site's own pages and tools; each one registers
    # its blueprints, CLI group, jobs and listeners (its package's init_app).
    for domain in (
        *(auth, org, courses, media, library, quizzes, progress, live, offline),
        *(discussions, board, notices, reports, selfstudy, assessment),
        *(audit, home, backup, demo),
    ):
        domain.init_app(app)

    from app.errors import register_error_pages
    from app.navigation import register_template_helpers
    from app.web import set_security_headers

    register_error_pages(app)
    register_template_helpers(app)
    app.after_request(set_security_headers)
    return app


def select_locale() -> str:
    """Choose the signed-in user's language, else the remembered cookie, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    default: str = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    return cookie if cookie is not None and cookie in languages else "zh_CN"
