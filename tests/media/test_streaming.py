"""Rendition and poster URLs: HTTP Range, conditional requests and caching headers, nginx delivery."""

import pytest

from tests.factories.media import make_ready_video

CONTENT = bytes(range(256)) * 40  # 10,240 bytes, each position recognisable
LENGTH = len(CONTENT)


def get(client, url: str, **headers):
    """GET ``url``, read the whole body and close the file behind it, as a browser would."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def video_url(app, world, client, auth):
    with app.app_context():
        video_id = make_ready_video(CONTENT, height=360).id
    auth.login("trainer")
    return f"/media/videos/{video_id}/360p.mp4"


def test_a_whole_file_is_sent_with_caching_headers(client, video_url):
    response = get(client, video_url)
    assert response.status_code == 200
    assert response.data == CONTENT
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(LENGTH)
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    cache = response.headers["Cache-Control"]
    assert "private" in cache and "max-age=3600" in cache and "public" not in cache


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, LENGTH - 1),
        ("bytes=-100", LENGTH - 100, LENGTH - 1),
        ("bytes=10000-99999", 10000, LENGTH - 1),  # an end past the file is cut to its last byte
        ("bytes=0-0", 0, 0),
        (f"bytes={LENGTH - 1}-", LENGTH - 1, LENGTH - 1),
    ],
)
def test_a_range_is_answered_with_206_and_exactly_those_bytes(client, video_url, header, start, end):
    response = get(client, video_url, **{"Range": header})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{LENGTH}"
    assert response.headers["Content-Length"] == str(end - start + 1)
    assert response.data == CONTENT[start : end + 1]


@pytest.mark.parametrize("header", [f"bytes={LENGTH}-", f"bytes={LENGTH + 10}-{LENGTH + 20}"])
def test_an_unsatisfiable_range_gets_416_with_the_length(client, video_url, header):
    response = get(client, video_url, **{"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{LENGTH}"


def test_several_ranges_at_once_get_the_whole_file(client, video_url):
    response = get(client, video_url, **{"Range": "bytes=0-9,20-29"})
    assert response.status_code == 200
    assert response.data == CONTENT


def test_if_range_with_the_current_etag_gets_the_range(client, video_url):
    etag = get(client, video_url).headers["ETag"]
    response = get(client, video_url, **{"Range": "bytes=0-9", "If-Range": etag})
    assert response.status_code == 206
    assert response.data == CONTENT[:10]


def test_if_range_with_a_stale_etag_gets_the_whole_file(client, video_url):
    response = get(client, video_url, **{"Range": "bytes=0-9", "If-Range": '"an-older-version"'})
    assert response.status_code == 200
    assert response.data == CONTENT


def test_if_range_with_the_last_modified_date_gets_the_range(client, video_url):
    last_modified = get(client, video_url).headers["Last-Modified"]
    response = get(client, video_url, **{"Range": "bytes=5-9", "If-Range": last_modified})
    assert response.status_code == 206
    assert response.data == CONTENT[5:10]


def test_a_cached_copy_is_revalidated_with_304(client, video_url):
    etag = get(client, video_url).headers["ETag"]
    response = get(client, video_url, **{"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""


def test_the_poster_is_a_jpeg(app, client, video_url):
    response = get(client, video_url.replace("360p.mp4", "poster.jpg"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.data.startswith(b"\xff\xd8\xff")


def test_a_height_without_a_rendition_is_not_found(client, video_url):
    assert get(client, video_url.replace("360p", "720p")).status_code == 404


class TestNginxDelivery:
    @pytest.fixture
    def app_config(self):
        return {"MEDIA_X_ACCEL_REDIRECT": "/protected-media/"}

    def test_nginx_is_told_which_file_to_send_after_the_permission_check(self, client, video_url):
        response = get(client, video_url, **{"Range": "bytes=0-99"})
        assert response.status_code == 200  # nginx answers the range itself
        assert response.data == b""
        assert response.headers["X-Accel-Redirect"] == f"/protected-media/videos/ab/{'ab' * 32}/360p.mp4"
        assert response.headers["Content-Type"] == "video/mp4"
        assert "private" in response.headers["Cache-Control"]

    def test_nginx_is_not_asked_for_a_member_without_access(self, client, auth, video_url):
        auth.logout()
        auth.login("member_a")
        response = get(client, video_url)
        assert response.status_code == 404
        assert "X-Accel-Redirect" not in response.headers
