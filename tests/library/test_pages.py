"""Members read and search; trainers and admins upload; a document's uploader and admins edit and
delete it; positions are remembered."""

import io

import pytest

from app.auth.models import Role
from app.extensions import db
from app.library import services
from app.library.models import Document, ReadingPosition
from tests.factories.auth import make_user
from tests.factories.library import make_document
from tests.web import csrf_token

NOTE = "# 党员的权利\n\n## 表决权\n\n党员有表决权。\n\n## 选举权\n\n党员有选举权和被选举权。\n"


@pytest.fixture
def people(app):
    with app.app_context():
        make_user("member", (Role.MEMBER,))
        trainer = make_user("trainer", (Role.TRAINER, Role.MEMBER))
        make_user("admin", (Role.ADMIN,), unit_path=None)
        return make_document("笔记", NOTE, by=trainer).id


@pytest.mark.parametrize(
    ("username", "status"),
    [("member", 403), ("trainer", 200), ("admin", 200)],
)
def test_only_trainers_and_admins_may_upload_and_edit(people, client, auth, username, status):
    auth.login(username)
    assert client.get("/library/upload").status_code == status
    assert client.get(f"/library/documents/{people}/edit").status_code == status


def test_a_member_cannot_delete_a_document(app, people, client, auth):
    auth.login("member")
    token = csrf_token(client, f"/library/documents/{people}")
    assert client.post(f"/library/documents/{people}/delete", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Document, people) is not None


def test_signed_out_visitors_are_sent_to_sign_in(people, client):
    response = client.get(f"/library/documents/{people}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_reading_page_has_contents_and_section_anchors(people, client, auth):
    auth.login("member")
    page = client.get(f"/library/documents/{people}").get_data(as_text=True)
    assert "<h1>党员的权利</h1>" in page
    assert 'href="#s2"' in page and 'id="s2"' in page
    assert "党员有选举权和被选举权。" in page
    assert 'data-testid="resume"' not in page


def test_the_last_position_is_remembered_per_member(app, people, client, auth):
    auth.login("member")
    token = csrf_token(client, f"/library/documents/{people}")
    url = f"/api/v1/library/documents/{people}/position"
    headers = {"X-CSRFToken": token}
    assert client.put(url, json={"anchor": "s2"}, headers=headers).get_json() == {"anchor": "s2"}
    assert client.put(url, json={"anchor": "s9"}, headers=headers).status_code == 400
    assert client.put(url, json={"anchor": "s2"}).status_code == 400  # no CSRF token
    page = client.get(f"/library/documents/{people}").get_data(as_text=True)
    assert 'data-last-anchor="s2"' in page and 'href="#s2"' in page
    with app.app_context():
        assert db.session.query(ReadingPosition).count() == 1
    auth.logout()
    auth.login("trainer")
    other = client.get(f"/library/documents/{people}").get_data(as_text=True)
    assert "data-last-anchor" not in other


def test_a_trainer_uploads_a_text_file_and_finds_it(app, people, client, auth):
    auth.login("trainer")
    token = csrf_token(client, "/library/upload")
    data = "支部学习制度\n\n第一章 总则\n第一条 每月开展一次集中学习。\n".encode("gb18030")
    response = client.post(
        "/library/upload",
        data={"csrf_token": token, "collection": "学习资料", "document": (io.BytesIO(data), "制度.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document_id = int(response.headers["Location"].rsplit("/", 1)[1])
    found = client.get("/api/v1/library/search", query_string={"q": "集中学习"}).get_json()
    assert [result["document_id"] for result in found["results"]] == [document_id]


def test_an_unreadable_upload_is_refused_and_changes_nothing(app, people, client, auth):
    auth.login("trainer")
    token = csrf_token(client, "/library/upload")
    response = client.post(
        "/library/upload",
        data={"csrf_token": token, "collection": "学习资料", "document": (io.BytesIO(b"\x00\x01"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Document).count() == 1


def test_a_trainer_edits_metadata_and_deletes(app, people, client, auth):
    auth.login("trainer")
    token = csrf_token(client, f"/library/documents/{people}/edit")
    form = {
        "csrf_token": token, "title": "党员权利学习笔记", "author": "宣传部", "date": "2024-07-01",
        "source": "原创", "tags": "权利，义务", "collection": "党章党规", "key": "dangyuan-quanli",
    }  # fmt: skip
    assert client.post(f"/library/documents/{people}/edit", data=form).status_code == 302
    with app.app_context():
        document = db.session.get(Document, people)
        assert (document.title, document.collection.name, document.tags) == (
            "党员权利学习笔记",
            "党章党规",
            "权利, 义务",
        )
        assert services.get_document_by_key("dangyuan-quanli").id == people
    assert (
        client.get("/library/k/dangyuan-quanli?section=s2")
        .headers["Location"]
        .endswith(f"/library/documents/{people}#s2")
    )
    found = client.get("/api/v1/library/search", query_string={"q": "学习笔记", "year": 2024}).get_json()
    assert [result["document_id"] for result in found["results"]] == [people]
    assert client.post(f"/library/documents/{people}/delete", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(Document, people) is None
    assert client.get("/api/v1/library/search", query_string={"q": "表决权"}).get_json()["results"] == []


def test_the_catalogue_lists_documents_by_collection(people, client, auth):
    auth.login("member")
    page = client.get("/library/").get_data(as_text=True)
    assert f'href="/library/documents/{people}"' in page and "学习资料" in page
