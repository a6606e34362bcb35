"""`flask demo load` brings the library's own study notes, once (the note the demo course's reading
lesson reads comes with that course: courses/dangzhang-rumen/library/)."""

from sqlalchemy import func, select

from app.extensions import db
from app.library import services
from app.library.demo import load_demo_library
from app.library.models import Document


def test_the_demo_notes_load_once_and_are_searchable(app):
    with app.app_context():
        first = load_demo_library()
        assert first.refused == [] and len(first.changed_ids) == 2
        again = load_demo_library()
        assert again.changed_ids == []
        assert db.session.scalar(select(func.count(Document.id))) == 2
        assert services.search_library("民主集中制").results[0].title == "民主集中制学习笔记"
        rules = services.search_library("党小组会").results[0]
        assert (rules.title, rules.section_heading) == ("三会一课制度简明读本", "第一章 基本内容")
