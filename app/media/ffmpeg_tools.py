"""ffprobe and ffmpeg behind one small module: probing uploads, building and running the commands.

Every run reads local files only (``-protocol_whitelist file``) through the demuxers of real video
containers (``-format_whitelist``), so a playlist, an image or an HTML page renamed ``.mp4`` is never
followed or decoded, and every run has a time limit. The transcoding commands are built with
ffmpeg-python's graph API; ffprobe is run directly because ffmpeg-python's ``probe`` has no time limit.

Every ffprobe and ffmpeg dies with the process that started it (``PR_SET_PDEATHSIG``, ``app/processes.py``), so a job
worker killed with SIGKILL leaves no transcoding running on to the end behind it.
"""

import json
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from app.processes import dying_with_this_process

# The demuxers of the video containers people upload (MP4/MOV, MKV/WebM, AVI, FLV, MPEG-TS/PS, WMV).
# Left out on purpose: hls/concat (they read other files), image and text demuxers.
ALLOWED_DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,asf"
SAFE_INPUT = {"protocol_whitelist": "file", "format_whitelist": ALLOWED_DEMUXERS}
# The stored original is named by its probed container (ffprobe's first format name).
CONTAINER_SUFFIXES = {
    "mov": ".mp4",  # the ISO/QuickTime family: MP4, MOV, M4A, 3GP
    "matroska": ".mkv",  # Matroska and WebM
    "avi": ".avi",
    "flv": ".flv",
    "mpegts": ".ts",
    "mpeg": ".mpg",
    "asf": ".wmv",
}

RENDITION_HEIGHTS = (720, 360)
MIN_SIDE, MAX_SIDE = 16, 8192
MIN_DURATION, MAX_DURATION = 0.5, 12 * 3600.0


class ProbeError(Exception):
    """The file is not a video we accept; ``code`` says why (see services.PROBE_MESSAGES)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class FfmpegError(Exception):
    """An ffmpeg run failed; ``code`` is "timeout" or "ffmpeg", ``detail`` ffmpeg's last words."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ProbeResult:
    format_name: str
    duration: float
    width: int  # as displayed (rotation applied)
    height: int
    has_audio: bool

    @property
    def demuxer(self) -> str:
        """The name to force with ``-f`` so ffmpeg reads the file exactly as it was probed."""
        return self.format_name.split(",")[0]

    @property
    def container_suffix(self) -> str:
        """The file name suffix of the container ffprobe found (never the uploader's: "x.exe" may be an MP4)."""
        return CONTAINER_SUFFIXES.get(self.demuxer, "")


def _rotation(stream: dict[str, Any]) -> int:
    rotate = stream.get("tags", {}).get("rotate")
    if rotate is None:
        for side_data in stream.get("side_data_list", []):
            if "rotation" in side_data:
                rotate = side_data["rotation"]
    try:
        return abs(int(float(rotate or 0))) % 180
    except ValueError:
        return 0


def _float(value: Any) -> float | None:  # a value of ffprobe's JSON
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def probe_video(path: Path, time_limit: float) -> ProbeResult:
    """Read ``path``'s container and streams; raise ProbeError unless it holds a sane video stream."""
    args = ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json"]
    for option, value in SAFE_INPUT.items():
        args += [f"-{option}", value]
    try:
        completed = subprocess.run(
            [*args, "file:" + str(path)],
            capture_output=True,
            timeout=time_limit,
            check=False,
            preexec_fn=dying_with_this_process(),
        )
    except subprocess.TimeoutExpired as error:
        raise ProbeError("timeout") from error
    if completed.returncode != 0:
        with path.open("rb") as handle:
            is_playlist = handle.read(64).lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"#EXTM3U")
        detail = completed.stderr.decode(errors="replace").strip()[-300:]
        raise ProbeError("playlist" if is_playlist else "not_video", detail)
    info = json.loads(completed.stdout or b"{}")
    streams = info.get("streams", [])
    videos = [
        stream
        for stream in streams
        if stream.get("codec_type") == "video" and not stream.get("disposition", {}).get("attached_pic")
    ]
    if not videos:
        raise ProbeError("no_video")
    video = videos[0]
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if _rotation(video) == 90:
        width, height = height, width
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ProbeError("bad_size", f"{width}x{height}")
    duration = _float(info.get("format", {}).get("duration")) or _float(video.get("duration"))
    if duration is None or duration < MIN_DURATION:
        raise ProbeError("too_short", str(duration))
    if duration > MAX_DURATION:
        raise ProbeError("too_long", str(duration))
    return ProbeResult(
        format_name=info["format"]["format_name"],
        duration=duration,
        width=width,
        height=height,
        has_audio=any(stream.get("codec_type") == "audio" for stream in streams),
    )


def rendition_heights(source_height: int) -> list[int]:
    """720p and 360p, never above the source; a source below 360p keeps its own (even) height."""
    heights = [height for height in RENDITION_HEIGHTS if height <= source_height]
    return heights or [source_height - source_height % 2]


def _input(source: Path, probe: ProbeResult, **options: object) -> Any:  # an ffmpeg-python node
    return ffmpeg.input("file:" + str(source), f=probe.demuxer, **SAFE_INPUT, **options)


def transcode_command(source: Path, probe: ProbeResult, outputs: dict[int, Path]) -> list[str]:
    """One ffmpeg run that decodes once and writes every rendition (H.264/AAC MP4, +faststart)."""
    stream = _input(source, probe)
    branches = stream.video.filter_multi_output("split", len(outputs))
    encoded = []
    for index, (height, path) in enumerate(sorted(outputs.items(), reverse=True)):
        video = branches.stream(index).filter("scale", -2, height)
        streams = [video, stream.audio] if probe.has_audio else [video]
        audio_options = {"c:a": "aac", "b:a": "128k" if height >= 720 else "96k", "ac": 2}
        encoded.append(
            ffmpeg.output(
                *streams,
                str(path),
                f="mp4",
                **{"c:v": "libx264", "preset": "veryfast", "crf": 23, "pix_fmt": "yuv420p"},
                **(audio_options if probe.has_audio else {}),
                movflags="+faststart",
            )
        )
    command = ffmpeg.merge_outputs(*encoded).global_args("-nostdin", "-loglevel", "error", "-nostats")
    args: list[str] = command.overwrite_output().compile(cmd="ffmpeg")
    return args


def poster_command(source: Path, probe: ProbeResult, output: Path) -> list[str]:
    """Grab one frame a tenth of the way in (at most 10 s) as a JPEG, at most 720 pixels high."""
    at = min(probe.duration * 0.1, 10.0)
    height = min(probe.height - probe.height % 2, RENDITION_HEIGHTS[0])
    frame = _input(source, probe, ss=f"{at:.3f}").video.filter("scale", -2, height)
    command = ffmpeg.output(frame, str(output), vframes=1, f="image2", **{"q:v": 3})
    args: list[str] = (
        command.global_args("-nostdin", "-loglevel", "error").overwrite_output().compile(cmd="ffmpeg")
    )
    return args


def join_command(parts: list[tuple[Path, ProbeResult]], output: Path, list_file: Path) -> list[str]:
    """One ffmpeg run joining our own videos end to end into a Matroska file (``output``).

    When every part has the first one's picture size and sound (one encoder that reconnected), the
    streams are copied through the concat demuxer: no decoding, the list in ``list_file`` names only
    these files. Otherwise each part is scaled to the first one's size and the whole encoded once
    (the sound kept only when every part has some). Never for uploads: the concat demuxer reads the
    files its list names, which is why ``SAFE_INPUT`` leaves it out.
    """
    first = parts[0][1]
    if all(
        (probe.width, probe.height, probe.has_audio) == (first.width, first.height, first.has_audio)
        for _, probe in parts
    ):
        quoted = (str(path).replace("'", "'\\''") for path, _probe in parts)
        list_file.write_text("".join(f"file '{path}'\n" for path in quoted), encoding="utf-8")
        joined = ffmpeg.input(
            "file:" + str(list_file),
            f="concat",
            safe=0,
            protocol_whitelist="file",
            format_whitelist=f"concat,{ALLOWED_DEMUXERS}",
        )
        command = ffmpeg.output(joined, str(output), c="copy", f="matroska")
    else:
        sound = all(probe.has_audio for _, probe in parts)
        streams = []
        for path, probe in parts:
            node = _input(path, probe)
            streams.append(node.video.filter("scale", first.width, first.height).filter("setsar", 1))
            if sound:
                streams.append(node.audio)
        concat = ffmpeg.concat(*streams, v=1, a=int(sound)).node
        encoded = [concat[0], concat[1]] if sound else [concat[0]]
        codecs = {"c:v": "libx264", "preset": "veryfast", "crf": 18, "pix_fmt": "yuv420p"}
        command = ffmpeg.output(
            *encoded, str(output), f="matroska", **codecs, **({"c:a": "aac"} if sound else {})
        )
    args: list[str] = (
        command.global_args("-nostdin", "-loglevel", "error", "-nostats")
        .overwrite_output()
        .compile(cmd="ffmpeg")
    )
    return args


def run_ffmpeg(
    args: list[str],
    time_limit: float,
    duration: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    """Run ffmpeg, report the fraction done from its ``-progress`` output, kill it at the time limit."""
    if on_progress is not None:
        args = [args[0], "-progress", "pipe:1", *args[1:]]
    with (
        tempfile.TemporaryFile() as stderr,
        subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            preexec_fn=dying_with_this_process(),
        ) as process,
    ):
        assert process.stdout is not None  # stdout=PIPE
        timed_out = threading.Event()

        def kill_at_time_limit() -> None:
            timed_out.set()
            process.kill()

        watchdog = threading.Timer(time_limit, kill_at_time_limit)
        watchdog.start()
        try:
            for line in process.stdout or ():  # a pipe: stdout=PIPE
                key, _, value = line.decode(errors="replace").strip().partition("=")
                if on_progress and duration and key == "out_time_us" and value.isdigit():
                    on_progress(min(int(value) / 1_000_000 / duration, 1.0))
            returncode = process.wait()
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        if timed_out.is_set():
            raise FfmpegError("timeout", f"killed after {time_limit:.0f} s")
        if returncode != 0:
            stderr.seek(0)
            raise FfmpegError("ffmpeg", stderr.read().decode(errors="replace").strip()[-500:])


def read_dimensions(path: Path, time_limit: float) -> tuple[int, int, float]:
    """Return the width, height and duration of a file this module wrote (checked after each job)."""
    try:
        result = probe_video(path, time_limit)
    except ProbeError as error:
        raise FfmpegError("bad_output", f"{path.name}: {error}") from error
    return result.width, result.height, result.duration
