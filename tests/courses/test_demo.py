"""`flask demo load` ships the demo course 党章学习入门, with a generated clip, required for the committee."""

from pathlib import Path

from sqlalchemy import func, select

from app.courses.models import Assignment, Course, Lesson, LessonKind
from app.demo.services import DEMO_PASSWORD
from app.extensions import db
from app.media.models import VideoStatus
from tests.web import AuthActions


def test_demo_load_imports_the_demo_course_once_and_members_can_take_it(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    clip = Path(app.config["COURSES_DIR"]) / "dangzhang-rumen" / "media" / "dangzhang-lishi.mp4"
    assert clip.stat().st_size > 1000 and clip.read_bytes()[4:8] == b"ftyp"
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "dangzhang-rumen"))
        assert course.is_published and course.owner.username == "trainer"
        assert len(course.modules) == 3
        lessons = db.session.scalars(select(Lesson).order_by(Lesson.id)).all()
        # Every kind but live (a broadcast on a date; the demo course is taken at any time).
        assert {lesson.kind for lesson in lessons} == set(LessonKind) - {LessonKind.LIVE}
        assignment = db.session.scalar(select(Assignment))
        assert assignment.required and assignment.unit.name == "示范集团党委"
        updated_at = course.updated_at
        video_lesson = next(lesson for lesson in lessons if lesson.kind is LessonKind.VIDEO)
        video_id = video_lesson.id
        # The clip went into the video library and was transcoded (jobs run at once under tests).
        assert video_lesson.video.status is VideoStatus.READY
        rendition = video_lesson.video.renditions[0]
        rendition_url = f"/media/videos/{video_lesson.video_id}/{rendition.height}p.mp4"

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    record = runner.invoke(args=["progress", "verify"])  # the demo's year of study is a sound record
    assert record.exit_code == 0, record.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 1
        assert db.session.scalar(select(func.count(Assignment.id))) == 1
        assert db.session.scalar(select(Course)).updated_at == updated_at

    client = app.test_client()
    AuthActions(client).login("member", DEMO_PASSWORD)
    catalogue = client.get("/courses/").get_data(as_text=True)
    assert 'data-testid="course-dangzhang-rumen" data-required="yes"' in catalogue
    page = client.get(f"/courses/dangzhang-rumen/lessons/{video_id}").get_data(as_text=True)
    assert rendition_url in page
    with client.get(rendition_url) as video:
        assert video.status_code == 200 and video.mimetype == "video/mp4"
