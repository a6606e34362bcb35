"""The trainers' library pages: the list with live state, the preview, the status JSON, deleting."""

from pathlib import Path

from sqlalchemy import update

from app.extensions import db
from app.media.models import Video, VideoStatus
from tests.factories.media import make_ready_video, upload
from tests.web import csrf_token


def test_the_library_lists_each_video_with_its_state(app, world, client, auth):
    with app.app_context():
        ready = make_ready_video()
        queued = make_ready_video(sha256="cd" * 32, original_filename="第二课.mp4")
        db.session.execute(
            update(Video).where(Video.id == queued.id).values(status=VideoStatus.PROCESSING, progress=42)
        )
        db.session.commit()
        ready_id, queued_id = ready.id, queued.id
    auth.login("trainer")
    page = client.get("/media/videos").get_data(as_text=True)
    assert f'data-testid="video-row-{ready_id}"' in page and "第二课.mp4" in page
    assert f'data-video-id="{queued_id}" data-status="processing"' in page
    assert 'value="42"' in page
    assert "js/media.js" in page


def test_the_status_endpoint_reports_state_progress_and_renditions(app, world, client, auth):
    with app.app_context():
        ready = make_ready_video()
        failed = make_ready_video(sha256="cd" * 32)
        db.session.execute(
            update(Video).where(Video.id == failed.id).values(status=VideoStatus.FAILED, error="timeout")
        )
        db.session.commit()
        ready_id, failed_id = ready.id, failed.id
    auth.login("trainer")
    payload = client.get(f"/api/v1/videos/status?ids={ready_id},{failed_id},999").get_json()
    by_id = {video["id"]: video for video in payload["videos"]}
    assert set(by_id) == {ready_id, failed_id}
    assert by_id[ready_id] == {
        "id": ready_id,
        "status": "ready",
        "progress": 100,
        "error": None,
        "duration": 2.0,
        "renditions": ["360p"],
    }
    assert by_id[failed_id]["status"] == "failed" and by_id[failed_id]["error"]
    assert client.get("/api/v1/videos/status?ids=1,x").status_code == 400


def test_a_ready_video_is_previewed_in_a_plain_video_element(app, world, client, auth, clips):
    auth.login("trainer")
    response = upload(client, clips["360p"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="video-preview"' in page
    assert "<video" in page and "360p.mp4" in page and "poster.jpg" in page
    assert "/retry" not in page


def test_deleting_a_video_removes_its_files(app, world, client, auth, clips):
    auth.login("trainer")
    location = upload(client, clips["240p"]).headers["Location"]
    video_id = int(location.rsplit("/", 1)[1])
    folder = next(Path(app.config["MEDIA_ROOT"], "videos").glob("*/*"))
    assert (folder / "240p.mp4").is_file()
    token = csrf_token(client, location)
    response = client.post(f"/media/videos/{video_id}/delete", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/media/videos")
    with app.app_context():
        assert db.session.get(Video, video_id) is None
    assert not folder.exists()
