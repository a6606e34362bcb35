"""The library's pictures and videos: browsing by collection and topic, search by caption and
subtitles, trainers managing them, members seeing published ones only."""

import io

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.library.models import Resource
from app.media.models import Subtitle, Video
from app.media.subtitles import add_subtitle, delete_subtitle
from tests.factories.library import make_resource, picture_bytes
from tests.web import csrf_token


def test_members_browse_resources_by_collection_and_topic(app, world, client, auth):
    with app.app_context():
        make_resource("image", title="一大会址", topic="红色教育基地", collection="图片资料")
        make_resource("video", title="红船精神", topic="党史学习教育")
        make_resource("image", title="草稿图片", published=False)
    auth.login("member_a")
    page = client.get("/library/resources/").get_data(as_text=True)
    assert "一大会址" in page and "红船精神" in page
    assert "草稿图片" not in page  # unpublished: members never see it
    by_topic = client.get("/library/resources/", query_string={"topic": "红色教育基地"}).get_data(
        as_text=True
    )
    assert "一大会址" in by_topic and "红船精神" not in by_topic
    videos = client.get("/library/resources/", query_string={"kind": "video"}).get_data(as_text=True)
    assert "红船精神" in videos and "一大会址" not in videos


def test_search_finds_a_resource_by_its_caption_and_its_video_subtitles(app, world, client, auth):
    vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\n不忘初心牢记使命\n".encode()
    with app.app_context():
        video_resource = make_resource("video", title="视频一", caption="讲述南湖红船。")
        make_resource("image", title="图片二", caption="井冈山的山路。")
        video_id = video_resource.video_id
    auth.login("member_a")
    by_caption = client.get("/library/resources/", query_string={"q": "井冈山"}).get_data(as_text=True)
    assert "图片二" in by_caption and "视频一" not in by_caption

    # Subtitles added to the video afterwards reach the resource's search entry by themselves.
    with app.app_context():
        subtitle_id = add_subtitle(db.session.get(Video, video_id), vtt, "zh-CN", "中文", None)[0].id
    by_subtitle = client.get("/library/resources/", query_string={"q": "牢记使命"}).get_data(as_text=True)
    assert "视频一" in by_subtitle and "图片二" not in by_subtitle

    # ...and leave it when they are removed.
    with app.app_context():
        delete_subtitle(db.session.get(Subtitle, subtitle_id))
    gone = client.get("/library/resources/", query_string={"q": "牢记使命"}).get_data(as_text=True)
    assert "视频一" not in gone


def test_a_trainer_uploads_a_picture_which_is_reencoded_without_its_metadata(app, world, client, auth):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    data = picture_bytes(fmt="JPEG", exif=exif.tobytes())
    assert b"SecretCamera" in data
    auth.login("trainer")
    token = csrf_token(client, "/library/resources/new")
    response = client.post(
        "/library/resources/new",
        data={
            "csrf_token": token,
            "kind": "image",
            "title": "支部活动照片",
            "caption": "主题党日合影",
            "topic": "主题党日",
            "collection": "图片资料",
            "published": "y",
            "video_id": "0",
            "image": (io.BytesIO(data), "photo.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        resource = db.session.scalar(select(Resource))
        assert resource.title == "支部活动照片"
        assert (
            db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "resource"))
            == "resource.create"
        )
        resource_id = resource.id
    with client.get(f"/library/resources/{resource_id}/image") as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        body = served.data
    assert b"SecretCamera" not in body
    assert Image.open(io.BytesIO(body)).getexif().get(0x010F) is None


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_kept(app, world, client, auth):
    auth.login("trainer")
    token = csrf_token(client, "/library/resources/new")
    response = client.post(
        "/library/resources/new",
        data={
            "csrf_token": token,
            "kind": "image",
            "title": "伪装的脚本",
            "collection": "图片资料",
            "video_id": "0",
            "image": (io.BytesIO(b"<svg onload=alert(1)>" + b"\x89PNG" * 10), "x.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "PNG" in response.get_data(as_text=True)  # the message names what is accepted
    with app.app_context():
        assert db.session.scalar(select(Resource)) is None


def test_members_cannot_manage_resources(app, world, client, auth):
    with app.app_context():
        resource_id = make_resource("image").id
    auth.login("member_a")
    assert client.get("/library/resources/new").status_code == 403
    assert client.get(f"/library/resources/{resource_id}/edit").status_code == 403


def test_a_member_may_stream_the_video_of_a_published_resource_only(app, world, client, auth):
    with app.app_context():
        shown = make_resource("video")
        hidden = make_resource("video", published=False, video=None)
        shown_video, hidden_video = shown.video_id, hidden.video_id
    auth.login("member_a")
    with client.get(f"/media/videos/{shown_video}/360p.mp4") as shown_response:
        assert shown_response.status_code == 200
    assert client.get(f"/media/videos/{hidden_video}/360p.mp4").status_code == 404


def test_reindex_rebuilds_the_resources_index_too(app, world, client, auth, runner):
    import shutil

    from app.library import index

    with app.app_context():
        make_resource("image", title="延安宝塔", caption="宝塔山下。")
        shutil.rmtree(index.resource_index().root)
        index.close_all()
    result = runner.invoke(args=["library", "reindex", "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert "resources index rebuilt: 1 pictures and videos" in result.output
    auth.login("member_a")
    assert "延安宝塔" in client.get("/library/resources/", query_string={"q": "宝塔山"}).get_data(
        as_text=True
    )
