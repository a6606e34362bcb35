"""The streaming server: nginx with Debian's RTMP module, its configuration, and signed HLS links.

nginx ingests RTMP, cuts HLS segments into MEDIA_ROOT/live/lesson-<id>/, records each publish into
MEDIA_ROOT/live-recordings/, and asks the app (on_publish, on_publish_done, on_record_done) whether
to take a publish and what happened. Players fetch playlists and segments from nginx itself on links
the app signs, so no segment byte passes through the app:

    <LIVE_HLS_URL>/<signature>/<expires>/<member id>/lesson-<id>/index.m3u8

nginx's ``secure_link`` checks them: ``signature`` is the MD5 (base64url, unpadded) of
"<expires>/<member id>/lesson-<id> <secret>", ``expires`` a Unix time. The segments a playlist names
are relative, so they inherit the signed folder of the playlist's own link. nginx answers 403 to a
missing, altered or expired signature. (Stock nginx offers MD5 with a secret suffix; an HMAC needs a
third-party module that Debian does not package. A suffix secret is not open to length extension.)
"""

import base64
import calendar
import getpass
import hashlib
import hmac
import os
import shutil
from datetime import datetime
from pathlib import Path

from flask import current_app

from app.timeutil import utcnow

APPLICATION = "live"  # rtmp://host:port/live/lesson-<id>?key=<stream key>
LIVE_FOLDER = "live"  # MEDIA_ROOT/live/lesson-<id>/index.m3u8 and its .ts segments
RECORDINGS_FOLDER = "live-recordings"
PLAYLIST = "index.m3u8"
HLS_FRAGMENT_SECONDS = 2
HLS_PLAYLIST_SECONDS = 20


def stream_name(lesson_id: int) -> str:
    return f"lesson-{lesson_id}"


def lesson_id_of(name: str) -> int | None:
    """The lesson id in a stream name ("lesson-12" → 12), or None for any other name."""
    prefix, _, number = (name or "").partition("-")
    if prefix != "lesson" or not number.isdigit() or len(number) > 9:
        return None
    return int(number)


def _derived(purpose: str) -> str:
    """A secret of its own for nginx, derived from the site's key (so every host agrees on it)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"live|{purpose}".encode(), hashlib.sha256).hexdigest()


def link_secret() -> str:
    return _derived("secure-link")


def callback_token() -> str:
    """The path part that only the configured nginx knows: its callbacks carry it."""
    return _derived("callback")[:32]


def _epoch(at: datetime) -> int:
    return calendar.timegm(at.utctimetuple())


def link_signature(expires: int, member_id: int, stream: str, secret: str | None = None) -> str:
    """What nginx's secure_link_md5 computes for a link (see the module's docstring)."""
    message = f"{expires}/{member_id}/{stream} {secret or link_secret()}"
    digest = hashlib.md5(message.encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_expiry(now: datetime | None = None) -> int:
    """When a link minted now expires: the end of the next half-lifetime bucket, so a link lasts
    between half of LIVE_LINK_MINUTES and all of it, and stays the same within a bucket (the state
    poll's ETag holds, and the player renews the link once a bucket)."""
    half = max(1, int(current_app.config["LIVE_LINK_MINUTES"]) * 30)
    return (_epoch(now or utcnow()) // half + 2) * half


def signed_folder(lesson_id: int, member_id: int, now: datetime | None = None) -> str:
    """The signed base URL of a lesson's HLS folder for one member (see ``link_expiry``)."""
    expires = link_expiry(now)
    stream = stream_name(lesson_id)
    signature = link_signature(expires, member_id, stream)
    return f"{current_app.config['LIVE_HLS_URL'].rstrip('/')}/{signature}/{expires}/{member_id}/{stream}/"


def playlist_url(lesson_id: int, member_id: int, now: datetime | None = None) -> str:
    return signed_folder(lesson_id, member_id, now) + PLAYLIST


def media_root() -> Path:
    return Path(current_app.config["MEDIA_ROOT"])


def hls_dir() -> Path:
    return media_root() / LIVE_FOLDER


def recordings_dir() -> Path:
    return media_root() / RECORDINGS_FOLDER


def playlist_path(lesson_id: int) -> Path:
    return hls_dir() / stream_name(lesson_id) / PLAYLIST


# --- the nginx configuration ------------------------------------------------------------------------

RTMP_BLOCK = """\
rtmp {{
    server {{
        listen {rtmp_listen};
        chunk_size 4096;
        application {application} {{
            live on;
            # Nobody plays RTMP: members watch HLS on signed links.
            deny play all;
            # The app decides every publish: a wrong key, another lesson's key or a publish far
            # outside the lesson's schedule is refused (any answer but 2xx refuses).
            notify_method post;
            on_publish {callback}/publish;
            on_publish_done {callback}/publish-done;
            on_record_done {callback}/record-done;
            hls on;
            hls_path {hls_path};
            hls_nested on;
            hls_fragment {fragment}s;
            hls_playlist_length {playlist}s;
            hls_cleanup on;
            # The recording becomes the replay (the app transcodes it like an uploaded video).
            record all;
            record_path {record_path};
            record_unique on;
        }}
    }}
}}
"""

HLS_LOCATION = """\
        # Signed, expiring links: {prefix}/<signature>/<expires>/<member>/lesson-<id>/<file>.{ext}
        location ~ ^{prefix}/(?<live_signature>[A-Za-z0-9_-]+)/(?<live_expires>[0-9]+)/(?<live_member>[0-9]+)/(?<live_stream>lesson-[0-9]+)/(?<live_file>[A-Za-z0-9_-]+\\.{ext})$ {{
            secure_link $live_signature,$live_expires;
            secure_link_md5 "$live_expires/$live_member/$live_stream {secret}";
            if ($secure_link = "") {{ return 403; }}
            if ($secure_link = "0") {{ return 403; }}
            alias {hls_path}/$live_stream/$live_file;
            types {{ {mime} {ext}; }}
            add_header Cache-Control "{cache}" always;
            add_header Access-Control-Allow-Origin * always;
        }}
"""
# Playlists change every fragment; a segment never changes once listed.
HLS_FILES = (("m3u8", "application/vnd.apple.mpegurl", "no-cache"), ("ts", "video/mp2t", "max-age=60"))

STANDALONE = """\
# Generated by `flask live nginx-config` for this machine's development server; do not edit
# (production: docs/deploy.md).
load_module {module};
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 4096; }}

{rtmp}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    default_type application/octet-stream;
    sendfile on;
    server {{
        listen {http_listen};
{location}    }}
}}
"""


def rtmp_block(rtmp_listen: str, callback_base: str) -> str:
    callback = f"{callback_base.rstrip('/')}/api/v1/live/rtmp/{callback_token()}"
    return RTMP_BLOCK.format(
        rtmp_listen=rtmp_listen,
        application=APPLICATION,
        callback=callback,
        hls_path=hls_dir(),
        fragment=HLS_FRAGMENT_SECONDS,
        playlist=HLS_PLAYLIST_SECONDS,
        record_path=recordings_dir(),
    )


def hls_location(prefix: str = "/hls") -> str:
    """The server-context locations that serve signed playlists and segments (anything else under
    ``prefix`` is refused)."""
    prefix = prefix.rstrip("/")
    locations = "".join(
        HLS_LOCATION.format(
            prefix=prefix, secret=link_secret(), hls_path=hls_dir(), ext=ext, mime=mime, cache=cache
        )
        for ext, mime, cache in HLS_FILES
    )
    return locations + f"        location {prefix}/ {{ return 403; }}\n"


def write_private(path: Path, text: str) -> Path:
    """Write a file only its owner reads (nginx's configuration holds the link secret)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return path


def write_snippets(
    folder: Path, rtmp_listen: str, callback_base: str, prefix: str = "/hls"
) -> tuple[Path, Path]:
    """The production pieces (docs/deploy.md): the rtmp block for nginx's main context and the HLS
    locations for the site's server block."""
    folder.mkdir(parents=True, exist_ok=True)
    for made in (hls_dir(), recordings_dir()):
        made.mkdir(parents=True, exist_ok=True)
    header = "# Generated by `flask live nginx-snippets`; holds the link secret: keep it mode 600.\n"
    rtmp = write_private(folder / "live-rtmp.conf", header + rtmp_block(rtmp_listen, callback_base))
    hls = write_private(folder / "live-hls.conf", header + hls_location(prefix))
    return rtmp, hls


def nginx_config(prefix: Path, rtmp_port: int, http_port: int, callback_base: str) -> str:
    """A whole nginx configuration serving RTMP and signed HLS on loopback, its files under ``prefix``."""
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    return STANDALONE.format(
        module=current_app.config["LIVE_NGINX_MODULE"],
        prefix=prefix,
        user=user,
        rtmp=rtmp_block(f"127.0.0.1:{rtmp_port}", callback_base),
        http_listen=f"127.0.0.1:{http_port}",
        location=hls_location(),
    )


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def write_nginx_config(prefix: Path, rtmp_port: int, http_port: int, callback_base: str) -> Path:
    """Write the configuration (owner-only: it holds the link secret) and make its folders."""
    for folder in (prefix / "tmp", hls_dir(), recordings_dir()):
        folder.mkdir(parents=True, exist_ok=True)
    return write_private(prefix / "nginx.conf", nginx_config(prefix, rtmp_port, http_port, callback_base))


def nginx_command(config_path: Path) -> list[str]:
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed: `make deploy-packages` installs it")
    return [
        binary,
        "-p",
        str(config_path.parent),
        "-c",
        str(config_path),
        "-e",
        str(config_path.parent / "error.log"),
    ]
