"""What the load benchmarks set up alike: a fresh app's configuration, members, and their signed-in
browser state (the session cookie and CSRF token a browser would hold)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._report import BENCHMARK_SECRET_KEY

PASSWORD = "correct-horse-battery"


def bench_config(folder: Path, **settings: Any) -> dict[str, Any]:
    """A SQLite file database, media, courses and the job queue under ``folder``; no Redis."""
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'app.sqlite3'}",
        "SECRET_KEY": BENCHMARK_SECRET_KEY,
        "MEDIA_ROOT": str(folder / "media"),
        "COURSES_DIR": str(folder / "courses"),
        "REDIS_URL": None,
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
        **settings,
    }


def add_members(prefix: str, display_name: str, count: int) -> list[int]:
    """``count`` members of one branch (in the caller's app context); return their ids."""
    from app.auth.models import Role
    from app.org.accounts import create_account
    from app.org.services import ensure_unit_path

    branch, _created = ensure_unit_path("甲党委/第一党支部")
    return [
        create_account(f"{prefix}{n}", f"{display_name}{n}", branch, [Role.MEMBER], password=PASSWORD).id
        for n in range(count)
    ]


def sign_in(app, member_ids: list[int], user_agent: str, extra: Callable[[Any], dict]) -> list[dict]:
    """Each member signed in from the load's client: ``id``, ``cookie``, ``csrf``, and what
    ``extra(member)`` adds (a viewing session, say) in the same request context."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from app.auth.models import User
    from app.extensions import db

    serializer = app.session_interface.get_signing_serializer(app)
    people = []
    for member_id in member_ids:
        # A request context of its own per member: generate_csrf caches its token in the app context.
        # Signed in as the load's client (address and User-Agent): otherwise Flask-Login's session
        # protection sees another device on every request and re-signs the cookie each time, which
        # a browser, keeping the cookie it is sent, would cause once.
        with app.test_request_context(
            "/", headers={"User-Agent": user_agent}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
        ):
            member = db.session.get(User, member_id)
            login_user(member)
            csrf = generate_csrf()
            added = extra(member)
            people.append({"id": member_id, "cookie": serializer.dumps(dict(session)), "csrf": csrf, **added})
            db.session.remove()
    return people
