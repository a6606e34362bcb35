"""`flask library add`: folders recursively, each file reported, re-adding duplicates nothing."""

from sqlalchemy import func, select

from app.extensions import db
from app.library.models import Document


def write_folder(root):
    (root / "章程").mkdir(parents=True)
    (root / "章程" / "示范章程.md").write_text(
        "# 示范章程\n\n## 第一章 总则\n\n坚持民主集中制。\n", encoding="utf-8"
    )
    (root / "讲话.txt").write_bytes("一次讲话\n\n同志们，要加强学习。\n".encode("gb18030"))
    (root / "页面.html").write_text("<h1>学习页面</h1><p>入党宣誓的意义。</p>", encoding="utf-8")
    (root / "图片.png").write_bytes(b"\x89PNG")
    (root / ".hidden.md").write_text("# 隐藏\n\n不导入。\n", encoding="utf-8")


def test_add_imports_a_folder_recursively_and_reports_refusals(app, runner, tmp_path):
    write_folder(tmp_path / "docs")
    result = runner.invoke(args=["library", "add", str(tmp_path / "docs"), "--collection", "学习资料"])
    assert result.exit_code == 1  # one file was refused
    assert result.output.count("imported ") == 3
    assert "refused" in result.output and "图片.png" in result.output
    assert "隐藏" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 3

    again = runner.invoke(args=["library", "add", str(tmp_path / "docs" / "章程"), str(tmp_path / "docs" / "讲话.txt"),
                                "--collection", "学习资料"])  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "0 imported, 0 updated, 2 unchanged, 0 refused" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 3

    found = runner.invoke(args=["library", "search", "入党宣誓"])
    assert "学习页面" in found.output


def test_a_changed_file_updates_its_document_in_place(app, runner, tmp_path):
    note = tmp_path / "笔记.md"
    note.write_text("# 笔记\n\n第一稿。\n", encoding="utf-8")
    runner.invoke(args=["library", "add", str(note), "--collection", "学习资料"])
    note.write_text("# 笔记\n\n第二稿。\n", encoding="utf-8")
    result = runner.invoke(args=["library", "add", str(note), "--collection", "学习资料"])
    assert "1 updated" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 1


def test_a_missing_path_is_refused(runner, tmp_path):
    result = runner.invoke(args=["library", "add", str(tmp_path / "nope.md"), "--collection", "学习资料"])
    assert result.exit_code == 1 and "refused" in result.output
