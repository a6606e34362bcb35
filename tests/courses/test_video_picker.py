"""A trainer makes a video lesson in the browser by picking a video from the video library."""

import hashlib

import pytest
from sqlalchemy import select

from app.courses import importer
from app.courses.models import Lesson, LessonKind
from app.extensions import db
from app.media.models import VideoStatus
from tests.courses.test_authoring import course_named, post
from tests.factories.courses import make_course, text_lessons
from tests.factories.media import add_clip, make_clip


@pytest.fixture
def library_video(app, world, tmp_path):
    """A real clip uploaded to the video library and transcoded (jobs run at once in tests)."""
    with app.app_context():
        video = add_clip(make_clip(tmp_path / "讲座.mp4", 320, 240, seconds=1.0))
        assert video.status is VideoStatus.READY
        return {"id": video.id, "sha256": video.sha256}


@pytest.fixture
def draft(app, world):
    with app.app_context():
        course = make_course("picker", "选视频的课", lessons=text_lessons(2))
        return {"course": course.id, "module": course.modules[0].id}


def new_video_lesson(client, module_id: int, video_id: str):
    page = f"/authoring/modules/{module_id}/lessons/new"
    return post(
        client, page, {"title": "观看讲座", "kind": "video", "minutes": "5", "video_id": video_id}, page=page
    )


def test_the_lesson_form_offers_the_library_s_videos(client, auth, draft, library_video):
    auth.login("trainer")
    page = client.get(f"/authoring/modules/{draft['module']}/lessons/new").get_data(as_text=True)
    assert f'<option value="{library_video["id"]}">讲座.mp4 · ' in page


def test_a_picked_video_makes_a_video_lesson_that_members_can_watch(app, client, auth, draft, library_video):
    auth.login("trainer")
    assert new_video_lesson(client, draft["module"], str(library_video["id"])).status_code == 302
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == "观看讲座"))
        assert lesson.kind is LessonKind.VIDEO and lesson.video_id == library_video["id"]
        assert lesson.video_path == f"media/library-{library_video['sha256'][:16]}.mp4"
        lesson_id = lesson.id
    auth.logout()
    auth.login("member_a")
    page = client.get(f"/courses/picker/lessons/{lesson_id}").get_data(as_text=True)
    assert f"/media/videos/{library_video['id']}/" in page


@pytest.mark.parametrize("video_id", ["", "99999"])
def test_a_video_lesson_without_a_usable_video_is_refused_and_nothing_is_saved(
    app, client, auth, draft, library_video, video_id
):
    auth.login("trainer")
    response = new_video_lesson(client, draft["module"], video_id)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "视频库" in text
    with app.app_context():
        assert db.session.scalar(select(Lesson).where(Lesson.title == "观看讲座")) is None


def test_a_failed_video_cannot_be_picked(app, client, auth, draft, library_video):
    with app.app_context():
        from app.media.models import Video

        db.session.get(Video, library_video["id"]).status = VideoStatus.FAILED
        db.session.commit()
    auth.login("trainer")
    assert new_video_lesson(client, draft["module"], str(library_video["id"])).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Lesson).where(Lesson.title == "观看讲座")) is None


def test_export_writes_the_picked_video_and_importing_it_back_changes_nothing(
    app, client, auth, draft, library_video, tmp_path
):
    auth.login("trainer")
    new_video_lesson(client, draft["module"], str(library_video["id"]))
    with app.app_context():
        folder = importer.export_course(course_named("picker"), tmp_path)
        exported = folder / f"media/library-{library_video['sha256'][:16]}.mp4"
        assert hashlib.sha256(exported.read_bytes()).hexdigest() == library_video["sha256"]
        result = importer.import_course(folder)
        assert not result.changed
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == "观看讲座"))
        assert lesson.video_id == library_video["id"]
