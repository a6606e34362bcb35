"""Fixtures for the live tests: the streaming server beside the live web server, and Chromium."""

from collections.abc import Iterator

import pytest

from devtools.nginx_rtmp import StreamingServer, missing_tools


@pytest.fixture
def streaming_server(app, live_server, tmp_path) -> Iterator[StreamingServer]:
    """nginx-rtmp on free loopback ports, calling back the live server; the app signs links for it."""
    problem = missing_tools(app.config["LIVE_NGINX_MODULE"])
    if problem:
        pytest.fail(problem)
    server = StreamingServer(tmp_path / "live-nginx", live_server)
    with app.app_context():
        server.start()
    app.config["LIVE_HLS_URL"] = server.hls_url
    app.config["LIVE_RTMP_URL"] = f"rtmp://127.0.0.1:{server.rtmp_port}/live"
    try:
        yield server
    finally:
        server.stop()
