"""Trainers author courses in the browser; only owners (or admins) edit; members never reach authoring."""

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.courses.models import (
    Assignment,
    Course,
    CourseRevision,
    CourseStatus,
    Lesson,
    LessonKind,
    Module,
    RevisionOrigin,
)
from app.extensions import db
from app.library.services import ensure_collection, import_upload
from app.progress.models import LessonProgress
from tests.factories.auth import make_user
from tests.factories.courses import make_course, text_lessons, user_named
from tests.web import csrf_token


def course_named(slug: str) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def post(client, path: str, data: dict | None = None, page: str = "/authoring/courses/"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})})


@pytest.fixture
def owned(app, world):
    """A published course of the trainer's, with ids of its module and lessons."""
    with app.app_context():
        course = make_course("owned", "培训员的课", lessons=text_lessons(2))
        module = course.modules[0]
        return {"course": course.id, "module": module.id, "lessons": [lesson.id for lesson in module.lessons]}


@pytest.mark.parametrize("username", ["member_a", "sec_a"])
@pytest.mark.parametrize(
    "path",
    [
        "/authoring/courses/",
        "/authoring/courses/{course}/",
        "/authoring/modules/{module}/lessons/new",
        "/authoring/lessons/{lesson}/edit",
    ],
)
def test_people_who_do_not_author_get_403_on_every_authoring_page(client, auth, owned, username, path):
    auth.login(username)
    url = path.format(course=owned["course"], module=owned["module"], lesson=owned["lessons"][0])
    assert client.get(url).status_code == 403


def test_a_member_cannot_post_to_authoring_either(client, auth, owned):
    auth.login("member_a")
    token = csrf_token(client, "/courses/")
    assert (
        client.post(
            "/authoring/courses/new", data={"csrf_token": token, "slug": "x1", "title": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/authoring/courses/{owned['course']}/status", data={"csrf_token": token, "status": "draft"}
        ).status_code
        == 403
    )


def test_a_trainer_cannot_edit_another_trainer_s_course_but_an_admin_can(app, client, auth, owned):
    with app.app_context():
        make_user("trainer2", (Role.TRAINER,), "甲党委")
    auth.login("trainer2")
    assert client.get(f"/authoring/courses/{owned['course']}/").status_code == 403
    assert client.get(f"/authoring/lessons/{owned['lessons'][0]}/edit").status_code == 403
    listing = client.get("/authoring/courses/").get_data(as_text=True)
    assert "培训员的课" not in listing
    auth.logout()
    auth.login("admin")
    assert client.get(f"/authoring/courses/{owned['course']}/").status_code == 200
    response = post(
        client,
        f"/authoring/courses/{owned['course']}/",
        {"title": "管理员改名", "credit_hours": "2", "tags": "a"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert course_named("owned").title == "管理员改名"


def library_document(
    key: str = "dangzhang-2022", text: str = "# 党章学习材料\n\n## 第一章\n\n党员。\n"
) -> None:
    """A document in the theory library, for reading lessons to point at."""
    import_upload(f"{key}.md", text.encode(), ensure_collection("学习资料"))


def test_a_trainer_builds_a_course_in_the_browser_and_publishes_it(app, client, auth, world):
    with app.app_context():
        library_document()
    auth.login("trainer")
    response = post(
        client,
        "/authoring/courses/new",
        {
            "slug": "new-course",
            "title": "新课程",
            "credit_hours": "1.5",
            "tags": "党章, 党史、党史",
            "audience": "全体",
            "summary": "简介",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        course = course_named("new-course")
        assert course.status is CourseStatus.DRAFT and course.owner_id == world.trainer
        assert course.tag_names == ["党章", "党史"] and str(course.credit_hours) == "1.5"
        course_id = course.id
    # Publishing an empty course is refused.
    post(client, f"/authoring/courses/{course_id}/status", {"status": "published"})
    post(client, f"/authoring/courses/{course_id}/modules", {"title": "第一单元"})
    with app.app_context():
        assert course_named("new-course").status is CourseStatus.DRAFT
        module_id = course_named("new-course").modules[0].id
    page = f"/authoring/modules/{module_id}/lessons/new"
    for title, kind, extra in [
        ("文字课", "text", {"body": "# 标题\n\n<script>alert(1)</script>正文"}),
        ("阅读课", "reading", {"document": "dangzhang-2022", "section": "第一章"}),
        ("测验课", "quiz", {"quiz_source": "::q::题目{T}", "pass_score": "60"}),
    ]:
        response = post(client, page, {"title": title, "kind": kind, "minutes": "12", **extra}, page=page)
        assert response.status_code == 302, response.get_data(as_text=True)
    post(client, f"/authoring/courses/{course_id}/status", {"status": "published"})
    with app.app_context():
        course = course_named("new-course")
        assert course.is_published and course.published_at is not None
        lessons = course.modules[0].current_lessons
        assert [lesson.kind for lesson in lessons] == [LessonKind.TEXT, LessonKind.READING, LessonKind.QUIZ]
        assert lessons[2].quiz_settings == {"pass_score": 60} and lessons[2].quiz_source == "::q::题目{T}\n"
        assert lessons[1].reading_document == "dangzhang-2022"
        text_id = lessons[0].id
    auth.logout()
    auth.login("member_b")
    lesson_page = client.get(f"/courses/new-course/lessons/{text_id}").get_data(as_text=True)
    assert '<h1 id="标题">标题</h1>' in lesson_page and "<script>alert(1)" not in lesson_page


def test_an_invalid_lesson_is_refused_with_a_message_and_nothing_is_saved(app, client, auth, owned):
    auth.login("trainer")
    page = f"/authoring/modules/{owned['module']}/lessons/new"
    response = post(client, page, {"title": "阅读", "kind": "reading", "minutes": "10"}, page=page)
    assert response.status_code == 200 and 'class="flash flash-error"' in response.get_data(as_text=True)
    response = post(client, page, {"title": "视频", "kind": "video", "minutes": "10"}, page=page)
    assert response.status_code == 200
    with app.app_context():
        assert len(db.session.get(Module, owned["module"]).current_lessons) == 2


def test_editing_a_lesson_keeps_members_progress_and_only_changes_that_lesson(
    app, client, auth, owned, world
):
    first, second = owned["lessons"]
    with app.app_context():
        db.session.add(LessonProgress(user_id=world.member_a, lesson_id=first))
        db.session.commit()
        untouched = db.session.get(Lesson, second).updated_at
    auth.login("trainer")
    page = f"/authoring/lessons/{first}/edit"
    response = post(
        client, page, {"title": "第1课（修订）", "kind": "text", "minutes": "15", "body": "新内容"}, page=page
    )
    assert response.status_code == 302
    with app.app_context():
        lesson = db.session.get(Lesson, first)
        assert lesson.title == "第1课（修订）" and lesson.body == "新内容" and lesson.estimated_minutes == 15
        assert db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == first))
        assert db.session.get(Lesson, second).updated_at == untouched


def test_lessons_and_modules_reorder_with_arrows(app, client, auth, owned):
    first, second = owned["lessons"]
    auth.login("trainer")
    page = f"/authoring/courses/{owned['course']}/"
    post(client, f"/authoring/lessons/{second}/move", {"direction": "up"}, page=page)
    with app.app_context():
        assert [lesson.id for lesson in db.session.get(Module, owned["module"]).current_lessons] == [
            second,
            first,
        ]
    post(
        client, f"/authoring/lessons/{second}/move", {"direction": "up"}, page=page
    )  # already first: refused
    post(client, f"/authoring/courses/{owned['course']}/modules", {"title": "第二单元"}, page=page)
    with app.app_context():
        second_module = db.session.scalar(select(Module).where(Module.title == "第二单元")).id
    post(client, f"/authoring/modules/{second_module}/move", {"direction": "up"}, page=page)
    with app.app_context():
        titles = [module.title for module in db.session.get(Course, owned["course"]).modules]
        assert titles == ["第二单元", "第一单元"]


def test_removing_a_lesson_keeps_its_history(app, client, auth, owned, world):
    first = owned["lessons"][0]
    with app.app_context():
        db.session.add(LessonProgress(user_id=world.member_a, lesson_id=first))
        db.session.commit()
    auth.login("trainer")
    post(client, f"/authoring/lessons/{first}/remove", page=f"/authoring/lessons/{first}/edit")
    with app.app_context():
        assert db.session.get(Lesson, first).removed_at is not None
        assert db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == first))
    assert client.get(f"/courses/owned/lessons/{first}").status_code == 404


def test_the_preview_uses_the_page_s_sanitiser(client, auth, owned):
    auth.login("trainer")
    token = csrf_token(client, "/authoring/courses/")
    preview = f"/authoring/courses/{owned['course']}/preview"
    response = client.post(
        preview,
        json={"markdown": "**粗** <img src=x onerror=alert(1)> [x](javascript:alert(1))"},
        headers={"X-CSRFToken": token},
    )
    html = response.get_json()["html"]
    assert "<strong>粗</strong>" in html and "onerror" not in html and "javascript:" not in html
    assert client.post(preview, json={"markdown": 1}, headers={"X-CSRFToken": token}).status_code == 400
    assert client.post(preview, json={"markdown": "x"}).status_code == 400  # no CSRF token


# --- assignments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "unit", "allowed"),
    [
        ("sec_a", "unit_a1", True),  # their own branch
        ("sec_a", "unit_a2", False),  # a sibling branch
        ("sec_a", "committee_a", False),  # above them
        ("sec_a", "unit_b1", False),  # another committee
        ("sec_b", "unit_b1", True),
        ("trainer", "unit_b1", True),
        ("admin", "committee_a", True),
    ],
)
def test_who_may_assign_a_course_to_which_unit(app, client, auth, owned, world, username, unit, allowed):
    auth.login(username)
    page = "/courses/owned/assignments"
    response = post(
        client,
        page,
        {"unit_id": str(getattr(world, unit)), "year": "2026", "required": "y", "due_date": "2026-09-30"},
        page=page,
    )
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
        if allowed:
            assert response.status_code == 302
            assert assignment.unit_id == getattr(world, unit) and assignment.required
        else:
            assert assignment is None


def test_a_member_cannot_open_the_assignment_page(client, auth, owned):
    auth.login("member_a")
    assert client.get("/courses/owned/assignments").status_code == 403


def test_a_secretary_sees_only_assignments_inside_their_subtree(app, client, auth, owned, world):
    from app.courses.services import assign_course
    from app.org.models import OrgUnit

    with app.app_context():
        course = db.session.get(Course, owned["course"])
        assign_course(course, db.session.get(OrgUnit, world.unit_a1), 2026, True, None, user_named("trainer"))
        assign_course(
            course, db.session.get(OrgUnit, world.unit_b1), 2026, False, None, user_named("trainer")
        )
        other = db.session.scalar(select(Assignment.id).where(Assignment.unit_id == world.unit_b1))
    auth.login("sec_a")
    page = client.get("/courses/owned/assignments").get_data(as_text=True)
    assert "第一党支部" in page and "乙党委" not in page
    response = post(client, f"/courses/owned/assignments/{other}/delete", page="/courses/owned/assignments")
    assert response.status_code == 404


def test_drafts_cannot_be_assigned(app, client, auth, world):
    with app.app_context():
        make_course("draft", published=False)
    auth.login("trainer")
    page = "/courses/draft/assignments"
    post(client, page, {"unit_id": str(world.unit_a1), "year": "2026", "required": "y"}, page=page)
    with app.app_context():
        assert db.session.scalar(select(Assignment)) is None


def test_editing_a_published_course_makes_a_revision_drafts_make_none(app, client, auth, world):
    with app.app_context():
        course = make_course("revised", published=False)
        course_id, lesson_id = course.id, course.modules[0].lessons[0].id
        assert db.session.scalar(select(CourseRevision)) is None
    auth.login("trainer")
    post(client, f"/authoring/courses/{course_id}/status", {"status": "published"})
    page = f"/authoring/lessons/{lesson_id}/edit"
    post(client, page, {"title": "改过的课", "kind": "text", "minutes": "10", "body": "新"}, page=page)
    post(
        client, page, {"title": "改过的课", "kind": "text", "minutes": "10", "body": "新"}, page=page
    )  # same
    with app.app_context():
        revisions = db.session.scalars(select(CourseRevision).order_by(CourseRevision.number)).all()
        assert [(r.number, r.origin, r.lessons_updated, r.created_by_id) for r in revisions] == [
            (1, RevisionOrigin.BROWSER, 0, world.trainer),
            (2, RevisionOrigin.BROWSER, 1, world.trainer),
        ]
    listing = client.get(f"/authoring/courses/{course_id}/").get_data(as_text=True)
    assert 'data-testid="revision-2"' in listing and 'data-testid="revision-1"' in listing


@pytest.mark.parametrize(("slug", "title"), [("Bad Slug!", "标题"), ("owned", "重复的短名"), ("ok-slug", "")])
def test_a_new_course_with_bad_fields_is_refused_and_the_form_comes_back(
    app, client, auth, owned, slug, title
):
    auth.login("trainer")
    response = post(client, "/authoring/courses/new", {"slug": slug, "title": title, "credit_hours": "1"})
    assert response.status_code == 200 and 'data-testid="new-course-form"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 1


def test_dragging_saves_the_new_order_of_lessons_and_modules(app, client, auth, owned):
    first, second = owned["lessons"]
    auth.login("trainer")
    page = f"/authoring/courses/{owned['course']}/"
    token = csrf_token(client, page)
    headers = {"X-CSRFToken": token}
    response = client.post(
        f"/authoring/modules/{owned['module']}/order", json={"lessons": [second, first]}, headers=headers
    )
    assert response.status_code == 200 and response.json == {"saved": True}
    post(client, f"/authoring/courses/{owned['course']}/modules", {"title": "第二单元"}, page=page)
    with app.app_context():
        assert [lesson.id for lesson in db.session.get(Module, owned["module"]).current_lessons] == [
            second,
            first,
        ]
        added = db.session.scalar(select(Module).where(Module.title == "第二单元")).id
    response = client.post(
        f"/authoring/courses/{owned['course']}/order",
        json={"modules": [added, owned["module"]]},
        headers=headers,
    )
    assert response.status_code == 200
    with app.app_context():
        course = db.session.get(Course, owned["course"])
        assert [module.title for module in course.modules] == ["第二单元", "第一单元"]
        revisions = db.session.scalar(select(func.count()).where(CourseRevision.course_id == course.id))
    assert revisions >= 2  # a published course's reorder is a change members see: a revision each


@pytest.mark.parametrize(
    "payload",
    [{"lessons": ["1"]}, {"lessons": "12"}, {"modules": [1]}, [1, 2], None],
)
def test_a_stale_or_malformed_order_is_refused_and_changes_nothing(app, client, auth, owned, payload):
    first, second = owned["lessons"]
    auth.login("trainer")
    token = csrf_token(client, f"/authoring/courses/{owned['course']}/")
    response = client.post(
        f"/authoring/modules/{owned['module']}/order", json=payload, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400 and response.json["error"]
    # An order naming a lesson that is not (or no longer) in the module: someone else changed it.
    stale = client.post(
        f"/authoring/modules/{owned['module']}/order",
        json={"lessons": [second, first, 999]},
        headers={"X-CSRFToken": token},
    )
    assert stale.status_code == 409 and "重新加载" in stale.json["error"]
    with app.app_context():
        assert [lesson.id for lesson in db.session.get(Module, owned["module"]).current_lessons] == [
            first,
            second,
        ]


def test_another_trainer_cannot_reorder_or_remove_a_module_of_someone_else_s_course(app, client, auth, owned):
    with app.app_context():
        make_user("trainer2", roles=[Role.TRAINER])
    auth.login("trainer2")
    token = csrf_token(client, "/authoring/courses/")
    response = client.post(
        f"/authoring/modules/{owned['module']}/order",
        json={"lessons": list(reversed(owned["lessons"]))},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 403
    assert post(client, f"/authoring/modules/{owned['module']}/remove").status_code == 403
    with app.app_context():
        assert db.session.get(Module, owned["module"]).removed_at is None


def test_removing_a_module_takes_its_lessons_out_and_keeps_members_records(app, client, auth, owned, world):
    first, second = owned["lessons"]
    with app.app_context():
        db.session.add(LessonProgress(user_id=world.member_a, lesson_id=first))
        db.session.commit()
    auth.login("trainer")
    page = f"/authoring/courses/{owned['course']}/"
    post(client, f"/authoring/courses/{owned['course']}/modules", {"title": "空单元"}, page=page)
    with app.app_context():
        empty = db.session.scalar(select(Module).where(Module.title == "空单元")).id
    response = post(client, f"/authoring/modules/{owned['module']}/remove", page=page)
    assert response.status_code == 302
    assert "已删除" in client.get(page).get_data(as_text=True)
    with app.app_context():
        module = db.session.get(Module, owned["module"])
        assert module.removed_at is not None
        assert all(db.session.get(Lesson, each).removed_at is not None for each in (first, second))
        assert db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == first))
        assert [
            each.title for each in db.session.get(Course, owned["course"]).modules if not each.removed_at
        ] == ["空单元"]
    assert client.get(f"/courses/owned/lessons/{first}").status_code == 404
    # A module that never held a lesson is simply deleted.
    post(client, f"/authoring/modules/{empty}/remove", page=page)
    with app.app_context():
        assert db.session.get(Module, empty) is None


def test_a_reading_lesson_on_a_document_or_section_that_does_not_exist_gets_a_form_error(
    app, client, auth, owned
):
    with app.app_context():
        library_document()
    auth.login("trainer")
    page = f"/authoring/modules/{owned['module']}/lessons/new"
    lesson = {"title": "阅读", "kind": "reading", "minutes": "10"}
    response = post(client, page, {**lesson, "document": "dangzhang-1921"}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="document-error"' in html and "dangzhang-1921" in html
    response = post(client, page, {**lesson, "document": "dangzhang-2022", "section": "第九章"}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "第九章" in html and 'class="field has-error"' in html
    with app.app_context():
        assert len(db.session.get(Module, owned["module"]).current_lessons) == 2  # nothing was added
    response = post(client, page, {**lesson, "document": "dangzhang-2022", "section": "第一章"}, page=page)
    assert response.status_code == 302


def test_the_reading_picker_finds_documents_by_title_and_lists_their_sections(app, client, auth, owned):
    with app.app_context():
        library_document()
        library_document("other", "# 另一份材料\n\n正文。\n")
    auth.login("trainer")
    found = client.get("/authoring/library/documents?q=学习材料").get_json()["documents"]
    assert found == [{"key": "dangzhang-2022", "title": "党章学习材料", "collection": "学习资料"}]
    assert len(client.get("/authoring/library/documents?q=").get_json()["documents"]) == 2
    sections = client.get("/authoring/library/sections?key=dangzhang-2022").get_json()["sections"]
    assert {"value": "第一章", "label": "第一章"} in sections
    assert client.get("/authoring/library/sections?key=nothing").get_json() == {"sections": []}
    auth.logout()
    auth.login("member_a")
    assert client.get("/authoring/library/documents?q=学习").status_code == 403
