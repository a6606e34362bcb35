"""In-person sessions, a member's ledger and its corrections, annual targets and conversion rules:
the pages of secretaries, trainers and admins (on the progress blueprint, views.bp)."""

from pathlib import Path

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2

from app.auth.models import Role, User
from app.auth.permissions import permission_required
from app.errors import DomainError
from app.extensions import db
from app.inputs import year_arg
from app.org.models import OrgUnit
from app.org.permissions import can_view_member
from app.org.services import name_path, name_paths
from app.org.unit_rule_page import unit_rule_page
from app.progress import ledger, permissions, sessions
from app.progress.forms import (
    RULE_KIND_LABELS,
    SESSION_KIND_LABELS,
    SOURCE_LABELS,
    TARGET_ROLE_LABELS,
    CorrectionForm,
    RuleForm,
    SessionForm,
    TargetForm,
)
from app.progress.models import HourRule, RuleKind, SessionKind, StudySession
from app.progress.views import bp
from app.web import filled


def _managed_unit_or_404(unit_id: int) -> OrgUnit:
    """A unit the user records sessions, sets targets and rules for (others answer 404)."""
    unit = db.session.scalar(permissions.session_units(current_user).where(OrgUnit.id == unit_id))
    if unit is None:
        abort(404)
    return unit


def _session_evidence_or_404(session_id: int) -> tuple[StudySession, Path]:
    """A session recorded for a unit the user manages, or one they attended, and its evidence file."""
    session = db.session.get(StudySession, session_id)
    if session is None:
        abort(404)
    in_scope = db.session.scalar(
        permissions.visible_sessions(current_user).where(StudySession.id == session_id)
    )
    if in_scope is None and current_user.id not in sessions.attendee_ids(session):
        abort(404)
    path = sessions.session_evidence_path(session)
    if path is None:
        abort(404)
    return session, path


def _ledger_member_or_404(member_id: int) -> User:
    """A member whose ledger the user may correct, or may see."""
    member = db.session.get(User, member_id)
    if member is None or not (
        ledger.can_correct(current_user, member) or can_view_member(current_user, member)
    ):
        abort(404)
    return member


def _correctable_member_or_403(member: User) -> User:
    """The member, when the user may correct their ledger (one they only see answers 403)."""
    if not ledger.can_correct(current_user, member):
        abort(403)
    return member


# --- in-person sessions ----------------------------------------------------------------------------


@bp.get("/sessions/")
@permission_required(permissions.can_record_sessions)
def session_list():
    rows = list(
        db.session.scalars(
            permissions.visible_sessions(current_user)
            .options(selectinload(StudySession.attendances))
            .order_by(StudySession.held_on.desc())
            .limit(200)
        )
    )
    units = list(db.session.scalars(permissions.session_units(current_user)))
    return render_template(
        "progress/sessions.html",
        rows=rows,
        unit_paths=name_paths(units),
        kind_labels=SESSION_KIND_LABELS,
    )


@bp.route("/sessions/new/<int:unit_id>", methods=["GET", "POST"])
@login_required
def new_session(unit_id: int):
    unit = _managed_unit_or_404(unit_id)
    # A group viewing (集中收看) opened from a live lesson's page arrives with its kind and lesson.
    form = SessionForm(
        kind=request.args.get("kind", SessionKind.GROUP_STUDY.value),
        lesson_id=request.args.get("lesson_id", 0, type=int),
        topic=request.args.get("topic", "")[:200],
    )
    members = list(db.session.scalars(permissions.roster(unit)))
    form.attendees.choices = [
        SelectChoice(member.id, f"{member.display_name} ({member.username})") for member in members
    ]
    form.lesson_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(lesson.id, f"{lesson.course.title} · {lesson.title}")
        for lesson in db.session.scalars(sessions.session_lessons().limit(300))
    ]
    if form.validate_on_submit():
        upload = form.evidence.data
        try:
            session = sessions.record_session(
                unit,
                SessionKind(form.kind.data),
                filled(form.held_on.data),
                filled(form.topic.data),
                filled(form.minutes.data),
                form.attendees.data or [],
                sessions.Evidence(upload.read(), upload.filename or ""),
                current_user,
                form.lesson_id.data or None,
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "Session recorded: %(hours)s hours credited to %(count)d members.",
                    hours=ledger.format_hours(session.hours),
                    count=len(session.attendances),
                ),
                "success",
            )
            return redirect(url_for("progress.session_list"))
    return render_template("progress/session_form.html", form=form, unit=unit, unit_path=name_path(unit))


@bp.get("/sessions/<int:session_id>/evidence")
@login_required
def session_evidence(session_id: int):
    session, path = _session_evidence_or_404(session_id)
    response = send_file(path, mimetype=session.evidence_type, conditional=True)
    response.headers["Content-Disposition"] = "inline"
    return response


# --- a member's ledger, for those who may correct it ----------------------------------------------


@bp.route("/members/<int:member_id>/ledger", methods=["GET", "POST"])
@login_required
def member_ledger(member_id: int):
    member = _ledger_member_or_404(member_id)
    may_correct = ledger.can_correct(current_user, member)
    if member.id == current_user.id and not may_correct:
        return redirect(url_for("progress.my_learning"))
    year = year_arg(ledger.local_year())
    form = CorrectionForm(year=year)
    if request.method == "POST":
        member = _correctable_member_or_403(member)
        if form.validate_on_submit():
            try:
                ledger.add_correction(
                    member,
                    filled(form.hours.data),
                    filled(form.reason.data),
                    filled(form.year.data),
                    current_user,
                )
            except DomainError as error:
                flash(error.message, "error")
            else:
                flash(_("The correction has been added to the ledger."), "success")
                return redirect(url_for("progress.member_ledger", member_id=member.id, year=form.year.data))
    return render_template(
        "progress/member_ledger.html",
        member=member,
        report=ledger.ledger_report(member, year),
        form=form if may_correct else None,
        source_labels={kind.value: label for kind, label in SOURCE_LABELS.items()},
    )


# --- annual targets --------------------------------------------------------------------------------


@bp.route("/units/<int:unit_id>/targets", methods=["GET", "POST"])
@login_required
def unit_targets(unit_id: int):
    unit = _managed_unit_or_404(unit_id)
    year = year_arg(ledger.local_year())
    form = TargetForm(year=year)
    if form.validate_on_submit():
        try:
            ledger.set_target(
                unit, Role(form.role.data), filled(form.year.data), filled(form.hours.data), current_user
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The target has been set for this unit and the units below it."), "success")
            return redirect(url_for("progress.unit_targets", unit_id=unit.id, year=form.year.data))
    rows = []
    for role, label in TARGET_ROLE_LABELS.items():
        hours, source = ledger.unit_target(unit, role, year)
        rows.append((role, label, hours, source))
    return render_template(
        "progress/targets.html",
        unit=unit,
        unit_path=name_path(unit),
        year=year,
        rows=rows,
        form=form,
        source_paths=name_paths([source.unit for _r, _l, _h, source in rows if source]),
    )


# --- conversion rules ------------------------------------------------------------------------------


@bp.route("/units/<int:unit_id>/rules", methods=["GET", "POST"])
@login_required
def unit_rules(unit_id: int):
    unit = _managed_unit_or_404(unit_id)

    def form_for(effective: ledger.EffectiveRule) -> RuleForm:
        return RuleForm(
            kind=effective.kind.value,
            bands=ledger.bands_text(effective.bands),
            exam_hours=effective.exam_hours,
            session_minutes_per_hour=effective.session_minutes_per_hour,
        )

    def add(form: RuleForm) -> HourRule:
        return ledger.set_rule(
            unit,
            RuleKind(form.kind.data),
            current_user,
            ledger.parse_bands(form.bands.data or ""),
            filled(form.exam_hours.data),
            filled(form.session_minutes_per_hour.data),
        )

    return unit_rule_page(
        unit,
        HourRule,
        ledger.effective_rule,
        form_for,
        add,
        "progress/rules.html",
        "progress.unit_rules",
        kind_labels=RULE_KIND_LABELS,
    )
