"""Trainers do not reach other trainers' things in the library (issue 21, item 7's rule).

Editing a document's details, replacing its text and deleting it is for the trainer who uploaded it
and for admins (no recorded uploader: admins only); the same holds for pictures and video resources.
Another trainer still reads and searches them, without the edit and delete controls.
"""

import io

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.library import index, resources
from app.library.models import Document, DocumentRevision, IndexPending, Resource
from tests.factories.library import make_document, make_resource
from tests.web import csrf_token

NOTE = "## 三会一课\n\n按时召开支部党员大会。"
EDITED = {"title": "改过的标题", "author": "宣传部", "date": "2024-07-01", "source": "原创", "tags": "改过"}


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def alices_document(app) -> int:
    with app.app_context():
        return make_document("支部工作笔记", NOTE, by=user_named("alice"), tags="组织生活").id


def edit_form(client) -> dict[str, str]:
    token = csrf_token(client, "/library/upload")
    return {"csrf_token": token, "collection": "学习资料", "key": "zhibu-biji", **EDITED}


def found_ids(text: str) -> list[int]:
    """What the index itself answers."""
    return [hit.document_id for hit in index.search(text).hits]


def state_of(document_id: int) -> tuple[object, ...]:
    db.session.expire_all()
    document = db.session.get(Document, document_id)
    assert document is not None
    return (
        document.title,
        document.key,
        document.author,
        document.date,
        document.source,
        document.tags,
        document.collection.name,
        document.content_hash,
        document.updated_at,
        [section.text for section in document.sections],
    )


def test_another_trainer_cannot_edit_replace_or_delete_a_document_and_nothing_changes(
    app, people, client, auth
):
    document_id = alices_document(app)
    with app.app_context():
        before = state_of(document_id)
        key = before[1]
        events = db.session.scalar(select(func.count(AuditEvent.id)))
    auth.login("bob")
    assert client.get(f"/library/documents/{document_id}/edit").status_code == 403
    edited = client.post(f"/library/documents/{document_id}/edit", data=edit_form(client))
    assert edited.status_code == 403
    token = csrf_token(client, "/library/upload")
    deleted = client.post(f"/library/documents/{document_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 403
    replaced = client.post(
        "/library/upload",
        data={
            "csrf_token": token,
            "collection": "学习资料",
            "document": (io.BytesIO("另一份文件\n\n篡改的正文。\n".encode()), f"{key}.txt"),
            "replace": "y",
        },
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 200 and 'class="flash flash-error"' in replaced.get_data(as_text=True)
    with app.app_context():
        assert state_of(document_id) == before
        assert db.session.scalar(select(func.count(DocumentRevision.id))) == 0
        assert db.session.scalar(select(func.count(AuditEvent.id))) == events
        assert db.session.scalar(select(func.count(IndexPending.document_id))) == 0
        assert found_ids("三会一课") == [document_id]
        assert found_ids("改过的标题") == [] and found_ids("篡改") == []
    # Bob still reads and finds it.
    assert client.get(f"/library/documents/{document_id}").status_code == 200


@pytest.mark.parametrize("username", ["alice", "admin"])
def test_its_uploader_and_an_admin_edit_and_delete_a_document(app, people, client, auth, username):
    document_id = alices_document(app)
    auth.login(username)
    assert client.get(f"/library/documents/{document_id}/edit").status_code == 200
    edited = client.post(f"/library/documents/{document_id}/edit", data=edit_form(client))
    assert edited.status_code == 302
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert (document.title, document.key, document.tags) == ("改过的标题", "zhibu-biji", "改过")
        assert found_ids("改过的标题") == [document_id]
    token = csrf_token(client, "/library/upload")
    deleted = client.post(f"/library/documents/{document_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.get(Document, document_id) is None
        assert found_ids("三会一课") == [] and found_ids("改过的标题") == []


def test_the_reading_page_shows_the_edit_and_delete_controls_only_to_those_who_may_change_it(
    app, people, client, auth
):
    document_id = alices_document(app)
    edit_url, delete_url = (
        f"/library/documents/{document_id}/edit",
        f"/library/documents/{document_id}/delete",
    )
    for username, shown in (("bob", False), ("alice", True), ("admin", True)):
        auth.login(username)
        page = client.get(f"/library/documents/{document_id}").get_data(as_text=True)
        assert "三会一课" in page
        assert (edit_url in page, delete_url in page) == (shown, shown), username
        auth.logout()


def test_a_document_with_no_recorded_uploader_is_changed_by_admins_only(app, people, client, auth):
    with app.app_context():
        document_id = make_document("命令行导入的文献", NOTE).id  # as `flask library add` and the demo do
    auth.login("alice")
    assert client.get(f"/library/documents/{document_id}/edit").status_code == 403
    token = csrf_token(client, "/library/upload")
    assert (
        client.post(f"/library/documents/{document_id}/delete", data={"csrf_token": token}).status_code == 403
    )
    with app.app_context():
        assert db.session.get(Document, document_id) is not None
    auth.logout()
    auth.login("admin")
    assert client.get(f"/library/documents/{document_id}/edit").status_code == 200


# --- pictures and videos ----------------------------------------------------------------------


def resource_form(client) -> dict[str, str]:
    return {
        "csrf_token": csrf_token(client, "/library/resources/new"),
        "title": "改过的图片",
        "caption": "",
        "topic": "",
        "collection": "图片资料",
        "published": "y",
    }


def test_another_trainer_cannot_edit_or_delete_a_resource_and_sees_no_edit_link(app, people, client, auth):
    with app.app_context():
        resource_id = make_resource("image", title="一大会址", by="alice").id
        events = db.session.scalar(select(func.count(AuditEvent.id)))
    auth.login("bob")
    page = client.get(f"/library/resources/{resource_id}").get_data(as_text=True)
    assert "一大会址" in page and f"/library/resources/{resource_id}/edit" not in page
    assert client.get(f"/library/resources/{resource_id}/edit").status_code == 403
    assert (
        client.post(f"/library/resources/{resource_id}/edit", data=resource_form(client)).status_code == 403
    )
    token = csrf_token(client, "/library/resources/new")
    assert (
        client.post(f"/library/resources/{resource_id}/delete", data={"csrf_token": token}).status_code == 403
    )
    with app.app_context():
        db.session.expire_all()
        assert db.session.get(Resource, resource_id).title == "一大会址"
        assert db.session.scalar(select(func.count(AuditEvent.id))) == events
        # The service refuses on its own too, whoever calls it.
        resource, bob = db.session.get(Resource, resource_id), user_named("bob")
        with pytest.raises(resources.ResourceError):
            resources.delete_resource(bob, resource)
        assert db.session.get(Resource, resource_id) is not None


@pytest.mark.parametrize("username", ["alice", "admin"])
def test_its_uploader_and_an_admin_edit_and_delete_a_resource(app, people, client, auth, username):
    with app.app_context():
        resource_id = make_resource("image", title="一大会址", by="alice").id
    auth.login(username)
    page = client.get(f"/library/resources/{resource_id}").get_data(as_text=True)
    assert f"/library/resources/{resource_id}/edit" in page
    assert (
        client.post(f"/library/resources/{resource_id}/edit", data=resource_form(client)).status_code == 302
    )
    with app.app_context():
        assert db.session.get(Resource, resource_id).title == "改过的图片"
    token = csrf_token(client, "/library/resources/new")
    assert (
        client.post(f"/library/resources/{resource_id}/delete", data={"csrf_token": token}).status_code == 302
    )
    with app.app_context():
        assert db.session.get(Resource, resource_id) is None
