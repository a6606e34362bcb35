"""The application factory: every extension, blueprint and CLI group, in order, on one screen."""

from pathlib import Path

from flask import Flask, current_app, flash, has_request_context, jsonify, redirect, request, url_for
from flask_login import current_user

from app.config import load_config
from app.extensions import babel, csrf, db, limiter, login_manager, migrate, tune_sqlite

LANGUAGE_COOKIE = "lang"


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Create the site; ``config`` overrides settings read from the environment (tests use it)."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(Path(app.instance_path), config))

    from app import models  # noqa: F401  -- every table known to the metadata before use
    from app.audit import changes  # noqa: F401  -- staff changes are audited from the first request

    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine, app.config["SQLITE_SYNCHRONOUS"])
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    _init_login(app)

    from app.jobs import init_jobs, worker_command
    from app.media import jobs as media_jobs  # noqa: F401  -- huey knows a task once its module is imported
    from app.progress import jobs as progress_jobs  # noqa: F401  -- the daily check and repair of the record
    from app.quizzes import jobs as quiz_jobs  # noqa: F401  -- overdue attempts closed every minute
    from app.reports import schedules  # noqa: F401  -- the daily reports and reminders task

    init_jobs(app)
    _wire_listeners()

    from app.auth.api import bp as auth_api_bp
    from app.auth.views import bp as auth_bp
    from app.courses.authoring_views import bp as course_authoring_bp
    from app.courses.review_views import bp as course_review_bp
    from app.courses.views import bp as courses_bp
    from app.home.views import bp as home_bp
    from app.org.views import bp as org_bp
    from app.quizzes.api import bp as quizzes_api_bp
    from app.quizzes.authoring_views import bp as quiz_authoring_bp
    from app.quizzes.views import bp as quizzes_bp

    app.register_blueprint(quizzes_bp)
    app.register_blueprint(quiz_authoring_bp)
    app.register_blueprint(quizzes_api_bp)

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(org_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(course_authoring_bp)
    app.register_blueprint(course_review_bp)
    app.register_blueprint(auth_api_bp)
    from app.media.api import bp as media_api_bp
    from app.media.views import bp as media_bp

    app.register_blueprint(media_bp)
    app.register_blueprint(media_api_bp)
    from app.library.api import bp as library_api_bp
    from app.library.views import bp as library_bp

    app.register_blueprint(library_bp)
    app.register_blueprint(library_api_bp)
    from app.progress.api import bp as progress_api_bp
    from app.progress.api import lessons_bp as lesson_progress_api_bp
    from app.progress.views import bp as progress_bp
    from app.progress.views import public_bp as certificates_bp

    app.register_blueprint(progress_bp)
    app.register_blueprint(progress_api_bp)
    app.register_blueprint(lesson_progress_api_bp)
    app.register_blueprint(certificates_bp)
    from app.discussions.views import bp as discussions_bp
    from app.notices.views import bp as notices_bp

    app.register_blueprint(discussions_bp)
    app.register_blueprint(notices_bp)
    from app.audit.views import bp as audit_bp

    app.register_blueprint(audit_bp)
    from app.reports.api import bp as reports_api_bp
    from app.reports.schedule_views import bp as report_schedules_bp
    from app.reports.views import bp as reports_bp

    app.register_blueprint(reports_bp)
    app.register_blueprint(report_schedules_bp)
    app.register_blueprint(reports_api_bp)

    from app.auth.cli import users_cli
    from app.courses.cli import courses_cli
    from app.demo.cli import demo_cli
    from app.org.cli import org_cli

    app.cli.add_command(org_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(courses_cli)
    from app.quizzes.cli import quizzes_cli

    app.cli.add_command(quizzes_cli)
    from app.library.cli import library_cli

    app.cli.add_command(library_cli)
    from app.progress.cli import progress_cli

    app.cli.add_command(progress_cli)
    app.cli.add_command(worker_command)
    from app.media.cli import media_cli

    app.cli.add_command(media_cli)
    from app.reports.cli import reports_cli

    app.cli.add_command(reports_cli)
    from app.backup.cli import backup_cli

    app.cli.add_command(backup_cli)

    from app.auth.permissions import refuse_read_only_changes
    from app.errors import register_error_pages

    app.before_request(refuse_read_only_changes)
    from app.web import register_template_helpers, set_security_headers

    register_error_pages(app)
    register_template_helpers(app)
    app.after_request(set_security_headers)
    return app


def _wire_listeners() -> None:
    """Who acts on another domain's events: each domain's listener list, filled here."""
    from app.progress.services import attempt_finished as complete_quiz_lessons
    from app.quizzes.events import listen_attempt_finished

    listen_attempt_finished(complete_quiz_lessons)


def select_locale() -> str:
    """Choose the signed-in user's language, else the remembered cookie, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    return cookie if cookie in languages else "zh_CN"


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.auth.services import load_user_for_session

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Flask-Login's "strong" protection would also end sessions on an IP change (phones roam).
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_for_session)

    @login_manager.unauthorized_handler
    def unauthorized():
        # JSON clients get a 401 they can act on; people are sent to the sign-in page.
        if request.path.startswith("/api/"):
            return jsonify(error=_l("Please sign in to see this page.")), 401
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))
