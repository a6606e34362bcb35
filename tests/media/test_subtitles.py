"""WebVTT subtitles: attached by trainers, checked, served to those who may see the video, searchable."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.courses.models import CompletionRule, CourseStatus, LessonKind
from app.extensions import db
from app.media.models import Subtitle, Video
from app.media.webvtt import WebVTTError, parse_webvtt
from tests.factories.courses import lesson_of, make_course
from tests.factories.media import make_ready_video
from tests.web import csrf_token

VTT = """WEBVTT - 第一课

NOTE 这一行是注释，不是字幕

1
00:00:00.500 --> 00:00:01.500 align:start
<v 讲师>同志们好，今天学习<b>党章</b>。

00:01.500 --> 00:00:01.900
为人民服务 &amp; 实事求是
""".encode()


@pytest.fixture
def video_id(app, world) -> int:
    with app.app_context():
        return make_ready_video(original_filename="第一课.mp4").id


def _attach(client, video_id: int, content: bytes, filename: str = "zh.vtt", **fields):
    token = csrf_token(client, f"/media/videos/{video_id}")
    data = {"csrf_token": token, "language": "zh-CN", "label": "中文", **fields}
    data["file"] = (io.BytesIO(content), filename)
    return client.post(f"/media/videos/{video_id}/subtitles", data=data, content_type="multipart/form-data")


def _in_english(client) -> None:
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, "/")})


def _subtitles(app) -> list[Subtitle]:
    with app.app_context():
        return list(db.session.scalars(select(Subtitle)))


def _subtitle_files(app) -> list[Path]:
    return sorted(Path(app.config["MEDIA_ROOT"]).glob("videos/*/*/subtitles/*"))


def _use_in_lesson(video_id: int, status: CourseStatus = CourseStatus.PUBLISHED) -> int:
    """Make ``video_id`` the video of a lesson in a course of ``status``; return the lesson's id."""
    course = make_course(
        "subtitled",
        lessons=(("clip", LessonKind.VIDEO, 5, CompletionRule.WATCHED),),
        video=db.session.get(Video, video_id),
        published=status is CourseStatus.PUBLISHED,
    )
    return lesson_of(course, "clip").id


def test_a_trainer_attaches_subtitles_and_sees_them_on_the_video_page(app, client, auth, video_id):
    auth.login("trainer")
    response = _attach(client, video_id, VTT)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/media/videos/{video_id}")

    [subtitle] = _subtitles(app)
    assert (subtitle.language, subtitle.label, subtitle.size_bytes) == ("zh-CN", "中文", len(VTT))
    assert subtitle.cue_text == "同志们好，今天学习党章。\n为人民服务 & 实事求是"
    [stored] = _subtitle_files(app)
    assert stored.read_bytes() == VTT
    assert Path(app.config["MEDIA_ROOT"], subtitle.path) == stored

    page = client.get(f"/media/videos/{video_id}").get_data(as_text=True)
    assert f'data-testid="subtitle-{subtitle.id}"' in page
    assert f'<track kind="subtitles" src="/media/videos/{video_id}/subtitles/{subtitle.id}.vtt"' in page
    assert 'srclang="zh-CN" label="中文" default>' in page


def test_a_second_file_in_the_same_language_replaces_the_first(app, client, auth, video_id):
    auth.login("trainer")
    _attach(client, video_id, VTT)
    [first_file] = _subtitle_files(app)
    _attach(client, video_id, b"WEBVTT\n\n00:00.000 --> 00:01.000\nnew words\n", label="简体中文")
    [subtitle] = _subtitles(app)
    assert (subtitle.label, subtitle.cue_text) == ("简体中文", "new words")
    assert not first_file.exists() and len(_subtitle_files(app)) == 1
    _attach(client, video_id, b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n", language="en", label="English")
    assert sorted(subtitle.language for subtitle in _subtitles(app)) == ["en", "zh-CN"]


def test_a_member_who_may_see_the_lesson_gets_the_file_as_text_vtt(app, client, auth, video_id):
    auth.login("trainer")
    _attach(client, video_id, VTT)
    [subtitle] = _subtitles(app)
    with app.app_context():
        lesson_id = _use_in_lesson(video_id)
    auth.logout()
    auth.login("member_a")
    response = client.get(f"/media/videos/{video_id}/subtitles/{subtitle.id}.vtt")
    assert response.status_code == 200
    assert response.mimetype == "text/vtt"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_data() == VTT
    response.close()

    page = client.get(f"/courses/subtitled/lessons/{lesson_id}").get_data(as_text=True)
    assert (
        f'src="/media/videos/{video_id}/subtitles/{subtitle.id}.vtt" srclang="zh-CN" label="中文" default>'
        in page
    )


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("member_a", 404),  # the only lesson using the video is in a draft course: as if it did not exist
        ("sec_a", 404),
        ("trainer", 200),
        ("admin", 200),
        (None, 302),  # signed out: sent to sign in
    ],
)
def test_the_file_is_refused_to_users_who_may_not_see_the_video(
    app, client, auth, video_id, username, status
):
    auth.login("trainer")
    _attach(client, video_id, VTT)
    [subtitle] = _subtitles(app)
    with app.app_context():
        _use_in_lesson(video_id, CourseStatus.DRAFT)
    auth.logout()
    if username:
        auth.login(username)
    response = client.get(f"/media/videos/{video_id}/subtitles/{subtitle.id}.vtt")
    response.close()
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_a_subtitle_is_only_found_under_its_own_video(app, client, auth, video_id):
    with app.app_context():
        other_id = make_ready_video(sha256="cd" * 32).id
    auth.login("trainer")
    _attach(client, video_id, VTT)
    [subtitle] = _subtitles(app)
    assert client.get(f"/media/videos/{other_id}/subtitles/{subtitle.id}.vtt").status_code == 404
    token = csrf_token(client, f"/media/videos/{other_id}")
    client.post(f"/media/videos/{other_id}/subtitles/{subtitle.id}/delete", data={"csrf_token": token})
    assert len(_subtitles(app)) == 1


@pytest.mark.parametrize("username", ["member_a", "sec_a"])
def test_only_trainers_and_admins_attach_or_delete_subtitles(app, client, auth, video_id, username):
    auth.login("trainer")
    _attach(client, video_id, VTT)
    [subtitle] = _subtitles(app)
    auth.logout()
    auth.login(username)
    token = csrf_token(client, "/")
    data = {"csrf_token": token, "language": "zh-CN", "label": "中文", "file": (io.BytesIO(VTT), "x.vtt")}
    assert client.post(f"/media/videos/{video_id}/subtitles", data=data).status_code == 403
    delete_url = f"/media/videos/{video_id}/subtitles/{subtitle.id}/delete"
    assert client.post(delete_url, data={"csrf_token": token}).status_code == 403
    assert len(_subtitles(app)) == 1


SRT = b"1\n00:00:01,000 --> 00:00:04,000\nHello\n\n2\n00:00:05,000 --> 00:00:06,000\nWorld\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (SRT, "lesson.srt", "looks like an SRT subtitle file"),
        (SRT, "lesson.vtt", "looks like an SRT subtitle file"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "lesson.vtt", "its first line must be"),
        (b"WEBVTTX\n\n00:00.000 --> 00:01.000\nHi\n", "lesson.vtt", "its first line must be"),
        (PNG, "lesson.vtt", "not UTF-8 text"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\x00there\n", "lesson.vtt", "not a text file"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\n同志们好\n".encode("gbk"), "lesson.vtt", "not UTF-8 text"),
        (b"WEBVTT\n\nNOTE nothing timed here\n", "lesson.vtt", "holds no captions"),
        (
            b"WEBVTT\n\n00:00:01 --> 00:00:04\nHi\n",
            "lesson.vtt",
            "Line 3 is not a well-formed cue timing line",
        ),
        (b"WEBVTT\n\n00:00:04.000 --> 00:00:01.000\nHi\n", "lesson.vtt", "Line 3 is not a well-formed"),
        (b"WEBVTT\n\n1\n00:00:01,000 --> 00:00:04,000\nHi\n", "lesson.vtt", "Line 4 is not a well-formed"),
        (b"WEBVTT\n00:00:01.000 --> 00:00:04.000\nHi\n", "lesson.vtt", "Line 2 is not a well-formed"),
        (b"", "lesson.vtt", "The file is empty"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\n" + b"x" * 2048 + b"\n", "lesson.vtt", "too large (at most"),
    ],
    ids=[
        "srt",
        "srt-renamed",
        "html",
        "bad-signature",
        "binary",
        "nul-byte",
        "gbk",
        "no-cues",
        "timing-without-milliseconds",
        "end-before-start",
        "srt-timing-in-vtt",
        "no-blank-after-header",
        "empty",
        "too-large",
    ],
)
def test_files_that_are_not_webvtt_are_refused_with_a_message_and_nothing_kept(
    app, client, auth, video_id, content, filename, message
):
    app.config["MEDIA_SUBTITLE_MAX_BYTES"] = 1024
    auth.login("trainer")
    _in_english(client)
    response = _attach(client, video_id, content, filename)
    assert response.status_code == 302
    page = client.get(f"/media/videos/{video_id}").get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    assert message in page
    assert _subtitles(app) == []
    assert _subtitle_files(app) == []


@pytest.mark.parametrize("language", ["chinese!", "z", "zh-CN-<script>", ""])
def test_a_language_that_is_not_a_code_is_refused(app, client, auth, video_id, language):
    auth.login("trainer")
    _in_english(client)
    _attach(client, video_id, VTT, language=language)
    assert _subtitles(app) == [] and _subtitle_files(app) == []
    assert 'class="flash flash-error"' in client.get(f"/media/videos/{video_id}").get_data(as_text=True)


def test_the_language_code_is_written_in_its_usual_case(app, client, auth, video_id):
    auth.login("trainer")
    _attach(client, video_id, VTT, language="zh_hans_cn", label="简体")
    assert [subtitle.language for subtitle in _subtitles(app)] == ["zh-Hans-CN"]


def test_the_library_search_finds_a_video_by_a_word_in_its_subtitles(app, client, auth, video_id):
    with app.app_context():
        other_id = make_ready_video(sha256="cd" * 32, original_filename="第二课.mp4").id
    auth.login("trainer")
    _attach(client, video_id, VTT)

    page = client.get("/media/videos", query_string={"q": "实事求是"}).get_data(as_text=True)
    assert f'data-testid="video-row-{video_id}"' in page
    assert f'data-testid="video-row-{other_id}"' not in page
    assert "为人民服务 &amp; 实事求是" in page  # the words around the hit

    page = client.get("/media/videos", query_string={"q": "第二课"}).get_data(as_text=True)
    assert f'data-testid="video-row-{other_id}"' in page and f'data-testid="video-row-{video_id}"' not in page
    for query in ("%", "_", "no such words"):  # LIKE wildcards are taken literally
        page = client.get("/media/videos", query_string={"q": query}).get_data(as_text=True)
        assert "video-row-" not in page and 'data-testid="no-match"' in page
    page = client.get("/media/videos", query_string={"q": "  "}).get_data(as_text=True)
    assert f'data-testid="video-row-{video_id}"' in page and f'data-testid="video-row-{other_id}"' in page


def test_deleting_subtitles_removes_the_row_and_the_file(app, client, auth, video_id):
    auth.login("trainer")
    _attach(client, video_id, VTT)
    [subtitle] = _subtitles(app)
    token = csrf_token(client, f"/media/videos/{video_id}")
    response = client.post(
        f"/media/videos/{video_id}/subtitles/{subtitle.id}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert _subtitles(app) == [] and _subtitle_files(app) == []
    assert client.get(f"/media/videos/{video_id}/subtitles/{subtitle.id}.vtt").status_code == 404
    assert (
        client.get("/media/videos", query_string={"q": "实事求是"}).get_data(as_text=True).count("video-row-")
        == 0
    )


def test_deleting_the_video_deletes_its_subtitles(app, client, auth, video_id):
    auth.login("trainer")
    _attach(client, video_id, VTT)
    token = csrf_token(client, f"/media/videos/{video_id}")
    client.post(f"/media/videos/{video_id}/delete", data={"csrf_token": token})
    assert _subtitles(app) == [] and _subtitle_files(app) == []


def test_the_parser_reads_cues_with_or_without_hours_and_with_settings():
    cues = parse_webvtt(
        b"\xef\xbb\xbfWEBVTT\r\n\r\n01:02:03.004 --> 01:02:04.000 line:0\r\nA\r\n\r\n00:05.000 --> 00:06.000\r\n"
    )
    assert [(cue.start, cue.end, cue.text) for cue in cues] == [(3723.004, 3724.0, "A"), (5.0, 6.0, "")]
    with pytest.raises(WebVTTError) as refused:
        parse_webvtt(b"WEBVTT\n\n00:00.000 --> 00:01.000\nA\n\n00:00.000 -> 00:01.000\nB\n")
    assert (refused.value.code, refused.value.line) == ("bad_timing", 6)
    assert len(parse_webvtt(b"WEBVTT\n\n00:00.000 --> 00:01.000 \nA\n")) == 1  # trailing white space is fine
