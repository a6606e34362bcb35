"""`flask library reindex` killed midway: the old index still answers, readers are never blocked.

The real command runs in its own process (the same SQLite file, the same SEARCH_INDEX_DIR) on
enough documents to take a few seconds; it is killed with SIGKILL once its new generation folder
exists. Searches in this process go on meanwhile, through the app's own search.
"""

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app.extensions import db
from app.library import index, services
from app.library.models import Document, Section
from tests.factories.library import make_document
from tests.settings import TEST_SECRET_KEY

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BULK_DOCUMENTS = 300  # about 400,000 characters: a few seconds of indexing
SECTIONS_PER_DOCUMENT = 4
VOCABULARY = (
    "坚持 党的 领导 全面 从严 治党 思想 建设 组织 纪律 作风 制度 学习 教育 群众 路线 实事求是 "
    "改革 开放 发展 人民 利益 基层 支部 党员 干部 责任 监督 廉洁 自律 创新 协调 绿色 共享 "
    "理论 实践 经济 社会 文化 生态 国家 治理 法治 民主 团结 奋斗 历史 经验 使命 初心"
)


def _text(rng: random.Random, words: int) -> str:
    vocabulary = VOCABULARY.split()
    sentences = []
    for _ in range(words // 12):
        sentences.append("".join(rng.choice(vocabulary) for _ in range(12)) + "。")
    return "".join(sentences)


def _add_bulk_documents(count: int) -> None:
    """Documents straight into the database, as a restore or another host would leave them: not
    in the index until a rebuild. Each carries the word 批量材料 in its title."""
    rng = random.Random(20240701)
    collection = services.ensure_collection("学习资料")
    db.session.commit()
    documents = [
        {
            "key": f"bulk-{number}",
            "collection_id": collection.id,
            "title": f"批量材料第{number}号",
            "source_format": "md",
            "content_hash": f"{number:064x}",
        }
        for number in range(count)
    ]
    db.session.execute(insert(Document), documents)
    ids = dict(db.session.execute(select(Document.key, Document.id).where(Document.key.like("bulk-%"))).all())
    sections = [
        {
            "document_id": ids[f"bulk-{number}"],
            "position": position,
            "level": 2,
            "heading": f"第{position + 1}节",
            "anchor": f"s{position + 1}",
            "text": _text(rng, 150),
        }
        for number in range(count)
        for position in range(SECTIONS_PER_DOCUMENT)
    ]
    db.session.execute(insert(Section), sections)
    db.session.commit()


def _reindex(app, log_path: Path) -> subprocess.Popen:
    """Start `flask library reindex` in its own process (its output goes to ``log_path``)."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "MEDIA_ROOT": app.config["MEDIA_ROOT"],
        "COURSES_DIR": app.config["COURSES_DIR"],
        "HUEY_SQLITE_PATH": str(log_path.parent / "huey.sqlite3"),
        "SECRET_KEY": TEST_SECRET_KEY,
    }
    env.pop("REDIS_URL", None)
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(PROJECT_ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "library", "reindex"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _search_ids(text: str) -> list[int]:
    return [result.document_id for result in services.search_library(text).results]


def test_a_killed_reindex_leaves_the_old_index_answering_and_the_next_one_cleans_up(app, tmp_path):
    root = Path(app.config["SEARCH_INDEX_DIR"])
    with app.app_context():
        kept = make_document("民主集中制学习笔记", "## 一\n\n民主集中制是党的根本组织原则。").id
        _add_bulk_documents(BULK_DOCUMENTS)
        library = index.library_index()
        old_generation = library.current_generation()
        assert old_generation and sorted(path.name for path in root.glob("gen-*")) == [old_generation]
        assert _search_ids("民主集中制") == [kept]
        assert services.search_library("批量材料").total == 0  # in the database, not yet indexed

        # --- a reindex runs; readers are not blocked ---------------------------------------------
        first_log = tmp_path / "reindex-1.log"
        process = _reindex(app, first_log)
        try:
            _wait_for(lambda: list(root.glob("gen-*.building")), 60, "the new generation folder")
            building = next(root.glob("gen-*.building"))
            latencies = []
            for _ in range(5):
                started = time.monotonic()
                assert _search_ids("民主集中制") == [kept]  # this process's long-lived searcher
                latencies.append(time.monotonic() - started)
            index.close_all()  # a process opening the index afresh is not blocked either
            started = time.monotonic()
            assert _search_ids("民主集中制") == [kept]
            latencies.append(time.monotonic() - started)
            assert max(latencies) < 2.0, latencies
            # Kill it while it adds documents: its writer is open on the new folder.
            _wait_for(
                lambda: list(building.glob("*WRITELOCK")) or process.poll() is not None, 60, "the writer"
            )
            time.sleep(0.3)
            assert process.poll() is None, "the reindex finished before it could be killed: add documents"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == -signal.SIGKILL

        # --- after the kill: the old generation answers, the half-built one is never used ---------
        assert building.is_dir(), "the killed build leaves its folder behind"
        assert library.current_generation() == old_generation
        assert os.readlink(root / index.CURRENT) == old_generation
        assert _search_ids("民主集中制") == [kept]
        index.close_all()
        assert _search_ids("民主集中制") == [kept]  # opened afresh from disk
        assert services.search_library("批量材料").total == 0
        assert not index.ensure_index(), "the old index is whole: nothing to rebuild"

        # --- a second reindex completes, swaps, and removes the leftover ------------------------
        second_log = tmp_path / "reindex-2.log"
        process = _reindex(app, second_log)
        assert process.wait(timeout=300) == 0, second_log.read_text()
        assert "search index rebuilt" in second_log.read_text()
        new_generation = library.current_generation()
        assert new_generation not in (None, old_generation)
        assert not building.exists()
        assert not list(root.glob("gen-*.building"))
        assert sorted(path.name for path in root.glob("gen-*")) == sorted([old_generation, new_generation])
        # This process's searcher follows the swap without being told.
        assert services.search_library("批量材料").total == BULK_DOCUMENTS
        assert _search_ids("民主集中制") == [kept]
