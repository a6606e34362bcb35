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
from app.jobs import huey, run_startup_hooks, tasks
from app.library import index, jobs, services
from app.library.models import Document, IndexPending
from app.timeutil import utcnow
from tests.factories.auth import make_user
from tests.factories.library import make_document
from tests.web import csrf_token

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
        monkeypatch.setitem(tasks, "library.update_index", unreachable)
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

    def test_a_search_with_no_index_answers_at_once_and_queues_one_rebuild(self, app, client, auth):
        with app.app_context():
            make_user("member", (Role.MEMBER,))
            document = make_document("支部工作笔记", NOTE).id  # no worker: queued, no index on disk
            library = index.library_index()
            assert library.current_generation() is None
            queued_before = huey.pending_count()
        auth.login("member")

        page = client.get("/library/search", query_string={"q": "三会一课"})
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'data-index-status="rebuilding"' in html and "索引正在重建" in html
        api = client.get("/api/v1/library/search", query_string={"q": "三会一课"}).get_json()
        assert api["index_status"] == "rebuilding" and api["results"] == [] and api["notice"]
        with app.app_context():
            assert library.current_generation() is None  # the requests built nothing
            rebuilds = [task for task in huey.pending() if task.name.endswith("rebuild_index")]
            assert len(rebuilds) == 1  # the second request did not queue another
            assert huey.pending_count() == queued_before + 1

            self.run_queue()  # the worker rebuilds
            assert library.current_generation() is not None and pending() == []
        api = client.get("/api/v1/library/search", query_string={"q": "三会一课"}).get_json()
        assert api["index_status"] == "ready" and api["notice"] is None
        assert [result["document_id"] for result in api["results"]] == [document]

    def test_an_index_that_opens_but_cannot_be_read_is_rebuilt_by_the_queued_job(self, app):
        with app.app_context():
            document = make_document("支部工作笔记", NOTE).id
            self.run_queue()
            index.close_all()
            library = index.library_index()
            for postings in (library.root / library.current_generation()).glob("*.pst"):
                postings.unlink()  # the table of contents opens; reading the postings fails
            found = services.search_library("三会一课")
            assert found.index_status == "rebuilding" and found.results == []
            assert any(task.name.endswith("rebuild_index") for task in huey.pending())
            self.run_queue()
            found = services.search_library("三会一课")
            assert found.index_status == "ready"
            assert [result.document_id for result in found.results] == [document]
            assert pending() == []

    def test_a_search_while_changes_wait_for_the_worker_says_so(self, app, client, auth):
        with app.app_context():
            make_user("member", (Role.MEMBER,))
            kept = make_document("保留的文件", "# 保留的文件\n\n三会一课制度。\n").id
            self.run_queue()
            make_document("新的文件", "# 新的文件\n\n三会一课记录。\n")  # queued, not indexed yet
        auth.login("member")
        api = client.get("/api/v1/library/search", query_string={"q": "三会一课"}).get_json()
        assert api["index_status"] == "updating" and "索引正在更新" in api["notice"]
        assert [result["document_id"] for result in api["results"]] == [kept]

    def test_flask_library_add_says_it_queued_the_documents_or_indexed_them_now(self, app, runner, tmp_path):
        first, second = tmp_path / "第一篇.md", tmp_path / "第二篇.md"
        first.write_text("# 第一篇\n\n三会一课第一讲。\n", encoding="utf-8")
        second.write_text("# 第二篇\n\n三会一课第二讲。\n", encoding="utf-8")
        with app.app_context():
            index.rebuild()
        queued = runner.invoke(args=["library", "add", str(first), "--collection", "学习资料"])
        assert queued.exit_code == 0, queued.output
        assert "1 document(s) queued for the worker, not indexed yet" in queued.output
        assert "indexed; they can be found now" not in queued.output
        with app.app_context():
            assert found_ids("三会一课") == [] and huey.pending_count() == 1

        now = runner.invoke(args=["library", "add", str(second), "--collection", "学习资料", "--index-now"])
        assert now.exit_code == 0, now.output
        assert "1 document(s) indexed; they can be found now" in now.output
        assert "queued" not in now.output
        with app.app_context():
            second_id = db.session.scalar(select(Document.id).where(Document.title == "第二篇"))
            assert found_ids("三会一课") == [second_id]
            assert huey.pending_count() == 1  # only the first file's job waits


# --- recovering without the worker ------------------------------------------------------------


def test_a_crash_mark_left_in_immediate_mode_is_indexed_by_the_worker_start(app, monkeypatch):
    with app.app_context():
        index.rebuild()
        monkeypatch.setitem(tasks, "library.update_index", lambda document_ids: None)  # the process died
        document = make_document("支部工作笔记", NOTE)
        monkeypatch.undo()
        assert pending() == [document.id] and found_ids("三会一课") == []
        run_startup_hooks()
        assert found_ids("三会一课") == [document.id] and pending() == []


def test_ensure_index_rebuilds_a_lost_index_and_clears_what_was_pending(app, monkeypatch):
    with app.app_context():
        document = make_document("支部工作笔记", NOTE)
        monkeypatch.setitem(tasks, "library.update_index", lambda document_ids: None)
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
        monkeypatch.setitem(tasks, "library.update_index", lambda document_ids: None)
        document = make_document("支部工作笔记", NOTE)
        monkeypatch.undo()
        assert pending() == [document.id]
        result = runner.invoke(args=["library", "reindex"])
        assert result.exit_code == 0, result.output
        assert found_ids("三会一课") == [document.id] and pending() == []
        assert db.session.scalar(select(func.count(IndexPending.document_id))) == 0
