"""Review before publishing: only approved revisions reach members; reviewers never judge their own."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.courses import authoring, permissions, review
from app.courses.archive import import_zip
from app.courses.errors import CourseError
from app.courses.models import (
    Course,
    CourseReview,
    CourseRevision,
    CourseStatus,
    Lesson,
    LessonKind,
    ReviewStatus,
    RevisionOrigin,
)
from app.extensions import db
from app.progress.models import LessonProgress
from app.progress.services import open_lesson
from app.quizzes.models import Quiz
from tests.courses.test_upload import zip_folder
from tests.factories.auth import make_user
from tests.factories.courses import GIFT, make_course, text_lessons, user_named, write_course_folder
from tests.web import csrf_token


@pytest.fixture
def reviewers(app, world):
    with app.app_context():
        make_user("reviewer", (Role.REVIEWER, Role.MEMBER), "甲党委", name="审核员")
        make_user("reviewer2", (Role.REVIEWER, Role.TRAINER, Role.MEMBER), "乙党委", name="审核员二")


def turn_review_on(app) -> None:
    app.config["COURSE_REVIEW_REQUIRED"] = True


def lesson_titled(course: Course, title: str) -> Lesson:
    return next(lesson for m in course.modules for lesson in m.current_lessons if lesson.title == title)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def text_fields(title: str, body: str) -> authoring.LessonFields:
    return authoring.LessonFields(title=title, kind=LessonKind.TEXT, minutes=10, body=body)


# --- a new course ---------------------------------------------------------------------------------


def test_a_draft_is_submitted_frozen_then_published_by_a_reviewer(app, reviewers):
    with app.app_context():
        course = make_course("new-course", published=False, lessons=text_lessons(2))
        turn_review_on(app)
        trainer, member = user_named("trainer"), user_named("member_a")
        with pytest.raises(CourseError, match="请提交审核"):
            authoring.set_status(course, CourseStatus.PUBLISHED, trainer)
        submission = review.submit(course, trainer, "请审核")
        assert submission.status is ReviewStatus.PENDING

        # Frozen while waiting: every change is refused and nothing of it is kept.
        with pytest.raises(CourseError, match="正在等待审核"):
            authoring.update_lesson(lesson_titled(course, "课1"), text_fields("课1", "偷偷改"), trainer)
        with pytest.raises(CourseError, match="正在等待审核"):
            authoring.add_module(course, "新单元", editor=trainer)
        db.session.expire_all()
        assert lesson_titled(course, "课1").body == "内容1"
        assert len(course.modules) == 1
        assert not permissions.can_view_course(member, course)

        published = review.approve(submission, user_named("reviewer"), "同意")
        assert published.is_published and published.published_at is not None
        assert permissions.can_view_course(member, published)
        assert submission.status is ReviewStatus.APPROVED and submission.reviewer.username == "reviewer"
        assert audit_actions()[-2:] == ["course.submit", "course.approve"]


def test_returning_needs_comments_and_opens_the_course_again(app, reviewers):
    with app.app_context():
        course = make_course("returned", published=False, lessons=text_lessons(2))
        turn_review_on(app)
        trainer = user_named("trainer")
        submission = review.submit(course, trainer)
        with pytest.raises(CourseError, match="必须填写意见"):
            review.return_for_changes(submission, user_named("reviewer"), "  ")
        review.return_for_changes(submission, user_named("reviewer"), "第2课内容需要补充出处。")
        assert submission.status is ReviewStatus.RETURNED
        assert not course.is_published
        authoring.update_lesson(lesson_titled(course, "课2"), text_fields("课2", "补充了出处"), trainer)
        again = review.submit(course, trainer)
        assert again.id != submission.id
        with pytest.raises(CourseError, match="已有审核决定"):
            review.approve(submission, user_named("reviewer"))


def test_a_trainer_may_withdraw_a_submission_to_change_it(app, reviewers):
    with app.app_context():
        course = make_course("withdrawn", published=False, lessons=text_lessons(2))
        turn_review_on(app)
        trainer = user_named("trainer")
        submission = review.submit(course, trainer)
        review.withdraw(course, trainer)
        assert submission.status is ReviewStatus.WITHDRAWN
        authoring.update_lesson(lesson_titled(course, "课1"), text_fields("课1", "改好了"), trainer)
        assert lesson_titled(course, "课1").body == "改好了"
        with pytest.raises(CourseError, match="未在等待审核"):
            review.withdraw(course, trainer)


def test_no_one_decides_on_a_course_they_submitted_or_own(app, reviewers):
    with app.app_context():
        owned = make_course("reviewer-owned", owner="reviewer2", published=False, lessons=text_lessons(2))
        turn_review_on(app)
        submission = review.submit(owned, user_named("reviewer2"))
        assert not review.may_decide(user_named("reviewer2"), submission)
        with pytest.raises(CourseError, match="另一位审核员"):
            review.approve(submission, user_named("reviewer2"))
        assert not owned.is_published
        for not_a_reviewer in ("trainer", "member_a", "sec_a"):
            assert not review.may_decide(user_named(not_a_reviewer), submission)
        assert review.may_decide(user_named("admin"), submission)
        review.approve(submission, user_named("reviewer"))
        assert owned.is_published


# --- a published course: its new revision --------------------------------------------------------


def test_a_published_course_changes_for_members_only_when_its_revision_is_approved(app, reviewers):
    with app.app_context():
        live = make_course("live", lessons=text_lessons(3))
        member = user_named("member_a")
        kept = lesson_titled(live, "课1")
        open_lesson(member, kept)  # a member's progress on a lesson that stays
        turn_review_on(app)
        trainer = user_named("trainer")
        with pytest.raises(CourseError, match="新修订"):
            authoring.update_lesson(lesson_titled(live, "课2"), text_fields("课2", "直接改"), trainer)

        copy = review.start_revision(live, trainer)
        assert copy.draft_of_id == live.id and not copy.is_published
        assert review.start_revision(live, trainer).id == copy.id  # one working copy per course
        authoring.update_lesson(lesson_titled(copy, "课2"), text_fields("课2", "新版内容"), trainer)
        authoring.remove_lesson(lesson_titled(copy, "课3"), trainer)
        added = authoring.add_lesson(copy.modules[0], text_fields("第4课", "新增"), trainer)
        authoring.update_course(copy, authoring.CourseFields(title="新版课程"), trainer)
        with pytest.raises(CourseError, match="批准后"):
            authoring.set_status(copy, CourseStatus.PUBLISHED, trainer)

        db.session.expire_all()
        assert live.title == "课程live"  # members still see the published version
        assert lesson_titled(live, "课2").body == "内容2"
        assert [lesson.title for lesson in live.modules[0].current_lessons] == ["课1", "课2", "课3"]

        changes = review.lesson_changes(copy)
        assert [lesson.title for lesson in changes["added"]] == ["第4课"]
        assert [lesson.title for lesson in changes["changed"]] == ["课2"]
        assert [lesson.title for lesson in changes["removed"]] == ["课3"]

        submission = review.submit(copy, trainer, "更新第2课")
        review.approve(submission, user_named("reviewer"), "同意发布")
        db.session.expire_all()
        assert live.title == "新版课程" and live.is_published
        assert [lesson.title for lesson in live.modules[0].current_lessons] == ["课1", "课2", "第4课"]
        assert lesson_titled(live, "课2").body == "新版内容"
        removed = db.session.scalar(select(Lesson).where(Lesson.course_id == live.id, Lesson.title == "课3"))
        assert removed.removed_at is not None  # kept, with its records
        progress = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == kept.id))
        assert progress is not None and lesson_titled(live, "课1").id == kept.id
        assert added.key != removed.key
        revision = db.session.scalar(
            select(CourseRevision)
            .where(CourseRevision.course_id == live.id)
            .order_by(CourseRevision.number.desc())
        )
        assert revision.origin is RevisionOrigin.REVIEW and revision.created_by.username == "trainer"
        assert audit_actions()[-3:] == ["course.revision_started", "course.submit", "course.approve"]

        # The copy stays for the next round, equal to what members see now.
        assert review.content_digest(copy) == review.content_digest(live)
        with pytest.raises(CourseError, match="与已发布的课程相同"):
            review.submit(copy, trainer)


def test_a_new_lesson_of_a_revision_never_revives_a_removed_lesson(app, reviewers):
    with app.app_context():
        live = make_course("keys", lessons=text_lessons(2))
        trainer = user_named("trainer")
        removed = lesson_titled(live, "课2")
        authoring.remove_lesson(removed, trainer)
        turn_review_on(app)
        copy = review.start_revision(live, trainer)
        added = authoring.add_lesson(copy.modules[0], text_fields("新课", "新"), trainer)
        assert added.key != removed.key
        review.approve(review.submit(copy, trainer), user_named("reviewer"))
        db.session.expire_all()
        assert removed.removed_at is not None and removed.title == "课2"


def test_an_approved_revision_keeps_videos_and_gives_a_changed_quiz_its_own_quiz(app, reviewers):
    from app.media.models import Video, VideoStatus

    with app.app_context():
        live = make_course("media", lessons=text_lessons(1))
        trainer = user_named("trainer")
        module = live.modules[0]
        quiz_lesson = authoring.add_lesson(
            module,
            authoring.LessonFields(title="测验", kind=LessonKind.QUIZ, minutes=5, quiz_source=GIFT),
            trainer,
        )
        video = Video(
            sha256="a" * 64,
            original_filename="讲座.mp4",
            source_path="x.mp4",
            source_format="mp4",
            size_bytes=1,
            status=VideoStatus.READY,
            duration=60.0,
        )
        db.session.add(video)
        video_lesson = lesson_titled(live, "课1")
        video_lesson.kind, video_lesson.video_id, video_lesson.video_path = (
            LessonKind.VIDEO,
            None,
            "media/a.mp4",
        )
        db.session.flush()
        video_lesson.video_id = video.id
        db.session.commit()
        old_quiz = quiz_lesson.quiz_id
        turn_review_on(app)

        copy = review.start_revision(live, trainer)
        copy_quiz_lesson = lesson_titled(copy, "测验")
        assert lesson_titled(copy, "课1").video_id == video.id
        assert copy_quiz_lesson.quiz_id == old_quiz  # unchanged: the same quiz
        authoring.update_lesson(
            copy_quiz_lesson,
            authoring.LessonFields(
                title="测验",
                kind=LessonKind.QUIZ,
                minutes=5,
                quiz_source=GIFT + "\n::q2::入党誓词共八十字。{T}\n",
            ),
            trainer,
        )
        db.session.expire_all()
        assert quiz_lesson.quiz_id == old_quiz  # members' quiz untouched until approval
        review.approve(review.submit(copy, trainer), user_named("reviewer"))
        db.session.expire_all()
        assert lesson_titled(live, "课1").video_id == video.id
        new_quiz = db.session.get(Quiz, quiz_lesson.quiz_id)
        assert quiz_lesson.quiz_id != old_quiz and new_quiz.published
        assert len(new_quiz.slots) == 2  # the new text's two questions


def test_with_review_off_nothing_changes_for_trainers(app, reviewers):
    with app.app_context():
        course = make_course("plain", published=False, lessons=text_lessons(2))
        trainer = user_named("trainer")
        with pytest.raises(CourseError, match="未启用审核"):
            review.submit(course, trainer)
        authoring.set_status(course, CourseStatus.PUBLISHED, trainer)
        assert course.is_published


def test_a_zip_upload_with_review_on_arrives_as_a_draft_and_cannot_replace_a_published_course(
    app, reviewers, tmp_path
):
    with app.app_context():
        turn_review_on(app)
        folder = write_course_folder(tmp_path / "src", slug="zipped", status="published")
        archive = tmp_path / "zipped.zip"
        archive.write_bytes(zip_folder(folder))
        result = import_zip(archive, user_named("trainer"))
        assert result.course.status is CourseStatus.DRAFT
        result.course.status = CourseStatus.PUBLISHED  # approved meanwhile
        db.session.commit()
        with pytest.raises(CourseError, match="编辑其新修订"):
            import_zip(archive, user_named("trainer"))
        assert db.session.scalar(select(func.count(Course.id)).where(Course.slug == "zipped")) == 1


# --- pages ----------------------------------------------------------------------------------------


def test_pages_trainer_submits_reviewer_approves_members_see_it(app, reviewers, client, auth):
    with app.app_context():
        course_id = make_course("pages", published=False, lessons=text_lessons(2)).id
    turn_review_on(app)
    auth.login("trainer")
    editor = client.get(f"/authoring/courses/{course_id}/").get_data(as_text=True)
    assert 'data-testid="submit-review"' in editor and 'data-testid="publish"' not in editor
    token = csrf_token(client, f"/authoring/courses/{course_id}/")
    client.post(f"/reviews/courses/{course_id}/submit", data={"csrf_token": token, "note": "第一版"})
    editor = client.get(f"/authoring/courses/{course_id}/").get_data(as_text=True)
    assert 'data-testid="review-pending"' in editor and 'data-testid="editor-locked"' in editor
    assert client.get("/reviews/").status_code == 403  # a trainer is not a reviewer
    auth.logout()

    auth.login("member_a")
    assert client.get("/reviews/").status_code == 403
    assert client.get("/courses/pages/").status_code == 404
    auth.logout()

    auth.login("reviewer")
    queue = client.get("/reviews/").get_data(as_text=True)
    assert "课程pages" in queue and 'data-testid="nav-reviews"' in queue
    with app.app_context():
        review_id = review.pending_review(db.session.get(Course, course_id)).id
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "第一版" in page and page.count('data-testid="review-lesson"') == 2
    token = csrf_token(client, f"/reviews/{review_id}")
    response = client.post(f"/reviews/{review_id}/approve", data={"csrf_token": token, "comments": ""})
    assert response.status_code == 302
    assert "已通过" in client.get(f"/reviews/{review_id}").get_data(as_text=True)
    auth.logout()

    auth.login("member_a")
    assert client.get("/courses/pages/").status_code == 200


def test_pages_a_published_course_is_edited_through_its_new_revision(app, reviewers, client, auth):
    with app.app_context():
        course_id = make_course("live-pages", lessons=text_lessons(2)).id
    turn_review_on(app)
    auth.login("trainer")
    editor = client.get(f"/authoring/courses/{course_id}/").get_data(as_text=True)
    assert 'data-testid="start-revision"' in editor and 'data-testid="editor-locked"' in editor
    token = csrf_token(client, f"/authoring/courses/{course_id}/")
    refused = client.post(
        f"/authoring/courses/{course_id}/",
        data={"csrf_token": token, "title": "直接改名", "credit_hours": "1"},
        follow_redirects=True,
    )
    assert "先经过审核" in refused.get_data(as_text=True)
    response = client.post(f"/reviews/courses/{course_id}/revision", data={"csrf_token": token})
    copy_url = response.headers["Location"]
    assert copy_url != f"/authoring/courses/{course_id}/"
    copy_page = client.get(copy_url).get_data(as_text=True)
    assert "新修订" in copy_page and 'data-testid="submit-review"' in copy_page
    assert 'data-testid="editor-locked"' not in copy_page
    index = client.get("/authoring/courses/").get_data(as_text=True)
    assert 'data-testid="revision-badge"' in index
    with app.app_context():
        assert db.session.get(Course, course_id).title == "课程live-pages"


def test_a_reviewer_cannot_approve_their_own_submission_through_the_page(app, reviewers, client, auth):
    with app.app_context():
        course = make_course("own", owner="reviewer2", published=False, lessons=text_lessons(2))
        turn_review_on(app)
        review_id = review.submit(course, user_named("reviewer2")).id
    auth.login("reviewer2")
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert 'data-testid="not-your-decision"' in page and 'data-testid="approve"' not in page
    token = csrf_token(client, f"/reviews/{review_id}")
    response = client.post(f"/reviews/{review_id}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert "另一位审核员" in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(CourseReview, review_id).course.is_published


def test_unknown_review_and_course_ids_are_404(app, reviewers, client, auth):
    auth.login("reviewer")
    assert client.get("/reviews/999999").status_code == 404
    token = csrf_token(client, "/reviews/")
    assert client.post("/reviews/999999/approve", data={"csrf_token": token}).status_code == 404
    auth.logout()
    auth.login("trainer")
    token = csrf_token(client, "/authoring/courses/")
    assert client.post("/reviews/courses/999999/submit", data={"csrf_token": token}).status_code == 404
