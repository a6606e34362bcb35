"""The search index is updated by a background job after the database commit, and never stays stale.

In huey's immediate mode (the default under TESTING) the job runs inside the request, so pages and
the CLI make a change findable at once. With a real queue a change waits, marked pending, until the
job runs; a mark left by a crash or a lost queue entry is queued again when the worker starts.
"""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.auth.models import Role
from app.extensions import db
from app.jobs import huey, run_startup_hooks
from app.library import index, jobs, services
from app.library.models import Document, IndexPending
from app.timeutil import utcnow
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.library.conftest import make_document

NOTE = "# 支部工作笔记\n\n## 三会一课\n\n按时召开支部党员大会。\n"


def found_ids(text: str) -> list[int]:
    """What the index itself answers (services.search_library would hide deleted documents)."""
    return [hit.document_id for hit in index.search(text).hits]


def pending() -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(IndexPending.document_id).order_by(IndexPending.document_id)))


def changes_of(document: Document, **values) -> services.DocumentChanges:
    fields = {
        "title": document.title,
        "author": document.author,
        "date": document.date,
        "source": document.source,
        "tags": document.tags,
        "collection_name": document.collection.name,
        "key": document.key,
    }
    return services.DocumentChanges(**{**fields, **values})


# --- immediate mode: the job runs inside the request ------------------------------------------


def test_pages_make_changes_findable_and_unfindable_at_once(app, client, auth):
    with app.app_context():
        make_user("trainer", (Role.TRAINER, Role.MEMBER))
    auth.login("trainer")
    token = csrf_token(client, "/library/upload")
    response = client.post(
        "/library/upload",
        data={
            "csrf_token": token,
            "collection": "学习资料",
            "document": (io.BytesIO(NOTE.encode()), "笔记.md"),
        },
        content_type="multipart/form-data",
    )
    document_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert found_ids("三会一课") == [document_id]
        assert pending() == []

    form = {
        "csrf_token": token, "title": "组织生活手册", "author": "", "date": "", "source": "",
        "tags": "", "collection": "学习资料", "key": "zuzhi-shenghuo",
    }  # fmt: skip
    assert client.post(f"/library/documents/{document_id}/edit", data=form).status_code == 302
    with app.app_context():
        assert found_ids("组织生活手册") == [document_id]
        assert pending() == []

    assert (
        client.post(f"/library/documents/{document_id}/delete", data={"csrf_token": token}).status_code == 302
    )
    with app.app_context():
        assert found_ids("三会一课") == [] and found_ids("组织生活手册") == []
        assert pending() == []


def test_flask_library_add_makes_documents_findable_at_once(app, runner, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for number in range(3):
        (folder / f"第{number}篇.md").write_text(
            f"# 第{number}篇\n\n民主集中制第{number}讲。\n", encoding="utf-8"
        )
    result = runner.invoke(args=["library", "add", str(folder), "--collection", "学习资料"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert len(found_ids("民主集中制")) == 3
        assert pending() == []


def test_a_queue_that_cannot_be_reached_loses_nothing(app, monkeypatch):
    def unreachable(document_ids):
        raise ConnectionError("redis is down")

    with app.app_context():
        index.rebuild()
        monkeypatch.setattr(jobs, "update_index", unreachable)
        document = make_document("支部工作笔记", NOTE)  # the upload itself succeeds
        monkeypatch.undo()
        assert pending() == [document.id] and found_ids("三会一课") == []
        assert services.requeue_pending_index_updates() == 1
        assert found_ids("三会一课") == [document.id] and pending() == []


# --- a real queue: changes wait for the worker ------------------------------------------------


class TestQueued:
    @pytest.fixture
    def app_config(self, tmp_path):
        return {"HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3")}

    @staticmethod
    def run_queue() -> int:
        done = 0
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            done += 1
        return done

    def test_a_change_is_queued_and_found_once_the_job_has_run(self, app):
        assert not huey.immediate
        with app.app_context():
            index.rebuild()  # an index exists (a missing one would be rebuilt with everything)
            document = make_document("支部工作笔记", NOTE)
            assert huey.pending_count() == 1
            assert pending() == [document.id]
            assert found_ids("三会一课") == []  # queued, not indexed

            assert self.run_queue() == 1
            assert found_ids("三会一课") == [document.id]
            assert pending() == []

            services.update_metadata(document, changes_of(document, title="组织生活手册"))
            assert found_ids("组织生活手册") == [] and pending() == [document.id]
            self.run_queue()
            assert found_ids("组织生活手册") == [document.id] and pending() == []

            services.delete_document(document)
            assert found_ids("三会一课") == [document.id] and pending() == [document.id]
            self.run_queue()
            assert found_ids("三会一课") == [] and pending() == []

    def test_many_documents_are_queued_in_batches(self, app, runner, tmp_path, monkeypatch):
        monkeypatch.setattr(services, "INDEX_BATCH", 2)
        folder = tmp_path / "docs"
        folder.mkdir()
        for number in range(5):
            (folder / f"{number}.md").write_text(
                f"# 第{number}篇\n\n三会一课第{number}讲。\n", encoding="utf-8"
            )
        with app.app_context():
            index.rebuild()
            assert (
                runner.invoke(args=["library", "add", str(folder), "--collection", "学习资料"]).exit_code == 0
            )
            assert huey.pending_count() == 3
            assert found_ids("三会一课") == []
            self.run_queue()
            assert len(found_ids("三会一课")) == 5 and pending() == []

    def test_a_change_made_while_the_job_runs_keeps_its_mark(self, app, monkeypatch):
        with app.app_context():
            index.rebuild()
            document = make_document("支部工作笔记", NOTE)
            task = huey.dequeue()
            real_update = index.update_documents

            def edited_meanwhile(document_ids, target=None):
                real_update(document_ids, target)  # indexes the first title
                services.update_metadata(
                    db.session.get(Document, document.id), changes_of(document, title="新标题")
                )

            monkeypatch.setattr(index, "update_documents", edited_meanwhile)
            huey.execute(task)
            monkeypatch.undo()
            assert pending() == [document.id]  # the newer edit is still to be indexed
            assert found_ids("新标题") == []
            self.run_queue()
            assert found_ids("新标题") == [document.id] and pending() == []

    def test_work_lost_in_a_crash_is_queued_again_when_the_worker_starts(self, app):
        with app.app_context():
            kept = make_document("保留的文件", "# 保留的文件\n\n三会一课制度。\n")
            gone = make_document("删除的文件", "# 删除的文件\n\n三会一课记录。\n")
            self.run_queue()
            assert sorted(found_ids("三会一课")) == sorted([kept.id, gone.id])

            services.update_metadata(kept, changes_of(kept, title="组织生活手册"))
            services.delete_document(db.session.get(Document, gone.id))
            huey.flush()  # the worker crashed: its queue entries are lost, the marks are not
            assert huey.pending_count() == 0 and pending() == sorted([kept.id, gone.id])

            run_startup_hooks()
            assert huey.pending_count() >= 1
            self.run_queue()
            assert found_ids("组织生活手册") == [kept.id]
            assert found_ids("三会一课") == [kept.id]
            assert pending() == []

    def test_the_periodic_sweep_requeues_only_marks_left_too_long(self, app):
        with app.app_context():
            index.rebuild()
            old = make_document("旧的文件", "# 旧的文件\n\n三会一课。\n")
            new = make_document("新的文件", "# 新的文件\n\n三会一课。\n")
            huey.flush()
            db.session.execute(
                update(IndexPending)
                .where(IndexPending.document_id == old.id)
                .values(queued_at=utcnow() - timedelta(hours=1))
            )
            db.session.commit()
            assert jobs.requeue_stale_index_updates.call_local() == 1
            self.run_queue()
            assert found_ids("三会一课") == [old.id] and pending() == [new.id]


# --- recovering without the worker ------------------------------------------------------------


def test_a_crash_mark_left_in_immediate_mode_is_indexed_by_the_worker_start(app, monkeypatch):
    with app.app_context():
        index.rebuild()
        monkeypatch.setattr(jobs, "update_index", lambda document_ids: None)  # the process died
        document = make_document("支部工作笔记", NOTE)
        monkeypatch.undo()
        assert pending() == [document.id] and found_ids("三会一课") == []
        run_startup_hooks()
        assert found_ids("三会一课") == [document.id] and pending() == []


def test_ensure_index_rebuilds_a_lost_index_and_clears_what_was_pending(app, monkeypatch):
    with app.app_context():
        document = make_document("支部工作笔记", NOTE)
        monkeypatch.setattr(jobs, "update_index", lambda document_ids: None)
        services.update_metadata(document, changes_of(document, title="组织生活手册"))
        monkeypatch.undo()
        index.close_all()
        generation = index.library_index().current_generation()
        (index.library_index().root / index.CURRENT).unlink()  # the index is lost
        assert services.ensure_index() is True
        assert index.library_index().current_generation() != generation
        assert found_ids("组织生活手册") == [document.id] and pending() == []


def test_reindex_clears_the_marks_it_covered(app, runner, monkeypatch):
    with app.app_context():
        monkeypatch.setattr(jobs, "update_index", lambda document_ids: None)
        document = make_document("支部工作笔记", NOTE)
        monkeypatch.undo()
        assert pending() == [document.id]
        result = runner.invoke(args=["library", "reindex"])
        assert result.exit_code == 0, result.output
        assert found_ids("三会一课") == [document.id] and pending() == []
        assert db.session.scalar(select(func.count(IndexPending.document_id))) == 0
