"""The index is a rebuildable copy: updated on edit and delete, swapped atomically, rebuilt when lost."""

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from app.library import index, services
from tests.factories.library import make_document


def found_ids(text: str) -> list[int]:
    return [hit.document_id for hit in index.search(text).hits]


def index_root(app) -> Path:
    return Path(app.config["SEARCH_INDEX_DIR"])


def test_an_edit_updates_the_index_at_once(app):
    with app.app_context():
        document = make_document("旧标题", "## 一\n\n正文内容。")
        assert found_ids("旧标题") == [document.id]
        changes = services.DocumentChanges(
            title="新标题", author="", date=date(2020, 1, 1), source="", tags="廉政",
            collection_name="党章党规", key=document.key,
        )  # fmt: skip
        services.update_metadata(document, changes)
        assert found_ids("旧标题") == []
        assert found_ids("新标题") == [document.id]
        assert [hit.document_id for hit in index.search("新标题", year=2020).hits] == [document.id]
        assert [hit.document_id for hit in index.search("廉政").hits] == [document.id]


def test_a_delete_removes_the_document_from_the_index(app):
    with app.app_context():
        kept = make_document("保留的笔记", "## 一\n\n党的建设。").id
        deleted = make_document("删除的笔记", "## 一\n\n党的建设。")
        deleted_id = deleted.id
        assert sorted(found_ids("党的建设")) == sorted([kept, deleted_id])
        services.delete_document(deleted)
        assert found_ids("党的建设") == [kept]
        assert index.search("党的建设").total == 1


def test_reimporting_a_changed_file_replaces_its_sections_in_the_index(app):
    with app.app_context():
        first = make_document("笔记", "## 一\n\n旧的内容写到组织生活。", filename="note.md")
        second = make_document("笔记", "## 一\n\n新的内容写到主题教育。", filename="note.md")
        assert first.id == second.id
        assert found_ids("组织生活") == []
        assert found_ids("主题教育") == [first.id]


def test_the_searcher_is_kept_and_refreshed_after_a_commit(app):
    with app.app_context():
        make_document("第一篇", "## 一\n\n学习党史。")
        library = index.library_index()
        with library.searcher() as first:
            pass
        with library.searcher() as again:
            assert again is first  # one long-lived searcher, not one per request
        make_document("第二篇", "## 一\n\n学习党史。")
        with library.searcher() as refreshed:
            assert refreshed is not first
        assert len(found_ids("党史")) == 2


def test_segments_are_not_compound(app):
    with app.app_context():
        make_document("笔记", "## 一\n\n学习。")
        generation = index_root(app) / "current"
        assert not list(generation.glob("*.seg"))
        assert list(generation.glob("*.trm"))


class SimulatedCrash(Exception):
    pass


def test_a_rebuild_that_crashes_midway_leaves_the_old_index_answering(app, monkeypatch):
    with app.app_context():
        documents = [make_document(f"笔记{number}", "## 一\n\n学习党章。").id for number in range(3)]
        before = os.readlink(index_root(app) / "current")

        def crash(done):
            raise SimulatedCrash

        monkeypatch.setattr(index.building, "_after_batch", crash)
        with pytest.raises(SimulatedCrash):
            index.rebuild(batch_size=1)
        assert os.readlink(index_root(app) / "current") == before
        assert sorted(found_ids("党章")) == sorted(documents)

        monkeypatch.undo()
        assert index.rebuild() == 3
        assert os.readlink(index_root(app) / "current") != before
        assert sorted(found_ids("党章")) == sorted(documents)
        assert not list(index_root(app).glob("*.building"))  # the crashed build was cleaned up


def test_a_swap_cut_off_between_its_two_steps_leaves_a_link_the_next_rebuild_removes(app):
    with app.app_context():
        document = make_document("笔记", "## 一\n\n学习党章。").id
        current = os.readlink(index_root(app) / "current")
        os.symlink(current, index_root(app) / ".current-deadbeef")  # a reindex killed mid-swap
        assert found_ids("党章") == [document]  # readers follow "current" only
        index.rebuild()
        assert not list(index_root(app).glob(".current-*"))
        assert found_ids("党章") == [document]


def found_through_the_service(text: str) -> list[int]:
    return [result.document_id for result in services.search_library(text).results]


def test_a_lost_index_is_rebuilt_by_the_job_the_next_search_queues(app):
    with app.app_context():
        document = make_document("笔记", "## 一\n\n学习党章。")
        index.close_all()
        shutil.rmtree(index_root(app))
        with pytest.raises(index.IndexUnavailable):
            found_ids("党章")  # the searcher never rebuilds
        assert found_through_the_service("党章") == [document.id]  # immediate mode: the job ran


def test_a_corrupt_index_is_detected_and_rebuilt_by_the_job(app):
    with app.app_context():
        document = make_document("笔记", "## 一\n\n学习党章。")
        index.close_all()
        generation = index_root(app) / "current"
        for toc in generation.glob("*.toc"):
            toc.write_bytes(b"garbage")
        assert found_through_the_service("党章") == [document.id]
        assert index.ensure_index() is False  # healthy again


def test_the_reindex_command_swaps_in_a_new_generation(app, runner):
    with app.app_context():
        make_document("笔记", "## 一\n\n学习党章。")
        before = os.readlink(index_root(app) / "current")
    result = runner.invoke(args=["library", "reindex"])
    assert result.exit_code == 0, result.output
    assert "1 sections" in result.output
    with app.app_context():
        assert os.readlink(index_root(app) / "current") != before
        assert len(found_ids("党章")) == 1
