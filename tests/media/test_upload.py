"""Uploads: real clips become H.264/AAC renditions; anything that is not a video is refused, nothing kept."""

import io
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from app.extensions import db
from app.media.models import Video, VideoStatus
from app.media.uploads import receive_upload
from tests.factories.media import ffprobe, make_clip, media_files, multipart_body, upload
from tests.web import csrf_token


def _videos(app) -> list[Video]:
    with app.app_context():
        return list(db.session.scalars(select(Video).order_by(Video.id)))


def _rendition_file(app, video: Video, height: int) -> Path:
    return Path(app.config["MEDIA_ROOT"]) / video.rendition(height).path


@pytest.mark.slow
def test_a_720p_upload_becomes_ready_with_720p_and_360p_renditions_and_a_poster(
    app, world, client, auth, clips
):
    auth.login("trainer")
    response = upload(client, clips["720p"], "第一课.mp4")
    assert response.status_code == 302
    with app.app_context():
        video = db.session.scalars(select(Video)).one()
        assert response.headers["Location"].endswith(f"/media/videos/{video.id}")
        assert (video.status, video.progress, video.error) == (VideoStatus.READY, 100, None)
        assert video.original_filename == "第一课.mp4"
        assert video.duration == pytest.approx(2.0, abs=0.2)
        assert [rendition.height for rendition in video.renditions] == [720, 360]
        for rendition in video.renditions:
            info = ffprobe(Path(app.config["MEDIA_ROOT"]) / rendition.path)
            streams = {stream["codec_type"]: stream for stream in info["streams"]}
            assert streams["video"]["codec_name"] == "h264"
            assert streams["video"]["height"] == rendition.height
            assert streams["video"]["width"] == rendition.height * 16 // 9
            assert streams["audio"]["codec_name"] == "aac"
            data = (Path(app.config["MEDIA_ROOT"]) / rendition.path).read_bytes()
            assert data.index(b"moov") < data.index(b"mdat"), "+faststart puts the index first"
        poster = Path(app.config["MEDIA_ROOT"]) / video.poster_path
        assert poster.read_bytes()[:3] == b"\xff\xd8\xff"
        assert ffprobe(poster)["streams"][0]["height"] == 720


def test_a_360p_upload_is_never_upscaled(app, world, client, auth, clips):
    auth.login("trainer")
    upload(client, clips["360p"])
    (video,) = _videos(app)
    with app.app_context():
        video = db.session.get(Video, video.id)
        assert video.status is VideoStatus.READY
        assert [rendition.height for rendition in video.renditions] == [360]
        assert ffprobe(_rendition_file(app, video, 360))["streams"][0]["height"] == 360


def test_a_source_below_360p_keeps_its_own_height(app, world, client, auth, clips):
    auth.login("trainer")
    upload(client, clips["240p"])
    with app.app_context():
        video = db.session.scalars(select(Video)).one()
        assert [rendition.height for rendition in video.renditions] == [240]
        assert ffprobe(_rendition_file(app, video, 240))["streams"][0]["width"] == 320


def test_a_video_without_sound_is_transcoded_without_an_audio_track(app, world, client, auth, clips):
    auth.login("trainer")
    upload(client, clips["silent"])
    with app.app_context():
        video = db.session.scalars(select(Video)).one()
        assert video.status is VideoStatus.READY
        kinds = [stream["codec_type"] for stream in ffprobe(_rendition_file(app, video, 360))["streams"]]
        assert kinds == ["video"]


def test_the_same_file_uploaded_twice_is_one_video(app, world, client, auth, clips):
    auth.login("trainer")
    first = upload(client, clips["240p"], "a.mp4")
    second = upload(client, clips["240p"], "copy of a.mp4")
    assert first.headers["Location"] == second.headers["Location"]
    (video,) = _videos(app)
    assert video.original_filename == "a.mp4"
    assert not list((Path(app.config["MEDIA_ROOT"]) / "tmp").iterdir())


@pytest.fixture(scope="module")
def fakes(tmp_path_factory, clips) -> dict[str, Path]:
    """Files that are not videos, several of them named like one; a playlist beside a real clip."""
    folder = tmp_path_factory.mktemp("fakes")
    clip = clips["240p"]
    (folder / "clip.mp4").write_bytes(clip.read_bytes())
    playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nclip.mp4\n#EXT-X-ENDLIST\n"
    image = folder / "image.png"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=640x360",
            "-frames:v",
            "1",
            str(image),
        ],
        check=True,
        timeout=30,
    )
    audio = folder / "audio.m4a"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", str(audio)],
        check=True,
        timeout=30,
    )
    files = {
        "html": "<!doctype html><html><body><script>alert(1)</script></body></html>",
        "svg": '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect/></svg>',
        "text": "这不是视频。\n" * 100,
        "playlist": playlist,
        "playlist_m3u8": playlist,
    }
    paths = {}
    for name, text in files.items():
        paths[name] = folder / (name + (".m3u8" if name.endswith("m3u8") else ".txt"))
        paths[name].write_text(text, encoding="utf-8")
    return {**paths, "image": image, "audio_only": audio}


@pytest.mark.parametrize(
    ("kind", "filename"),
    [
        ("html", "lesson.mp4"),
        ("svg", "lesson.mp4"),
        ("image", "lesson.mp4"),
        ("text", "lesson.mp4"),
        ("audio_only", "lesson.mp4"),
        ("playlist", "lesson.mp4"),
        ("playlist_m3u8", "lesson.m3u8"),
    ],
)
def test_files_that_are_not_videos_are_refused_and_nothing_is_kept(
    app, world, client, auth, fakes, kind, filename
):
    fake = fakes[kind]
    auth.login("trainer")
    response = upload(client, fake, filename)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/media/videos")
    page = client.get("/media/videos").get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    assert _videos(app) == []
    assert media_files(app) == []


def test_a_playlist_gets_its_own_message(app, world, client, auth, fakes):
    fake = fakes["playlist_m3u8"]
    auth.login("trainer")
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, "/")})
    upload(client, fake, "lesson.m3u8")
    assert "playlist (.m3u8)" in client.get("/media/videos").get_data(as_text=True)


class TestSizeLimit:
    @pytest.fixture
    def app_config(self):
        return {"MEDIA_MAX_UPLOAD_BYTES": 20_000}

    def test_an_upload_over_the_limit_is_refused_with_413_and_nothing_kept(
        self, app, world, client, auth, clips
    ):
        assert clips["240p"].stat().st_size > 20_000
        auth.login("trainer")
        response = upload(client, clips["240p"])
        assert response.status_code == 413
        assert _videos(app) == []
        assert media_files(app) == []

    def test_a_chunked_upload_over_the_limit_is_cut_off_and_nothing_kept(
        self, app, world, client, auth, clips
    ):
        auth.login("trainer")
        token = csrf_token(client, "/media/videos")
        body, content_type = multipart_body(token, "big.mp4", clips["240p"].read_bytes())
        response = client.post(
            "/media/videos",
            input_stream=io.BytesIO(body),
            content_type=content_type,
            headers={"Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},  # as a WSGI server marks a chunked body
        )
        assert response.status_code == 413
        assert _videos(app) == []
        assert media_files(app) == []

    def test_an_upload_within_the_limit_is_accepted(self, app, world, client, auth, tmp_path):
        small = make_clip(tmp_path / "small.mp4", 64, 48, seconds=1, audio=False)
        assert small.stat().st_size < 20_000
        auth.login("trainer")
        assert upload(client, small).status_code == 302
        assert [video.status for video in _videos(app)] == [VideoStatus.READY]


def test_an_upload_without_the_form_token_is_refused_and_nothing_kept(app, world, client, auth, clips):
    auth.login("trainer")
    assert upload(client, clips["240p"], token="forged").status_code == 400
    assert _videos(app) == []
    assert media_files(app) == []


def test_an_upload_without_a_file_asks_for_one(app, world, client, auth):
    auth.login("trainer")
    token = csrf_token(client, "/media/videos")
    response = client.post("/media/videos", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert _videos(app) == []


@pytest.mark.parametrize(("username", "status"), [("member_a", 403), ("sec_a", 403)])
def test_only_trainers_and_admins_may_upload(app, world, client, auth, clips, username, status):
    auth.login(username)
    assert upload(client, clips["240p"], token="").status_code == status
    with app.app_context():
        assert db.session.scalar(select(func.count(Video.id))) == 0


def test_the_upload_is_spooled_under_media_root_and_removed_afterwards(tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    body, content_type = multipart_body("token", "lesson.mp4", b"x" * 300_000)
    builder = EnvironBuilder(method="POST", input_stream=io.BytesIO(body), content_type=content_type)
    builder.content_length = len(body)
    environ = builder.get_environ()
    with receive_upload(environ, "file", 10**6, spool) as received:
        assert received.form["csrf_token"] == "token"
        assert received.filename == "lesson.mp4"
        assert received.path.parent == spool
        assert received.path.read_bytes() == b"x" * 300_000
    assert list(spool.iterdir()) == []
    builder.close()


def test_a_phone_video_shot_upright_is_measured_and_transcoded_upright(
    app, world, client, auth, clips, tmp_path
):
    rotated = tmp_path / "upright.mp4"
    rotate = ["-c", "copy", "-metadata:s:v:0", "rotate=90"]  # what a phone held upright records
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(clips["360p"]), *rotate, str(rotated)], check=True
    )
    auth.login("trainer")
    upload(client, rotated)
    with app.app_context():
        video = db.session.scalars(select(Video)).one()
        assert (video.width, video.height) == (360, 640)
        assert [rendition.height for rendition in video.renditions] == [360]
        stream = ffprobe(_rendition_file(app, video, 360))["streams"][0]
        assert (stream["width"], stream["height"]) == (202, 360)


@pytest.mark.parametrize(
    ("container", "filename", "stored"),
    [
        ("mp4", "lesson.exe", "original.mp4"),
        ("mkv", "lesson.mp4", "original.mkv"),
        ("mp4", "课", "original.mp4"),
    ],
    ids=["an MP4 named .exe", "a Matroska file named .mp4", "no suffix"],
)
def test_the_original_is_stored_under_its_probed_container_s_suffix_not_the_uploader_s(
    app, world, client, auth, clips, tmp_path, container, filename, stored
):
    source = tmp_path / f"clip.{container}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(clips["240p"]), "-c", "copy", str(source)],
        check=True,
        timeout=60,
    )
    auth.login("trainer")
    assert upload(client, source, filename).status_code == 302
    (video,) = _videos(app)
    assert video.original_filename == filename  # shown to trainers, never used as a path
    assert Path(video.source_path).name == stored
    assert (Path(app.config["MEDIA_ROOT"]) / video.source_path).is_file()
    assert not [path for path in media_files(app) if path.suffix == ".exe"]
