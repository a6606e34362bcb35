"""Trainer pages: create and edit courses, modules and lessons; preview Markdown; upload a folder."""

import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.courses import archive, attachments, authoring, permissions, review
from app.courses.errors import LessonFieldError
from app.courses.folder import display_time
from app.courses.forms import (
    COMPLETION_LABELS,
    KIND_LABELS,
    ORIGIN_LABELS,
    STATUS_LABELS,
    AttachmentForm,
    CourseForm,
    CourseUploadForm,
    LessonForm,
    ModuleForm,
    MoveForm,
    NewCourseForm,
    StatusForm,
    SubmitForReviewForm,
    select_choices,
)
from app.courses.importer import course_revisions
from app.courses.models import CompletionRule, Course, CourseStatus, Lesson, LessonKind, Module
from app.errors import DomainError
from app.extensions import db
from app.library import services as library
from app.markup import render_markdown
from app.media.forms import STATUS_LABELS as VIDEO_STATUS_LABELS
from app.web import filled, run_and_flash

bp = Blueprint("course_authoring", __name__, url_prefix="/authoring", template_folder="templates")

PREVIEW_MAX_CHARS = 200_000


def _editable(course: Course | None) -> Course:
    """The loaders below: 404 for what does not exist, 403 for a course the author may not edit."""
    if course is None:
        abort(404)
    if not permissions.can_edit_course(current_user, course):
        abort(403)
    return course


def _course_or_404(course_id: int) -> Course:
    return _editable(db.session.get(Course, course_id))


def _module_or_404(module_id: int) -> Module:
    module = db.session.get(Module, module_id)
    if module is None or module.removed_at is not None:
        abort(404)
    _editable(module.course)
    return module


def _lesson_or_404(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.removed_at is not None:
        abort(404)
    _editable(lesson.course)
    return lesson


def _course_page(course_id: int, anchor: str = ""):
    """Back to the course's editing page, at ``anchor`` (``#module-3``) when given."""
    return redirect(url_for("course_authoring.edit_course", course_id=course_id) + anchor)


def _course_fields(form: CourseForm) -> authoring.CourseFields:
    return authoring.CourseFields(
        title=filled(form.title.data),
        summary=form.summary.data or "",
        credit_hours=filled(form.credit_hours.data),
        tags=authoring.parse_tags(form.tags.data or ""),
        audience=form.audience.data or "",
    )


def _render_index(form: NewCourseForm | None = None):
    courses = db.session.scalars(
        permissions.editable_courses(current_user).order_by(Course.updated_at.desc())
    )
    return render_template(
        "courses/authoring/index.html",
        courses=list(courses),
        form=form or NewCourseForm(formdata=None),
        upload_form=CourseUploadForm(formdata=None),
        status_labels=STATUS_LABELS,
    )


@bp.get("/courses/")
@permission_required(permissions.can_author)
def index():
    return _render_index()


@bp.post("/courses/new")
@permission_required(permissions.can_author)
def new_course():
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            course = authoring.create_course(current_user, filled(form.slug.data), _course_fields(form))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The course has been created as a draft."), "success")
            return _course_page(course.id)
    return _render_index(form)  # the form again, with what was typed and what is wrong


@bp.route("/courses/<int:course_id>/", methods=["GET", "POST"])
@permission_required(permissions.can_author)
def edit_course(course_id: int):
    course = _course_or_404(course_id)
    form = CourseForm(obj=course if request.method == "GET" else None)
    if request.method == "GET":
        form.tags.data = ", ".join(course.tag_names)
    saved = form.validate_on_submit() and run_and_flash(
        lambda: authoring.update_course(course, _course_fields(form), current_user),
        _("The course has been saved."),
    )
    if saved:
        return _course_page(course.id)
    return render_template(
        "courses/authoring/course.html",
        course=course,
        form=form,
        module_form=ModuleForm(formdata=None),
        revisions=course_revisions(course),
        attachments=attachments.list_attachments(course),
        attachment_form=AttachmentForm(formdata=None),
        origin_labels=ORIGIN_LABELS,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        CourseStatus=CourseStatus,
        review_state=review.review_state(course),
        submit_form=SubmitForReviewForm(formdata=None),
    )


@bp.post("/courses/<int:course_id>/status")
@permission_required(permissions.can_author)
def set_status(course_id: int):
    course = _course_or_404(course_id)
    form = StatusForm()
    if form.validate_on_submit() and form.status.data in {status.value for status in CourseStatus}:
        status = CourseStatus(form.status.data)
        message = (
            _("The course is published.")
            if status is CourseStatus.PUBLISHED
            else _("The course is a draft again.")
        )
        run_and_flash(lambda: authoring.set_status(course, status, current_user), message)
    return _course_page(course.id)


@bp.post("/courses/<int:course_id>/files")
@permission_required(permissions.can_author)
def upload_attachment(course_id: int):
    course = _course_or_404(course_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        limit = current_app.config["COURSE_ATTACHMENT_MAX_BYTES"]
        data = form.file.data.read(limit + 1)
        try:
            path = attachments.save_attachment(course, data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Attached. Link it in a lesson as %(link)s", link=f"../files/{path.name}"), "success")
    else:
        flash(_("Choose an image or PDF to attach."), "error")
    return _course_page(course.id, "#attachments")


@bp.post("/courses/<int:course_id>/modules")
@permission_required(permissions.can_author)
def add_module(course_id: int):
    course = _course_or_404(course_id)
    form = ModuleForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: authoring.add_module(
                course, filled(form.title.data), form.summary.data or "", current_user
            ),
            _("The module has been added."),
        )
    return _course_page(course.id)


@bp.post("/modules/<int:module_id>/edit")
@permission_required(permissions.can_author)
def edit_module(module_id: int):
    module = _module_or_404(module_id)
    form = ModuleForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: authoring.update_module(
                module, filled(form.title.data), form.summary.data or "", current_user
            ),
            _("The module has been saved."),
        )
    return _course_page(module.course_id)


def _move(course_id: int, anchor: str, move: Callable[[int], object]):
    """Move a module or lesson one place the way the MoveForm says (-1 up, 1 down), then show it again."""
    form = MoveForm()
    direction = {"up": -1, "down": 1}.get(filled(form.direction.data)) if form.validate_on_submit() else None
    if direction:
        run_and_flash(lambda: move(direction))
    return _course_page(course_id, anchor)


def _remove(course_id: int, remove: Callable[[], object], success: str):
    """Remove a module or lesson once the removal is confirmed, then show the course again."""
    if ConfirmForm().validate_on_submit():
        run_and_flash(remove, success)
    return _course_page(course_id)


@bp.post("/modules/<int:module_id>/move")
@permission_required(permissions.can_author)
def move_module(module_id: int):
    module = _module_or_404(module_id)
    return _move(
        module.course_id,
        f"#module-{module.id}",
        lambda direction: authoring.move_module(module, direction, current_user),
    )


@bp.post("/modules/<int:module_id>/remove")
@permission_required(permissions.can_author)
def remove_module(module_id: int):
    module = _module_or_404(module_id)
    return _remove(
        module.course_id,
        lambda: authoring.remove_module(module, current_user),
        _("The module has been removed; members' records of its lessons are kept."),
    )


def _ids_sent(name: str) -> list[int] | None:
    """The list of ids a drag-and-drop sends as JSON ``{name: [...]}``; None when it is malformed."""
    payload = request.get_json(silent=True)
    ids = payload.get(name) if isinstance(payload, dict) else None
    if not isinstance(ids, list) or not all(type(each) is int for each in ids):
        return None
    return ids


def _reordered(operation, ids: list[int] | None):
    if ids is None:
        return jsonify(error=_("Send the new order as a list of ids.")), 400
    try:
        operation(ids)
    except DomainError as error:
        return jsonify(error=error.message), 409
    return jsonify(saved=True)


@bp.post("/courses/<int:course_id>/order")
@permission_required(permissions.can_author)
def reorder_modules(course_id: int):
    """Save the order of modules dragged on the editing page: ``{"modules": [id, ...]}``."""
    course = _course_or_404(course_id)
    return _reordered(lambda ids: authoring.reorder_modules(course, ids, current_user), _ids_sent("modules"))


@bp.post("/modules/<int:module_id>/order")
@permission_required(permissions.can_author)
def reorder_lessons(module_id: int):
    """Save the order of a module's lessons dragged on the editing page: ``{"lessons": [id, ...]}``."""
    module = _module_or_404(module_id)
    return _reordered(lambda ids: authoring.reorder_lessons(module, ids, current_user), _ids_sent("lessons"))


def _lesson_fields(form: LessonForm) -> authoring.LessonFields:
    settings = {
        name: getattr(form, name).data
        for name in ("pass_score", "time_limit", "attempts")
        if getattr(form, name).data is not None
    }
    return authoring.LessonFields(
        title=filled(form.title.data),
        kind=LessonKind(form.kind.data),
        minutes=filled(form.minutes.data),
        completion=CompletionRule(form.completion.data) if form.completion.data else None,
        body=form.body.data or "",
        document=form.document.data,
        section=form.section.data,
        quiz_source=form.quiz_source.data,
        quiz_settings=settings,
        video_id=int(form.video_id.data) if (form.video_id.data or "").isdigit() else None,
        starts=form.live_starts.data,
        speaker=form.live_speaker.data,
    )


def _video_choices(form: LessonForm) -> None:
    videos = db.session.scalars(authoring.pickable_videos(current_user))
    form.video_id.choices = select_choices(
        [("", _("Choose a video"))]
        + [
            (str(video.id), f"{video.original_filename} · {VIDEO_STATUS_LABELS[video.status]}")
            for video in videos
        ]
    )


def _section_choices(form: LessonForm) -> None:
    """The chosen document's sections (the picker's script refills them when another is chosen)."""
    choices = [("", _("From the beginning")), *authoring.section_choices(form.document.data)]
    if form.section.data and form.section.data not in {value for value, _label in choices}:
        choices.append((form.section.data, form.section.data))  # what is saved stays visible
    form.section.choices = select_choices(choices)


def _save_lesson(form: LessonForm, operation) -> bool:
    """Run the add or update service; a problem with one field is shown at that field."""
    try:
        operation()
    except LessonFieldError as error:
        getattr(form, error.field).errors = [*getattr(form, error.field).errors, error.message]
        flash(_("The lesson was not saved: see the marked field."), "error")
        return False
    except DomainError as error:
        flash(error.message, "error")
        return False
    return True


def _render_lesson_form(module: Module, form: LessonForm, lesson: Lesson | None):
    _section_choices(form)
    document = library.get_document_by_key(form.document.data) if form.document.data else None
    return render_template(
        "courses/authoring/lesson.html",
        module=module,
        course=module.course,
        lesson=lesson,
        form=form,
        chosen_document=document,
        preview=_preview_html(module.course, form.body.data or ""),
        completion_labels=COMPLETION_LABELS,
    )


@bp.route("/modules/<int:module_id>/lessons/new", methods=["GET", "POST"])
@permission_required(permissions.can_author)
def new_lesson(module_id: int):
    module = _module_or_404(module_id)
    form = LessonForm()
    _video_choices(form)
    added: list[Lesson] = []
    if form.validate_on_submit() and _save_lesson(
        form, lambda: added.append(authoring.add_lesson(module, _lesson_fields(form), current_user))
    ):
        flash(_("The lesson has been added."), "success")
        return _course_page(module.course_id, f"#lesson-{added[0].id}")
    return _render_lesson_form(module, form, None)


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@permission_required(permissions.can_author)
def edit_lesson(lesson_id: int):
    lesson = _lesson_or_404(lesson_id)
    form = LessonForm(obj=lesson if request.method == "GET" else None)
    _video_choices(form)
    if request.method == "GET":
        form.video_id.data = str(lesson.video_id or "")
        form.kind.data = lesson.kind.value
        form.completion.data = lesson.completion.value
        form.minutes.data = lesson.estimated_minutes
        form.document.data = lesson.reading_document
        form.section.data = lesson.reading_section
        for name in ("pass_score", "time_limit", "attempts"):
            getattr(form, name).data = (lesson.quiz_settings or {}).get(name)
        form.live_starts.data = display_time(lesson.live_starts_at) if lesson.live_starts_at else None
        form.live_speaker.data = lesson.live_speaker
    if form.validate_on_submit() and _save_lesson(
        form, lambda: authoring.update_lesson(lesson, _lesson_fields(form), current_user)
    ):
        flash(_("The lesson has been saved."), "success")
        return redirect(url_for("course_authoring.edit_lesson", lesson_id=lesson.id))
    return _render_lesson_form(lesson.module, form, lesson)


@bp.post("/lessons/<int:lesson_id>/move")
@permission_required(permissions.can_author)
def move_lesson(lesson_id: int):
    lesson = _lesson_or_404(lesson_id)
    return _move(
        lesson.course_id,
        f"#lesson-{lesson.id}",
        lambda direction: authoring.move_lesson(lesson, direction, current_user),
    )


@bp.post("/lessons/<int:lesson_id>/remove")
@permission_required(permissions.can_author)
def remove_lesson(lesson_id: int):
    lesson = _lesson_or_404(lesson_id)
    return _remove(
        lesson.course_id,
        lambda: authoring.remove_lesson(lesson, current_user),
        _("The lesson has been removed; members' records are kept."),
    )


def _preview_html(course: Course, text: str) -> Markup:
    """Render as the lesson page does; links to ../files/ point where the lesson page resolves them."""
    html = str(render_markdown(text))
    files = url_for("courses.attachment", slug=course.slug, name="")
    return Markup(
        html.replace('src="../files/', f'src="{files}').replace('href="../files/', f'href="{files}')
    )


@bp.get("/library/documents")
@permission_required(permissions.can_author)
def pick_documents():
    """The reading-lesson picker: library documents whose title or identifier holds ?q=."""
    return jsonify(documents=authoring.document_choices(request.args.get("q", "")[:100]))


@bp.get("/library/sections")
@permission_required(permissions.can_author)
def pick_sections():
    """The reading-lesson picker: the sections of the document ?key=, as the lesson names them."""
    choices = authoring.section_choices(request.args.get("key", "")[:200])
    return jsonify(sections=[{"value": value, "label": label} for value, label in choices])


@bp.post("/courses/<int:course_id>/preview")
@permission_required(permissions.can_author)
def preview(course_id: int):
    """Render Markdown exactly as a lesson page does (same renderer, same sanitiser)."""
    course = _course_or_404(course_id)
    text = request.get_json(silent=True, force=False) or {}
    markdown_text = text.get("markdown") if isinstance(text, dict) else None
    if not isinstance(markdown_text, str) or len(markdown_text) > PREVIEW_MAX_CHARS:
        return jsonify(error=_('Send the Markdown text as {"markdown": "..."}.')), 400
    return jsonify(html=str(_preview_html(course, markdown_text)))


@bp.post("/courses/upload")
@permission_required(permissions.can_author)
def upload():
    form = CourseUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a .zip file of a course folder."), "error")
        return redirect(url_for("course_authoring.index"))
    with tempfile.TemporaryDirectory(dir=current_app.instance_path) as workdir:
        path = Path(workdir) / "upload.zip"
        form.archive.data.save(path)
        try:
            result = archive.import_zip(path, current_user)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("course_authoring.index"))
    flash(
        _(
            "Course imported: %(added)d lessons added, %(updated)d updated, %(removed)d removed.",
            added=len(result.added),
            updated=len(result.updated),
            removed=len(result.removed),
        ),
        "success",
    )
    return _course_page(result.course.id)
