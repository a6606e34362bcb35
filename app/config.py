"""Settings read from the environment, with embedded defaults for a single machine."""

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The key signs every session and remember-me cookie: a short one can be guessed offline from a cookie.
MIN_SECRET_KEY_LENGTH = 32
GENERATE_SECRET_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'


class ConfigError(RuntimeError):
    """A setting that would leave the site unsafe: the site refuses to start and says what to do."""


def check_secret_key(key: str) -> None:
    """Refuse a configured key shorter than 32 characters, or the placeholder of docs/deploy/env.example."""
    if key.startswith("change-me"):
        problem = "SECRET_KEY is still the placeholder of env.example"
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        problem = (
            f"SECRET_KEY is too short ({len(key)} characters; at least {MIN_SECRET_KEY_LENGTH} are needed)"
        )
    else:
        return
    raise ConfigError(
        f"{problem}. Generate a key with\n    {GENERATE_SECRET_KEY}\nand set SECRET_KEY to it "
        "(the same on every host), or leave SECRET_KEY unset to use the key generated into "
        "instance/secret_key."
    )


def _instance_secret_key(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, generating it on first run."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written with owner-only permissions: the key signs every session cookie.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short form."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration from the environment; ``overrides`` win (tests use them)."""
    overrides = overrides or {}
    env = os.environ
    database_url = overrides.get("DATABASE_URL") or env.get("DATABASE_URL")
    if not database_url:
        database_url = f"sqlite:///{instance_path / 'party_school.sqlite3'}"
    redis_url = overrides.get("REDIS_URL", env.get("REDIS_URL"))
    config: dict[str, Any] = {
        "SECRET_KEY": overrides.get("SECRET_KEY")
        or env.get("SECRET_KEY")
        or _instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(database_url),
        # A dropped server connection is noticed before use; an SQLite file cannot drop one.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not database_url.startswith("sqlite")},
        # FULL for an fsync per commit even in WAL mode (see app.extensions.tune_sqlite).
        "SQLITE_SYNCHRONOUS": env.get("SQLITE_SYNCHRONOUS", "NORMAL"),
        "MEDIA_ROOT": env.get("MEDIA_ROOT", str(PROJECT_ROOT / "media")),
        "SEARCH_INDEX_DIR": env.get("SEARCH_INDEX_DIR", str(PROJECT_ROOT / "search_index")),
        "COURSES_DIR": env.get("COURSES_DIR", str(PROJECT_ROOT / "courses")),
        # "1": courses reach members only when a reviewer approves them (app/courses/review.py).
        "COURSE_REVIEW_REQUIRED": env.get("COURSE_REVIEW_REQUIRED", "0") == "1",
        "REDIS_URL": redis_url,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": env.get("DISPLAY_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": {"zh_CN": "中文", "en": "English"},
        # Sign-in throttling: per account after repeated failures, and per address by Flask-Limiter.
        "PASSWORD_HASH_METHOD": "scrypt",
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_THROTTLE_SECONDS": 15 * 60,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_LOGIN": env.get("RATELIMIT_LOGIN", "30 per minute"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # API clients: bearer tokens last this many days; each token's requests are limited on their own.
        "API_TOKEN_DAYS": int(env.get("API_TOKEN_DAYS", 90)),
        "RATELIMIT_API_TOKEN": env.get("RATELIMIT_API_TOKEN", "600 per minute"),
        # The CSRF check runs in app.auth.tokens.protect_forms, which skips bearer requests (no cookie).
        "WTF_CSRF_CHECK_DEFAULT": False,
        "ROSTER_MAX_BYTES": 5 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Video uploads (app/media): their own size limit, ffprobe/ffmpeg time limits, and nginx delivery.
        "MEDIA_MAX_UPLOAD_BYTES": int(env.get("MEDIA_MAX_UPLOAD_BYTES", 2 * 1024**3)),
        "MEDIA_PROBE_TIME_LIMIT": int(env.get("MEDIA_PROBE_TIME_LIMIT", 30)),
        "TRANSCODE_TIME_LIMIT": int(env.get("TRANSCODE_TIME_LIMIT", 3 * 3600)),
        # WebVTT subtitles a trainer attaches to a video (app/media/subtitles.py).
        "MEDIA_SUBTITLE_MAX_BYTES": int(env.get("MEDIA_SUBTITLE_MAX_BYTES", 1024 * 1024)),
        # Pictures of the resource library (app/media/images.py): the file's size, its pixels before
        # decoding (a decompression bomb is refused unread) and the longest side kept after re-encoding.
        "MEDIA_IMAGE_MAX_BYTES": int(env.get("MEDIA_IMAGE_MAX_BYTES", 10 * 1024 * 1024)),
        "MEDIA_IMAGE_MAX_PIXELS": int(env.get("MEDIA_IMAGE_MAX_PIXELS", 40_000_000)),
        "MEDIA_IMAGE_MAX_SIDE": int(env.get("MEDIA_IMAGE_MAX_SIDE", 2560)),
        # Per-account upload quotas (video and library uploads together; app/media/quotas.py), 0: off.
        "UPLOAD_MAX_PER_HOUR": int(env.get("UPLOAD_MAX_PER_HOUR", 20)),
        "UPLOAD_MAX_BYTES_PER_DAY": int(env.get("UPLOAD_MAX_BYTES_PER_DAY", 10 * 1024**3)),
        "TRANSCODE_MAX_QUEUED_PER_ACCOUNT": int(env.get("TRANSCODE_MAX_QUEUED_PER_ACCOUNT", 5)),
        # The nginx location prefix (such as "/protected-media/"); empty: Flask sends the files itself.
        "MEDIA_X_ACCEL_REDIRECT": env.get("MEDIA_X_ACCEL_REDIRECT", ""),
        # Background jobs (app/jobs.py): Redis when REDIS_URL is set, else this SQLite file.
        "HUEY_SQLITE_PATH": env.get("HUEY_SQLITE_PATH", str(instance_path / "huey.sqlite3")),
        # "1": run jobs inside the calling process; unset: only when TESTING.
        "HUEY_IMMEDIATE": {"1": True, "0": False}.get(env.get("HUEY_IMMEDIATE", "")),
        "HUEY_WORKERS": int(env.get("HUEY_WORKERS", 1)),
        # Attachments checked by content (images and PDFs): lessons, in-person session evidence, notices.
        "COURSE_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
        "EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
        "NOTICE_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
        # A text lesson completes after this share of its estimated minutes since it was first opened.
        "PROGRESS_TEXT_MIN_SHARE": float(env.get("PROGRESS_TEXT_MIN_SHARE", 0.5)),
        # A reading lesson (rule "read") completes after this share of its estimated minutes of
        # verified reading; the reading page stops counting after this many idle seconds.
        "PROGRESS_READING_SHARE": float(env.get("PROGRESS_READING_SHARE", 1.0)),
        "PROGRESS_READING_IDLE_SECONDS": int(env.get("PROGRESS_READING_IDLE_SECONDS", 120)),
        # A TrueType Chinese font that reportlab embeds in certificates (Debian's fonts-wqy-zenhei).
        "CERTIFICATE_FONT_PATH": env.get(
            "CERTIFICATE_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
        ),
        # The site's public address, naming actors and objects in exported xAPI statements.
        "XAPI_HOMEPAGE": env.get("XAPI_HOMEPAGE", "https://party-school.invalid"),
        "DISCUSSION_POST_RATE_LIMIT": env.get("DISCUSSION_POST_RATE_LIMIT", "10 per minute"),
        # Verified video watching: the share of the duration that completes a lesson, the fastest
        # playback that earns credit, and the wall-clock budget's starting tolerance and cap (seconds).
        "PROGRESS_VIDEO_COMPLETION_SHARE": float(env.get("PROGRESS_VIDEO_COMPLETION_SHARE", 0.9)),
        "PROGRESS_WATCH_MAX_SPEED": float(env.get("PROGRESS_WATCH_MAX_SPEED", 1.5)),
        "PROGRESS_WATCH_TOLERANCE": 15.0,
        "PROGRESS_WATCH_BUDGET_CAP": 30.0,
        # How long a lesson page's viewing token lets its player send heartbeats (app/progress/watching/viewing.py).
        "PROGRESS_VIEWING_TOKEN_MINUTES": int(env.get("PROGRESS_VIEWING_TOKEN_MINUTES", 240)),
        # The player pauses and asks "还在学习吗？" after this many minutes of playback without a touch,
        # key or pointer on the page, and counts nothing until answered; 0 turns the check off.
        "PROGRESS_PRESENCE_MINUTES": float(env.get("PROGRESS_PRESENCE_MINUTES", 20)),
        # Heartbeats (video and reading together) per member: a player reports about every 10 s and
        # on pause, so an honest one sends some 6–10 a minute; a burst beyond this gets 429.
        "PROGRESS_HEARTBEAT_RATE_LIMIT": env.get("PROGRESS_HEARTBEAT_RATE_LIMIT", "30 per minute"),
        # Offline study (app/offline): how long a downloaded video lesson's grant lets offline play
        # earn credit, and whether offline credit is on where no unit on a member's path says.
        "OFFLINE_GRANT_DAYS": int(env.get("OFFLINE_GRANT_DAYS", 7)),
        "OFFLINE_CREDIT_ALLOWED": env.get("OFFLINE_CREDIT_ALLOWED", "1") == "1",
        # E-mail (scheduled reports, reminders): off while MAIL_SERVER is unset.
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", 25)),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": env.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "网上党校 <noreply@localhost>"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", 10)),
        # Notices pushed by e-mail and to units' group robots (app/notices/delivery.py): the attempts a
        # delivery gets, the first retry's delay in seconds (doubled for each further one), the
        # webhook's time limit, and the only addresses a robot's webhook may start with (so a robot
        # cannot be pointed at a server inside the network).
        "NOTICE_DELIVERY_ATTEMPTS": int(env.get("NOTICE_DELIVERY_ATTEMPTS", 5)),
        "NOTICE_DELIVERY_BACKOFF": int(env.get("NOTICE_DELIVERY_BACKOFF", 60)),
        "NOTICE_WEBHOOK_TIMEOUT": float(env.get("NOTICE_WEBHOOK_TIMEOUT", 10)),
        "NOTICE_ROBOT_URL_PREFIXES": {
            "wecom": env.get(
                "NOTICE_WECOM_URL_PREFIX", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
            ),
            "dingtalk": env.get(
                "NOTICE_DINGTALK_URL_PREFIX", "https://oapi.dingtalk.com/robot/send?access_token="
            ),
        },
        # The site's address as members reach it (https://dangxiao.example.org): links in e-mails and
        # group messages; without it they carry no link.
        "SITE_URL": env.get("SITE_URL", "").rstrip("/"),
        # A member is reminded of a required course this many days before its due date.
        "REMINDER_DEADLINE_DAYS": int(env.get("REMINDER_DEADLINE_DAYS", 7)),
        # Live lessons (app/live, docs/deploy.md): nginx's RTMP module ingests, writes HLS under
        # MEDIA_ROOT/live and serves it on signed links; the app answers its callbacks.
        # What the trainer pastes into the encoder, and where the site's players fetch HLS from
        # (empty: this site's own origin, nginx's /hls/ location in front of it).
        "LIVE_RTMP_URL": env.get("LIVE_RTMP_URL", "rtmp://127.0.0.1:1935/live"),
        "LIVE_HLS_URL": env.get("LIVE_HLS_URL", "http://127.0.0.1:8088/hls"),
        # The streaming server of `make run` / `flask live nginx-config` (loopback only).
        "LIVE_RTMP_PORT": int(env.get("LIVE_RTMP_PORT", 1935)),
        "LIVE_HTTP_PORT": int(env.get("LIVE_HTTP_PORT", 8088)),
        # Where nginx posts on_publish / on_publish_done / on_record_done: the app's address.
        "LIVE_CALLBACK_URL": env.get("LIVE_CALLBACK_URL", "http://127.0.0.1:5000"),
        # The folder of its generated configuration, logs and pid (empty: instance/live-nginx).
        "LIVE_NGINX_PREFIX": env.get("LIVE_NGINX_PREFIX", ""),
        "LIVE_NGINX_MODULE": env.get("LIVE_NGINX_MODULE", "/usr/lib/nginx/modules/ngx_rtmp_module.so"),
        # A signed playlist or segment link lasts this long (the page renews it while it is open).
        "LIVE_LINK_MINUTES": int(env.get("LIVE_LINK_MINUTES", 10)),
        # An encoder may publish from this long before the scheduled start until this long after
        # the planned end; outside it the publish is refused.
        "LIVE_EARLY_MINUTES": int(env.get("LIVE_EARLY_MINUTES", 30)),
        "LIVE_LATE_MINUTES": int(env.get("LIVE_LATE_MINUTES", 60)),
        # A live lesson completes when attendance reaches this share of the real broadcast.
        "LIVE_ATTENDANCE_SHARE": float(env.get("LIVE_ATTENDANCE_SHARE", 0.8)),
        # A live heartbeat claims at most this many seconds (players send one about every 10 s).
        "LIVE_MAX_BEAT_SECONDS": int(env.get("LIVE_MAX_BEAT_SECONDS", 30)),
    }
    config.update({key: value for key, value in overrides.items() if key != "DATABASE_URL"})
    check_secret_key(config["SECRET_KEY"])
    return config
