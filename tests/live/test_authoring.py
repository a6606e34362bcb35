"""A trainer schedules a live lesson in the browser editor (the folder format's fields, by form)."""

from datetime import datetime

from sqlalchemy import select

from app.courses.models import Lesson, LessonKind
from app.extensions import db
from tests.factories.courses import make_course, text_lessons
from tests.web import csrf_token


def test_a_trainer_schedules_a_live_lesson_in_the_editor(app, world, client, auth):
    with app.app_context():
        module_id = make_course("live-authored", "直播课程", lessons=text_lessons(1)).modules[0].id
    auth.login("trainer")
    page = f"/authoring/modules/{module_id}/lessons/new"
    fields = {"title": "七一专题直播", "kind": "live", "minutes": "90", "live_speaker": "张教授"}
    missing = client.post(page, data={"csrf_token": csrf_token(client, page), **fields})
    assert missing.status_code == 200  # no start: refused at the field, nothing saved
    saved = client.post(
        page, data={"csrf_token": csrf_token(client, page), **fields, "live_starts": "2026-07-01T15:00"}
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.kind == LessonKind.LIVE))
        assert lesson.live_starts_at == datetime(2026, 7, 1, 7, 0)  # 15:00 in Shanghai
        assert lesson.live_speaker == "张教授" and lesson.estimated_minutes == 90
        lesson_id = lesson.id
    form = client.get(f"/authoring/lessons/{lesson_id}/edit").get_data(as_text=True)
    assert 'value="2026-07-01T15:00"' in form
