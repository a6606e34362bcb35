"""Member pages: the catalogue, a course, a lesson; and assigning a course to units."""

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.forms import ConfirmForm
from app.auth.permissions import is_read_only
from app.courses import attachments, learning, permissions, services
from app.courses.forms import KIND_LABELS, AssignmentForm, completion_label, select_choices
from app.courses.importer import course_folder
from app.courses.models import Assignment, Course, Lesson, LessonKind
from app.errors import DomainError
from app.extensions import db
from app.markup import render_markdown
from app.org.models import OrgUnit
from app.org.services import name_paths
from app.web import filled

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")


def _course_or_404(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not permissions.can_view_course(current_user, course):
        abort(404)
    return course


def _assignable_course_or_404(slug: str) -> Course:
    """A course the user sees (else 404), if they may assign courses (else 403)."""
    course = _course_or_404(slug)
    if not permissions.can_assign(current_user):
        abort(403)
    return course


def _lesson_or_404(course: Course, lesson_id: int) -> Lesson:
    lesson = db.session.scalar(
        select(Lesson).where(
            Lesson.id == lesson_id, Lesson.course_id == course.id, Lesson.removed_at.is_(None)
        )
    )
    if lesson is None:
        abort(404)
    return lesson


@bp.get("/")
@login_required
def catalogue():
    query = request.args.get("q", "")[:100]
    tag = request.args.get("tag", "")[:50]
    return render_template(
        "courses/catalogue.html",
        entries=services.catalogue(current_user, query, tag),
        tags=services.catalogue_tags(),
        query=query,
        tag=tag,
        can_author=permissions.can_author(current_user),
    )


@bp.get("/<slug>/")
@login_required
def course(slug: str):
    course = _course_or_404(slug)
    lessons = services.current_lessons(course)
    progress = learning.record().progress_by_lesson(current_user, course)
    completed = sum(1 for lesson in lessons if lesson.id in progress and progress[lesson.id].completed_at)
    return render_template(
        "courses/course.html",
        course=course,
        assignment=services.member_assignments(current_user).get(course.id),
        enrolled=services.is_enrolled(current_user, course),
        progress=progress,
        lesson_count=len(lessons),
        completed_count=completed,
        total_minutes=sum(lesson.estimated_minutes for lesson in lessons),
        kind_labels=KIND_LABELS,
        can_edit=permissions.can_edit_course(current_user, course),
        can_assign=permissions.can_assign(current_user) and course.is_published,
        certificate=learning.record().certificate_for(current_user, course),
    )


@bp.post("/<slug>/enrol")
@login_required
def enrol(slug: str):
    course = _course_or_404(slug)
    if ConfirmForm().validate_on_submit():
        try:
            services.enrol(current_user, course)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("You are enrolled in this course."), "success")
    return redirect(url_for("courses.course", slug=course.slug))


@bp.get("/<slug>/lessons/<int:lesson_id>")
@login_required
def lesson(slug: str, lesson_id: int):
    course = _course_or_404(slug)
    lesson = _lesson_or_404(course, lesson_id)
    if lesson.kind is LessonKind.LIVE:  # the live domain's page: player, questions, replay
        return redirect(url_for("live.lesson", lesson_id=lesson.id))
    # An auditor reads lessons without becoming a learner of them.
    studying = course.is_published and not is_read_only(current_user)
    progress = learning.record().open_lesson(current_user, lesson) if studying else None
    watch = None
    if lesson.kind is LessonKind.VIDEO and studying:
        watch = learning.record().player_state(current_user, lesson)
    previous, following = services.neighbours(lesson)
    return render_template(
        "courses/lesson.html",
        course=course,
        lesson=lesson,
        body=render_markdown(lesson.body),
        progress=progress,
        watch=watch,
        previous=previous,
        following=following,
        reading=services.reading_reference(lesson),
        kind_labels=KIND_LABELS,
        completion_label=completion_label(lesson.kind, lesson.completion),
        LessonKind=LessonKind,
    )


def _file_in_course(course: Course, relative: str | None) -> Path:
    folder = course_folder(course)
    if folder is None or not relative:
        abort(404)
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        abort(404)
    return path


@bp.get("/<slug>/cover")
@login_required
def cover(slug: str):
    course = _course_or_404(slug)
    path = _file_in_course(course, course.cover)
    with path.open("rb") as handle:
        kind = attachments.sniff(handle.read(16))
    if kind is None or kind[1] == "application/pdf":
        abort(404)  # only raster images are served as covers (SVG and HTML never are)
    return send_file(path, mimetype=kind[1], conditional=True, max_age=3600)


@bp.get("/<slug>/files/<name>")
@login_required
def attachment(slug: str, name: str):
    """Serve an attached image or PDF, typed by its content, inline (never SVG or HTML)."""
    course = _course_or_404(slug)
    found = attachments.servable_attachment(course, name)
    if found is None:
        abort(404)
    path, mimetype = found
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=3600)
    response.headers["Content-Disposition"] = "inline"
    return response


# --- assignments -----------------------------------------------------------------------------------


def _unit_choices():
    units = list(db.session.scalars(permissions.assignable_units(current_user)))
    paths = name_paths(units)
    return select_choices(sorted(((unit.id, paths[unit.id]) for unit in units), key=lambda choice: choice[1]))


def _assignable_unit_or_403(unit_id: int | None) -> OrgUnit:
    """The unit chosen on the assignment form, if the user may assign to it (else 403, like a unit
    that does not exist: the form offers only those they may)."""
    unit = None if unit_id is None else db.session.get(OrgUnit, unit_id)
    if unit is None or not permissions.can_assign_to(current_user, unit):
        abort(403)
    return unit


@bp.route("/<slug>/assignments", methods=["GET", "POST"])
@login_required
def assignments(slug: str):
    course = _assignable_course_or_404(slug)
    form = AssignmentForm(year=services.current_year())
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        unit = _assignable_unit_or_403(form.unit_id.data)
        try:
            services.assign_course(
                course, unit, filled(form.year.data), form.required.data, form.due_date.data, current_user
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The course has been assigned."), "success")
            return redirect(url_for("courses.assignments", slug=course.slug))
    rows = list(
        db.session.scalars(
            permissions.visible_assignments(current_user, course).order_by(
                Assignment.year.desc(), Assignment.id
            )
        )
    )
    return render_template(
        "courses/assignments.html",
        course=course,
        form=form,
        rows=rows,
        unit_paths=name_paths([row.unit for row in rows]),
    )


@bp.post("/<slug>/assignments/<int:assignment_id>/delete")
@login_required
def delete_assignment(slug: str, assignment_id: int):
    course = _course_or_404(slug)
    assignment = db.session.scalar(
        permissions.visible_assignments(current_user, course).where(Assignment.id == assignment_id)
    )
    if assignment is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_assignment(assignment)
        flash(_("The assignment has been withdrawn."), "success")
    return redirect(url_for("courses.assignments", slug=course.slug))
