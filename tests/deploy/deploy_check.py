"""`make deploy-check`: start the documented stack on loopback and check it through nginx.

nginx (Debian's package, docs/deploy/nginx.conf with this checkout's paths, unprivileged ports and a
self-signed certificate made for the run) in front of gunicorn (docs/deploy/gunicorn.conf.py) with
the production cookie setting SESSION_COOKIE_SECURE=1, PostgreSQL database `deploy_check` (reset),
Redis db 7, `flask db upgrade`, `flask demo load` and a job worker. Prints PASS/FAIL per check.
"""

import http.client
import http.cookiejar
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from devtools.stack import BIN, ROOT, Stack, wait_for_port

NGINX_PORT = int(os.environ.get("DEPLOY_CHECK_NGINX_PORT", 18080))  # HTTPS
NGINX_HTTP_PORT = int(os.environ.get("DEPLOY_CHECK_NGINX_HTTP_PORT", 18081))  # plain HTTP: redirected
GUNICORN_PORT = int(os.environ.get("DEPLOY_CHECK_GUNICORN_PORT", 18000))
RTMP_PORT = int(os.environ.get("DEPLOY_CHECK_RTMP_PORT", 11935))
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
LIVE_SECONDS = 12  # the short live stream pushed through nginx-rtmp
DATABASE = os.environ.get("DEPLOY_CHECK_DATABASE", "deploy_check")
REDIS_DB = int(os.environ.get("DEPLOY_CHECK_REDIS_DB", 7))
# What the stack runs with besides the Stack's own settings: the production values of docs/deploy/env.example.
STACK_ENV = {
    "SECRET_KEY": "deploy-check-secret-key-of-the-local-stack",
    "MEDIA_X_ACCEL_REDIRECT": "/protected-media/",
    "SESSION_COOKIE_SECURE": "1",
    "GUNICORN_WORKERS": "2",
    # Live lessons: nginx-rtmp calls gunicorn back; players fetch HLS from the site's own /hls/.
    "LIVE_CALLBACK_URL": f"http://127.0.0.1:{GUNICORN_PORT}",
    "LIVE_HLS_URL": "/hls",
    "LIVE_RTMP_URL": f"rtmp://127.0.0.1:{RTMP_PORT}/live",
}
PASSWORD = "party-school-demo"


def make_certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 (valid one day) and its key; return the certificate."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate


def nginx_config(folder: Path) -> Path:
    """The documented site, pointed at this checkout, inside a main config nginx runs as this user."""
    site = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    site = site.replace("/srv/party-school/app/static/", f"{ROOT}/app/static/")
    site = site.replace("/srv/party-school/media/", f"{folder}/media/")
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{GUNICORN_PORT}")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{NGINX_HTTP_PORT};")
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{NGINX_PORT} ssl;")
    site = site.replace("/etc/ssl/party-school/fullchain.pem", f"{folder}/cert.pem")
    site = site.replace("/etc/ssl/party-school/privkey.pem", f"{folder}/key.pem")
    site = site.replace("/etc/nginx/party-school/live-hls.conf", f"{folder}/live/live-hls.conf")
    temp = "\n".join(
        f"    {name}_temp_path {folder}/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = folder / "nginx.conf"
    conf.write_text(
        f"load_module {RTMP_MODULE};\ndaemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log;\n"
        f"include {folder}/live/live-rtmp.conf;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n    include /etc/nginx/mime.types;\n"
        f"    access_log {folder}/nginx-access.log;\n{temp}\n{site}\n}}\n"
    )
    return conf


class Browser:
    def __init__(self, base: str, certificate: Path):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies),
            urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(certificate))),
        )

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        return response.status, response.headers, response.read()

    def login(self, username: str, remember: bool = False) -> int:
        _status, _headers, body = self.get("/login")
        token = re.search(rb'name="csrf_token"(?: type="hidden")? value="([^"]+)"', body).group(1).decode()
        fields = {"csrf_token": token, "username": username, "password": PASSWORD}
        data = urllib.parse.urlencode(fields | ({"remember": "y"} if remember else {})).encode()
        # Over HTTPS Flask-WTF wants a same-site Referer, which browsers send (Referrer-Policy: same-origin).
        headers = {"Referer": self.base + "/login"}
        request = urllib.request.Request(self.base + "/login", data=data, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            return error.code
        response.read()
        return response.status if response.url.rstrip("/") != self.base + "/login" else 401


def redirect_to_https() -> tuple[int, str]:
    """What plain HTTP answers (not followed): the status and Location."""
    connection = http.client.HTTPConnection("127.0.0.1", NGINX_HTTP_PORT, timeout=30)
    try:
        connection.request("GET", "/login")
        response = connection.getresponse()
        return response.status, response.headers.get("Location", "")
    finally:
        connection.close()


def checks(base: str, env: dict, certificate: Path) -> list[tuple[str, bool, str]]:
    results = []
    member = Browser(base, certificate)
    status = member.login("member", remember=True)
    _s, _h, home = member.get("/")
    results.append(
        ("sign-in with the CSRF form over HTTPS", status == 200 and b"/logout" in home, f"status {status}")
    )
    cookies = {cookie.name: cookie for cookie in member.cookies}
    flags = {
        name: (cookie.secure, cookie.has_nonstandard_attr("HttpOnly"))
        for name, cookie in cookies.items()
        if name in ("session", "remember_token")
    }
    results.append(
        (
            "session and remember-me cookies Secure and HttpOnly",
            flags == {"session": (True, True), "remember_token": (True, True)},
            f"(secure, httponly) {flags}",
        )
    )
    status, location = redirect_to_https()
    results.append(
        (
            "plain HTTP redirects to HTTPS",
            status == 301 and location.startswith("https://"),
            f"status {status}",
        )
    )

    video_id, height = query_video(env)
    status, headers, body = member.get(f"/media/videos/{video_id}/{height}p.mp4", {"Range": "bytes=0-99"})
    by_nginx = headers.get("Server", "").startswith("nginx") and "X-Accel-Redirect" not in headers
    results.append(
        (
            "video byte range via X-Accel-Redirect",
            status == 206
            and headers.get("Content-Range", "").startswith("bytes 0-99/")
            and len(body) == 100
            and by_nginx,
            f"status {status}, Content-Range {headers.get('Content-Range')}, Server {headers.get('Server')}",
        )
    )
    status, _h, body = member.get("/library/search?q=" + urllib.parse.quote("党"))
    results.append(("library search", status == 200 and b"<mark" in body, f"status {status}"))

    secretary = Browser(base, certificate)
    secretary.login("secretary")
    unit_id = query_unit(env)
    status, headers, body = secretary.get(f"/api/v1/org-units/{unit_id}/report?year={time.gmtime().tm_year}")
    results.append(("branch report (JSON API)", status == 200 and body.startswith(b"{"), f"status {status}"))
    results.extend(live_checks(base, env, certificate))
    return results


LIVE_LESSON = """---
title: 部署检查直播
kind: live
minutes: 5
starts: "{starts}"
speaker: 检查员
---

部署检查用的直播课。
"""


def live_checks(base: str, env: dict, certificate: Path) -> list[tuple[str, bool, str]]:
    """A short live stream end to end: ffmpeg publishes to nginx-rtmp with the lesson's key (the app
    takes it through on_publish), nginx serves the signed playlist and a segment over HTTPS and
    refuses an unsigned link, and on_publish_done records the end."""
    folder = Path(env["MEDIA_ROOT"]).parent / "courses" / "deploy-live"
    (folder / "01-live").mkdir(parents=True, exist_ok=True)
    (folder / "course.yml").write_text("slug: deploy-live\ntitle: 部署检查\nstatus: published\n")
    (folder / "01-live" / "module.yml").write_text("title: 直播\n")
    starts = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    (folder / "01-live" / "01-check.md").write_text(LIVE_LESSON.format(starts=starts))
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "courses", "import", str(folder)],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    lesson_id, key, playlist = _query(
        env,
        "    from app.courses.models import Lesson, LessonKind\n"
        "    from app.live import services, streaming\n"
        "    lesson = db.session.scalars(db.select(Lesson).filter_by(kind=LessonKind.LIVE)).one()\n"
        "    key = services.encoder_settings(lesson).stream_key\n"
        "    print(lesson.id, key, streaming.playlist_url(lesson.id, 1))",
    ).split()
    encoder = subprocess.Popen(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
            "-t", str(LIVE_SECONDS), "-c:v", "libx264", "-preset", "veryfast", "-g", "50",
            "-c:a", "aac", "-f", "flv", f"rtmp://127.0.0.1:{RTMP_PORT}/live/{key}",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    viewer = Browser(base, certificate)
    status, headers, body = 0, {}, b""
    deadline = time.monotonic() + LIVE_SECONDS
    while time.monotonic() < deadline and status != 200:
        time.sleep(1)
        status, headers, body = viewer.get(playlist)
    segments = [line for line in body.decode(errors="replace").splitlines() if line.endswith(".ts")]
    results = [
        (
            "live stream: signed playlist from nginx-rtmp's HLS",
            status == 200 and bool(segments) and headers.get("Server", "").startswith("nginx"),
            f"status {status}, {len(segments)} segment(s)",
        )
    ]
    segment_status = viewer.get(playlist.rsplit("/", 1)[0] + "/" + segments[0])[0] if segments else 0
    results.append(("live stream: signed segment", segment_status == 200, f"status {segment_status}"))
    unsigned = viewer.get(f"/hls/lesson-{lesson_id}/index.m3u8")[0]
    results.append(("live stream: unsigned link refused", unsigned == 403, f"status {unsigned}"))
    encoder.wait(timeout=LIVE_SECONDS + 30)
    time.sleep(2)
    window = _query(
        env,
        "    from app.live.models import LiveStream\n"
        f"    stream = db.session.scalars(db.select(LiveStream).filter_by(lesson_id={lesson_id})).one()\n"
        "    print(stream.started_at is not None, stream.ended_at is not None, stream.publishing)",
    )
    results.append(("live stream: the app recorded its start and end", window == "True True False", window))
    return results


def _query(env: dict, code: str) -> str:
    script = f"from app import create_app\nfrom app.extensions import db\napp = create_app()\nwith app.app_context():\n{code}"
    return subprocess.run(
        [str(BIN / "python"), "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def query_video(env: dict) -> tuple[int, int]:
    out = _query(
        env,
        "    from app.media.models import Rendition as R\n"
        "    r = db.session.scalars(db.select(R)).first()\n    print(r.video_id, r.height)",
    )
    video_id, height = out.split()
    return int(video_id), int(height)


def query_unit(env: dict) -> int:
    out = _query(
        env,
        "    from app.auth.models import User\n"
        "    print(db.session.scalar(db.select(User).filter_by(username='secretary')).unit_id)",
    )
    return int(out)


def main() -> int:
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        print("nginx is not installed: run `make deploy-packages`")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="deploy-check-"))
    # nginx's workers drop to `nobody` when started as root: they must read the media folder.
    folder.chmod(0o755)
    stack = Stack(folder, DATABASE, REDIS_DB, GUNICORN_PORT, STACK_ENV)
    stack.make_folders("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    env = stack.env
    stack.reset()
    results = []
    try:
        stack.flask("db", "upgrade")
        stack.flask("demo", "load")
        stack.start_gunicorn()
        stack.start_worker()
        stack.flask("live", "nginx-snippets", str(folder / "live"), "--rtmp-listen", f"127.0.0.1:{RTMP_PORT}")
        for name in ("live", "live-recordings"):  # nginx's workers (nobody) write the stream here
            (folder / "media" / name).chmod(0o777)
        certificate = make_certificate(folder)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        stack.processes.append(subprocess.Popen([nginx, "-p", str(folder), "-c", str(nginx_config(folder))]))
        wait_for_port(GUNICORN_PORT)
        wait_for_port(NGINX_PORT)
        results = checks(f"https://127.0.0.1:{NGINX_PORT}", env, certificate)
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)
    for name, ok, detail in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}  ({detail})")
    return 0 if all(ok for _n, ok, _d in results) else 1


if __name__ == "__main__":
    sys.exit(main())
