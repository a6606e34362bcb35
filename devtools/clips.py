"""Real clips made by ffmpeg (testsrc2 + sine), for the tests and the benchmarks."""

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path

_made_clips: Path | None = None  # this run's clips, by their ffmpeg arguments


def make_clip(path: Path, width: int, height: int, seconds: float = 2.0, audio: bool = True) -> Path:
    """Write a real H.264/AAC MP4 of a moving test pattern (with a tone) to ``path``.

    ffmpeg writes the same bytes for the same arguments, so each distinct clip is made once per run
    and copied to ``path`` afterwards.
    """
    global _made_clips
    if _made_clips is None:
        _made_clips = Path(tempfile.mkdtemp(prefix="party-school-clips-"))
        atexit.register(shutil.rmtree, _made_clips, ignore_errors=True)
    made = _made_clips / f"{width}x{height}-{seconds}s-{'sound' if audio else 'silent'}{path.suffix}"
    if not made.exists():
        inputs = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=25:duration={seconds}"]
        if audio:
            inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
        codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        codecs += ["-c:a", "aac", "-shortest"] if audio else []
        partial = made.with_name(f"partial-{made.name}")
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", *inputs, *codecs, str(partial)],
            check=True,
            timeout=max(60, 10 * seconds),
        )
        partial.rename(made)
    shutil.copyfile(made, path)
    return path
