"""A live lesson in the course folder format: its start and speaker, errors, and the export round trip."""

from datetime import datetime

import pytest

from app.courses.errors import CourseFormatError
from app.courses.folder import parse_course_folder
from app.courses.importer import course_spec, export_course
from tests.factories.courses import lesson_text, write_file
from tests.factories.live import make_live_lesson


def _folder(tmp_path, **front):
    root = tmp_path / "live-format"
    write_file(root / "course.yml", "slug: live-format\ntitle: 直播格式\n")
    write_file(root / "01-m" / "module.yml", "title: 单元\n")
    write_file(root / "01-m" / "01-live.md", lesson_text("直播", "live", **front))
    return root


def test_a_start_without_a_zone_is_in_the_display_time_zone(app, tmp_path):
    with app.app_context():
        spec = parse_course_folder(_folder(tmp_path, starts='"2026-07-01 15:00"', speaker="李老师"))
    lesson = spec.modules[0].lessons[0]
    assert lesson.starts == datetime(2026, 7, 1, 7, 0)  # 15:00 in Asia/Shanghai is 07:00 UTC
    assert lesson.speaker == "李老师"


@pytest.mark.parametrize(
    ("front", "problem"),
    [
        ({"starts": "明天下午"}, "starts"),
        ({}, "starts"),
        ({"starts": '"2026-07-01 15:00"', "video": "x.mp4"}, "video"),
    ],
)
def test_a_live_lesson_needs_a_real_start_and_only_its_own_keys(app, tmp_path, front, problem):
    with app.app_context(), pytest.raises(CourseFormatError) as refused:
        parse_course_folder(_folder(tmp_path, **front))
    assert problem in str(refused.value.message) or refused.value.line is not None


def test_export_writes_back_what_import_reads(app, world, tmp_path):
    with app.app_context():
        lesson = make_live_lesson(datetime(2026, 7, 1, 7, 0), minutes=90)
        folder = export_course(lesson.course, tmp_path / "exported")
        again = parse_course_folder(folder)
        assert again == course_spec(lesson.course)
        assert "starts: 2026-07-01 15:00+08:00" in (folder / "01-live" / "01-lecture.md").read_text()
