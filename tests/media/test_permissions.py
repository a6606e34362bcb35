"""Who may manage the video library and who may fetch video files."""

import io

import pytest

from app.auth.models import Role
from app.extensions import db
from app.media import services, storage, usage
from app.media.models import Subtitle, Video, VideoStatus
from tests.factories.auth import make_user
from tests.factories.media import make_ready_video
from tests.web import csrf_token


@pytest.fixture
def video_id(app, world) -> int:
    with app.app_context():
        return make_ready_video().id


def _status(client, url: str) -> int:
    response = client.get(url)
    response.close()
    return response.status_code


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("trainer", 200),
        ("admin", 200),
        ("member_a", 404),  # no published lesson uses the video: as if it did not exist
        ("sec_a", 404),
    ],
)
@pytest.mark.parametrize("path", ["360p.mp4", "poster.jpg"])
def test_media_files_are_served_only_to_users_allowed_to_see_the_video(
    client, auth, video_id, username, status, path
):
    auth.login(username)
    assert _status(client, f"/media/videos/{video_id}/{path}") == status


@pytest.mark.parametrize("path", ["360p.mp4", "poster.jpg"])
def test_signed_out_visitors_are_sent_to_sign_in(client, video_id, path):
    response = client.get(f"/media/videos/{video_id}/{path}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_member_may_watch_a_video_a_published_lesson_of_theirs_uses(client, auth, video_id, monkeypatch):
    # The courses domain answers this question; here it says yes for member_a only.
    monkeypatch.setattr(usage, "member_may_watch", lambda user, video: user.username == "member_a")
    auth.login("member_a")
    assert _status(client, f"/media/videos/{video_id}/360p.mp4") == 200
    auth.logout()
    auth.login("member_b")
    assert _status(client, f"/media/videos/{video_id}/360p.mp4") == 404


@pytest.mark.parametrize(
    ("username", "status"), [("trainer", 200), ("admin", 200), ("member_a", 403), ("sec_a", 403)]
)
def test_only_trainers_and_admins_see_the_library(client, auth, video_id, username, status):
    auth.login(username)
    assert client.get("/media/videos").status_code == status
    assert client.get(f"/media/videos/{video_id}").status_code == status
    assert client.get(f"/api/v1/videos/status?ids={video_id}").status_code == status


def test_signed_out_visitors_get_401_from_the_status_api(client, video_id):
    assert client.get(f"/api/v1/videos/status?ids={video_id}").status_code == 401


def test_members_cannot_retry_or_delete(app, client, auth, video_id):
    auth.login("member_a")
    token = csrf_token(client, "/")
    assert client.post(f"/media/videos/{video_id}/delete", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/media/videos/{video_id}/retry", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Video, video_id) is not None


def test_a_video_a_lesson_uses_cannot_be_deleted(app, client, auth, video_id, monkeypatch):
    monkeypatch.setattr(usage, "count_video_usages", lambda video: 1)
    with app.app_context(), pytest.raises(services.MediaError):
        services.delete_video(db.session.get(Video, video_id))
    auth.login("trainer")
    token = csrf_token(client, f"/media/videos/{video_id}")
    client.post(f"/media/videos/{video_id}/delete", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Video, video_id) is not None
    assert _status(client, f"/media/videos/{video_id}/360p.mp4") == 200


VTT = b"WEBVTT\n\n00:00.500 --> 00:01.500\n\xe5\x90\x8c\xe5\xbf\x97\xe4\xbb\xac\xe5\xa5\xbd\n"


def _change(client, action: str, video_id: int, subtitle_id: int):
    """Post one change to the video as a browser would; return the status."""
    token = csrf_token(client, "/")
    if action == "add subtitles":
        data = {
            "csrf_token": token,
            "language": "en",
            "label": "English",
            "file": (io.BytesIO(VTT), "en.vtt"),
        }
        url = f"/media/videos/{video_id}/subtitles"
    else:
        data = {"csrf_token": token}
        url = {
            "delete": f"/media/videos/{video_id}/delete",
            "retry": f"/media/videos/{video_id}/retry",
            "replace subtitles": f"/media/videos/{video_id}/subtitles",
            "delete subtitles": f"/media/videos/{video_id}/subtitles/{subtitle_id}/delete",
        }[action]
        if action == "replace subtitles":
            data |= {"language": "zh-CN", "label": "替换", "file": (io.BytesIO(VTT), "zh.vtt")}
    return client.post(url, data=data, content_type="multipart/form-data").status_code


def _state(video_id: int) -> tuple:
    video = db.session.get(Video, video_id)
    if video is None:
        return (None,)
    subtitles = sorted((subtitle.language, subtitle.label) for subtitle in video.subtitles)
    return video.job_token, subtitles  # a retry queues the job under a new token


@pytest.mark.parametrize(
    "action", ["delete", "retry", "add subtitles", "replace subtitles", "delete subtitles"]
)
@pytest.mark.parametrize(
    ("username", "allowed"),
    [("trainer", True), ("admin", True), ("trainer_b", False), ("member_a", False), ("sec_a", False)],
    ids=["its uploader", "an admin", "another trainer", "a member", "a secretary"],
)
def test_only_the_uploader_and_admins_change_a_video(app, client, auth, world, action, username, allowed):
    with app.app_context():
        make_user("trainer_b", (Role.TRAINER, Role.MEMBER), "乙党委")
        video = make_ready_video(status=VideoStatus.FAILED, error="timeout")  # uploaded by "trainer"
        subtitle = Subtitle(
            video=video,
            language="zh-CN",
            label="中文",
            path=f"{storage.video_dir(video.sha256)}/zh.vtt",
            size_bytes=len(VTT),
            cue_text="同志们好",
            uploaded_by=video.uploaded_by,
        )
        storage.absolute(subtitle.path).parent.mkdir(parents=True, exist_ok=True)
        storage.absolute(subtitle.path).write_bytes(VTT)
        db.session.add(subtitle)
        db.session.commit()
        video_id, subtitle_id = video.id, subtitle.id
        before = _state(video_id)
    auth.login(username)
    status = _change(client, action, video_id, subtitle_id)
    with app.app_context():
        changed = _state(video_id) != before
    assert (status != 403, changed) == (allowed, allowed)


def test_another_trainer_sees_the_video_but_no_change_buttons(app, client, auth, world, video_id):
    with app.app_context():
        make_user("trainer_b", (Role.TRAINER, Role.MEMBER), "乙党委")
    auth.login("trainer_b")
    page = client.get(f"/media/videos/{video_id}").get_data(as_text=True)
    assert 'data-testid="not-yours"' in page
    assert f"/media/videos/{video_id}/delete" not in page and 'data-testid="subtitle-form"' not in page
    auth.logout()
    auth.login("trainer")
    page = client.get(f"/media/videos/{video_id}").get_data(as_text=True)
    assert f"/media/videos/{video_id}/delete" in page and 'data-testid="subtitle-form"' in page
