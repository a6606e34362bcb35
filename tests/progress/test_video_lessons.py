"""A course folder's video becomes a library video linked to its lesson; who may watch it follows the lesson."""

from pathlib import Path

import pytest
from sqlalchemy import select

from app.courses.models import CourseStatus, Lesson
from app.extensions import db
from app.media import services as media
from app.media.models import VideoStatus
from app.media.usage import count_video_usages, member_may_watch
from app.progress.watching.heartbeats import union
from tests.factories.auth import user_named
from tests.factories.courses import import_folder, write_course_folder
from tests.factories.media import make_clip


@pytest.fixture
def imported(app, world):
    """The test course, its clip a real 2-second video, imported (and transcoded at once under tests)."""
    with app.app_context():
        root = write_course_folder(Path(app.config["COURSES_DIR"]))
        make_clip(root / "media" / "clip.mp4", 320, 240, seconds=2, audio=False)
        import_folder(root, "trainer")
        return db.session.scalar(select(Lesson).where(Lesson.key == "basics/clip")).id


def test_an_imported_video_lesson_is_linked_to_its_transcoded_video(app, client, auth, imported):
    with app.app_context():
        lesson = db.session.get(Lesson, imported)
        video = lesson.video
        assert video.status is VideoStatus.READY and video.renditions and video.poster_path
        assert count_video_usages(video) == 1
        with pytest.raises(media.MediaError):
            media.delete_video(video)
        rendition = f"/media/videos/{video.id}/{video.renditions[0].height}p.mp4"
    auth.login("member_a")
    page = client.get(f"/courses/test-course/lessons/{imported}").get_data(as_text=True)
    assert rendition in page and f"/media/videos/{video.id}/poster.jpg" in page and "data-session=" in page
    with client.get(rendition) as response:
        assert response.status_code == 200 and response.mimetype == "video/mp4"


def test_a_member_may_watch_only_videos_of_published_lessons(app, client, auth, imported):
    with app.app_context():
        lesson = db.session.get(Lesson, imported)
        assert member_may_watch(user_named("member_b"), lesson.video)
        lesson.course.status = CourseStatus.DRAFT
        db.session.commit()
        assert not member_may_watch(user_named("member_b"), lesson.video)
        rendition = f"/media/videos/{lesson.video_id}/{lesson.video.renditions[0].height}p.mp4"
    auth.login("member_b")
    assert client.get(rendition).status_code == 404


def test_a_lesson_whose_video_is_still_being_prepared_says_so(app, client, auth, imported):
    with app.app_context():
        lesson = db.session.get(Lesson, imported)
        lesson.video.status = VideoStatus.PROCESSING
        db.session.commit()
    auth.login("member_a")
    page = client.get(f"/courses/test-course/lessons/{imported}").get_data(as_text=True)
    assert 'data-testid="video-preparing"' in page and "<video" not in page


def test_reimporting_an_unchanged_course_keeps_the_same_video(app, imported):
    with app.app_context():
        video_id = db.session.get(Lesson, imported).video_id
        import_folder(Path(app.config["COURSES_DIR"]) / "test-course", "trainer")
        assert db.session.get(Lesson, imported).video_id == video_id


def test_intervals_merge_into_their_union():
    assert union([[0, 10], [20, 30]], 5, 25) == [[0, 30]]
    assert union([[0, 10]], 10, 12) == [[0, 12]]
    assert union([[0, 10]], 15, 15) == [[0, 10]]
    assert union([], 3, 4) == [[3, 4]]
