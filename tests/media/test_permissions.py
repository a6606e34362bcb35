"""Who may manage the video library and who may fetch video files."""

import pytest

from app.extensions import db
from app.media import services, usage
from app.media.models import Video
from tests.conftest import csrf_token
from tests.media.conftest import make_ready_video


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
