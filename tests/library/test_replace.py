"""A file named like a document of the collection never replaces it by accident (issue 21, item 8).

Uploading xss.txt to a collection holding xss.md used to replace that document (the same key from the
file stem) for any trainer, and the reading lessons pointing at its key changed with it.
"""

import io

from sqlalchemy import func, select

from app.extensions import db
from app.library import services
from app.library.models import Document, DocumentRevision
from tests.web import csrf_token

FIRST = "# 原稿\n\n## 一\n\n第一稿的内容。\n"
SECOND = "另一份文件\n\n第二稿的内容。\n"


def upload(client, filename: str, text: str, replace: bool = False):
    data = {
        "csrf_token": csrf_token(client, "/library/upload"),
        "collection": "学习资料",
        "document": (io.BytesIO(text.encode()), filename),
    }
    if replace:
        data["replace"] = "y"
    return client.post("/library/upload", data=data, content_type="multipart/form-data")


def the_document() -> Document:
    db.session.expire_all()
    return db.session.scalar(select(Document).where(Document.key == "xss"))


def texts(document: Document) -> str:
    return "\n".join(section.text for section in document.sections)


def document_count() -> int:
    return db.session.scalar(select(func.count(Document.id)))


def test_a_file_named_like_another_trainers_document_is_refused_and_changes_nothing(
    app, people, client, auth
):
    auth.login("alice")
    assert upload(client, "xss.md", FIRST).status_code == 302
    auth.logout()

    auth.login("bob")
    for replace in (False, True):
        response = upload(client, "xss.txt", SECOND, replace=replace)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'class="flash flash-error"' in page
        assert "xss" in page
        with app.app_context():
            document = the_document()
            assert "第一稿的内容" in texts(document) and "第二稿" not in texts(document)
            assert document.title == "原稿" and document_count() == 1
            assert db.session.scalar(select(func.count(DocumentRevision.id))) == 0
    found = client.get("/api/v1/library/search", query_string={"q": "第二稿"}).get_json()
    assert found["total"] == 0
    # Under another name the same file is simply a new document.
    assert upload(client, "xss-bob.txt", SECOND).status_code == 302
    with app.app_context():
        assert document_count() == 2 and "第一稿的内容" in texts(the_document())


def test_the_uploader_is_refused_too_unless_they_ask_to_replace(app, people, client, auth):
    auth.login("alice")
    upload(client, "xss.md", FIRST)
    response = upload(client, "xss.txt", SECOND)
    assert response.status_code == 200 and "替换" in response.get_data(as_text=True)
    with app.app_context():
        assert "第一稿的内容" in texts(the_document())


def test_its_uploader_or_an_admin_may_replace_it_and_the_previous_text_is_kept(app, people, client, auth):
    auth.login("alice")
    upload(client, "xss.md", FIRST)
    assert upload(client, "xss.txt", SECOND, replace=True).status_code == 302
    with app.app_context():
        document = the_document()
        assert "第二稿的内容" in texts(document) and document_count() == 1
        [revision] = services.document_revisions(document)
        assert revision.number == 1 and revision.title == "原稿" and "第一稿的内容" in revision.text
        assert revision.replaced_by_id == db.session.scalar(select(Document.imported_by_id))
    auth.logout()

    auth.login("admin")
    assert upload(client, "xss.html", "<h1>第三稿</h1><p>第三稿的内容。</p>", replace=True).status_code == 302
    with app.app_context():
        document = the_document()
        assert "第三稿的内容" in texts(document)
        assert [r.number for r in services.document_revisions(document)] == [1, 2]
        assert "第二稿的内容" in services.document_revisions(document)[1].text


def test_a_document_added_from_the_command_line_is_replaced_by_admins_only(
    app, people, client, auth, tmp_path
):
    (tmp_path / "xss.md").write_text(FIRST, encoding="utf-8")
    with app.app_context():
        services.import_paths([tmp_path / "xss.md"], "学习资料")
    auth.login("alice")
    assert upload(client, "xss.txt", SECOND, replace=True).status_code == 200
    with app.app_context():
        assert "第一稿的内容" in texts(the_document())
    auth.logout()
    auth.login("admin")
    assert upload(client, "xss.txt", SECOND, replace=True).status_code == 302
    with app.app_context():
        assert "第二稿的内容" in texts(the_document())
        assert "第一稿的内容" in services.document_revisions(the_document())[0].text


def test_the_command_line_keeps_the_previous_text_when_a_changed_file_updates_its_document(app, tmp_path):
    note = tmp_path / "笔记.md"
    note.write_text("# 笔记\n\n第一稿。\n", encoding="utf-8")
    with app.app_context():
        services.import_paths([note], "学习资料")
        note.write_text("# 笔记\n\n第二稿。\n", encoding="utf-8")
        report = services.import_paths([note], "学习资料")
        assert [outcome.status for outcome in report.outcomes] == ["updated"]
        document = db.session.get(Document, report.outcomes[0].document_id)
        assert "第一稿" in services.document_revisions(document)[0].text
