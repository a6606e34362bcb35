"""The real corpus (../shared/corpus): 360 files import, and defined terms find their defining document.

Skipped with a message when the corpus folder is absent (it lives beside the project, not in it).
"""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.library import services
from app.library.models import Document
from tests.factories.library import CORPUS

pytestmark = pytest.mark.skipif(
    not (CORPUS / "party-constitution").is_dir() or not (CORPUS / "prc-laws").is_dir(),
    reason=f"the shared corpus is not at {CORPUS}: see its README for the 360 documents these tests use",
)


def top(text: str) -> tuple[str, str]:
    found = services.search_library(text)
    assert found.results, f"nothing found for {text}"
    return found.results[0].title, found.results[0].section_heading


@pytest.mark.slow
def test_the_whole_corpus_imports_and_terms_rank_their_defining_document_first(app):
    with app.app_context():
        report = services.import_paths(
            [CORPUS / "party-constitution", CORPUS / "prc-laws"], "党章党规和法律法规"
        )
        assert len(report.outcomes) == 360
        assert report.refused == []
        # Three laws are filed under two branches with identical text: they are one document each.
        duplicates = [outcome for outcome in report.outcomes if outcome.status == "unchanged"]
        assert len(duplicates) == 3
        assert db.session.scalar(select(func.count(Document.id))) == 357

        assert top("民主集中制")[0] == "中国共产党章程"
        assert "<mark>民主集中制</mark>" in services.search_library("民主集中制").results[0].snippet
        assert top("入党宣誓") == ("中国共产党章程", "第一章 党员")
        title, heading = top("监察委员会")
        assert title == "中华人民共和国监察法" and heading == "第二章 监察机关及其职责"
        assert top("democratic centralism")[0] == "中国共产党章程"
        assert top('"democratic centralism"')[0] == "中国共产党章程"

        again = services.import_paths([CORPUS / "party-constitution"], "党章党规和法律法规")
        assert [outcome.status for outcome in again.outcomes] == ["unchanged"]


def test_a_partial_term_finds_the_party_constitution(app):
    with app.app_context():
        services.import_paths([CORPUS / "party-constitution"], "党章党规")
        found = services.search_library("民主集中")  # jieba indexes 民主集中制 as one word
        assert found.total == 1 and found.results[0].title == "中国共产党章程"
        assert "<mark>民主集中</mark>制" in found.results[0].snippet
        assert top("民主集中 组织原则")[0] == "中国共产党章程"
