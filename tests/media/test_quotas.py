"""Per-account upload quotas: files per hour, bytes per day, queued transcodes (issue 21, item 3)."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.library.models import Document
from app.media.models import UploadRecord, Video, VideoStatus
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.media import multipart_body, upload
from tests.web import AuthActions, csrf_token

NOT_A_VIDEO = b"this is a text file, not a video\n" * 10  # refused by ffprobe, quickly: still counted


@pytest.fixture
def app_config() -> dict:
    return {
        "UPLOAD_MAX_PER_HOUR": 3,
        "UPLOAD_MAX_BYTES_PER_DAY": 100_000,
        "TRANSCODE_MAX_QUEUED_PER_ACCOUNT": 2,
    }


def post_video(client, content: bytes, token: str):
    body, content_type = multipart_body(token, "clip.mp4", content)
    return client.post("/media/videos", data=body, content_type=content_type)


def post_document(client, token: str, text: str = "支部学习制度\n\n第一条 每月开展一次集中学习。\n"):
    return client.post(
        "/library/upload",
        data={
            "csrf_token": token,
            "collection": "学习资料",
            "document": (io.BytesIO(text.encode()), "制度.txt"),
        },
        content_type="multipart/form-data",
    )


def videos(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Video.id)))


def test_video_uploads_past_the_hourly_count_get_429_with_a_clear_message(app, world, client, auth):
    auth.login("trainer")
    token = csrf_token(client, "/media/videos")
    for _ in range(3):
        assert post_video(client, NOT_A_VIDEO, token).status_code == 302  # refused as a video, but sent
    refused = post_video(client, NOT_A_VIDEO, token)
    assert refused.status_code == 429
    assert "最近一小时内已上传 3 个文件" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(UploadRecord.id))) == 3  # the refused one is not counted
    # Another trainer's quota is their own.
    other = app.test_client()
    AuthActions(other).login("admin")
    assert post_video(other, NOT_A_VIDEO, csrf_token(other, "/media/videos")).status_code == 302


def test_the_hourly_count_is_a_rolling_hour(app, world, client, auth):
    with app.app_context():
        trainer_id = user_named("trainer").id
        an_hour_ago = utcnow() - timedelta(minutes=61)
        db.session.add_all(
            UploadRecord(user_id=trainer_id, kind="video", size_bytes=1, created_at=an_hour_ago)
            for _ in range(3)
        )
        db.session.commit()
    auth.login("trainer")
    assert post_video(client, NOT_A_VIDEO, csrf_token(client, "/media/videos")).status_code == 302


def test_a_video_upload_past_the_daily_bytes_is_refused_before_it_is_read(app, world, client, auth):
    auth.login("trainer")
    token = csrf_token(client, "/media/videos")
    assert post_video(client, b"x" * 60_000, token).status_code == 302
    refused = post_video(client, b"x" * 60_000, token)  # 120 kB > 100 kB in 24 hours
    assert refused.status_code == 429
    assert "24 小时" in refused.get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "uploaded in 24 hours" in post_video(client, b"x" * 60_000, token).get_data(as_text=True)


def test_queued_transcodes_are_capped_per_account(app, world, client, auth, clips):
    app.config["UPLOAD_MAX_BYTES_PER_DAY"] = 0  # off: the clips are larger than this module's 100 kB
    with app.app_context():
        trainer = user_named("trainer")
        for number in range(2):
            db.session.add(
                Video(
                    sha256=f"{number:064d}",
                    original_filename="waiting.mp4",
                    source_path="videos/x/original.mp4",
                    source_format="mp4",
                    size_bytes=1,
                    status=VideoStatus.QUEUED,
                    uploaded_by=trainer,
                )
            )
        db.session.commit()
    auth.login("trainer")
    refused = upload(client, clips["360p"])
    assert refused.status_code == 429
    assert "仍在等待转码" in refused.get_data(as_text=True)
    assert videos(app) == 2
    with app.app_context():  # one finishes: the next upload is taken and transcoded
        db.session.execute(Video.__table__.update().where(Video.sha256 == f"{0:064d}").values(status="ready"))
        db.session.commit()
    assert upload(client, clips["360p"]).status_code == 302
    assert videos(app) == 3


def test_library_uploads_past_the_hourly_count_get_429(app, world, client, auth):
    auth.login("trainer")
    token = csrf_token(client, "/library/upload")
    for number in range(3):
        assert post_document(client, token, f"文件{number}\n\n第一条 内容{number}。\n").status_code in (
            200,
            302,
        )
    refused = post_document(client, token, "第四个文件\n\n第一条 内容。\n")
    assert refused.status_code == 429
    assert "最近一小时内已上传 3 个文件" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) <= 3
