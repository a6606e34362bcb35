"""A real nginx with Debian's RTMP module on free loopback ports, and ffmpeg pushing a test stream.

Shared by the live tests and benchmarks/live.py. Nothing is downloaded: nginx, libnginx-mod-rtmp and
ffmpeg are Debian's (`make deploy-packages` / `make system-packages`).
"""

import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.live import streaming
from devtools.stack import wait_for_port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def missing_tools(module: str) -> str | None:
    """What is not installed, as a sentence (None: all there)."""
    if streaming.nginx_binary() is None:
        return "nginx is not installed (`make deploy-packages` installs it)"
    if not Path(module).exists():
        return f"{module} is missing: install libnginx-mod-rtmp (`make deploy-packages`)"
    if shutil.which("ffmpeg") is None:
        return "ffmpeg is not installed (`make system-packages`)"
    return None


@dataclass
class StreamingServer:
    """nginx running the configuration `flask live nginx-config` writes (call inside an app context)."""

    prefix: Path
    callback_url: str
    rtmp_port: int = 0
    http_port: int = 0
    process: subprocess.Popen | None = None

    def start(self) -> "StreamingServer":
        self.rtmp_port, self.http_port = self.rtmp_port or free_port(), self.http_port or free_port()
        config = streaming.write_nginx_config(self.prefix, self.rtmp_port, self.http_port, self.callback_url)
        self.process = subprocess.Popen(
            streaming.nginx_command(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.rtmp_port)
        wait_for_port(self.http_port)
        return self

    @property
    def hls_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/hls"

    def rtmp_url(self, stream_key: str) -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/{streaming.APPLICATION}/{stream_key}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def push(rtmp_url: str, seconds: float, size: str = "320x240") -> subprocess.Popen:
    """ffmpeg publishing a generated stream (testsrc2 picture, a sine tone) in real time (-re)."""
    return subprocess.Popen(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", str(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "50", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k",
            "-f", "flv", rtmp_url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
