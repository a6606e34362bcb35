"""Fixtures for the media tests; their builders are in tests/factories/media.py."""

from pathlib import Path

import pytest

from tests.factories.media import make_clip


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    """Source clips made once per run: 720p, 360p, 240p, and a 360p one without sound."""
    folder = tmp_path_factory.mktemp("clips")
    return {
        "720p": make_clip(folder / "clip720.mp4", 1280, 720),
        "360p": make_clip(folder / "clip360.mp4", 640, 360),
        "240p": make_clip(folder / "clip240.mp4", 320, 240),
        "silent": make_clip(folder / "silent.mp4", 640, 360, audio=False),
    }
