"""Self-study: a unit's rule on whether watching the library's videos earns 学时, and the watching itself.

Watching a video resource is verified exactly like a video lesson, by progress's heartbeat rules
(app/progress/watching/: ``viewer`` for the session and the budget, ``heartbeats`` for the intervals): the resource page opens the member's one viewing session (the newest page
wins, across lessons and resources alike), each heartbeat spends the member's one wall-clock budget
(so a resource and a lesson playing side by side never earn twice), and the union of the accepted
intervals is what counts. A resource is completed when that union covers the completion share of the
video (PROGRESS_VIDEO_COMPLETION_SHARE). Completing it appends a ``completed`` statement and, when the
member's unit's self-study rule earns hours, one ledger entry through ``ledger.credit`` (source
``resource``, unique per member and resource, the statement as evidence) — in the heartbeat's own
transaction: one heartbeat is one event.

The rule is versioned per unit like the conversion rules (app/org/unit_rules.py): the nearest unit's
latest version applies to the units below; without one, self-study earns no hours.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.library.models import Resource, ResourceKind
from app.media.models import VideoStatus
from app.org import unit_rules
from app.org.models import OrgUnit
from app.progress import ledger
from app.progress.models import HourEntry, SourceKind
from app.progress.statements import add_statement
from app.progress.watching import heartbeats, viewer
from app.progress.watching.refusals import MAX_ID, HeartbeatRefused, record_refusal, setting
from app.selfstudy import permissions
from app.selfstudy.models import ResourceWatch, SelfStudyRule
from app.timeutil import utcnow


class SelfStudyError(DomainError):
    pass


# --- the rule --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveSelfStudyRule:
    earns_hours: bool = False
    minutes_per_hour: int = 45
    yearly_cap: Decimal | None = None
    label: str = "selfstudy/default"

    def hours_for(self, seconds: float) -> Decimal:
        """Hours for a video of ``seconds``: one per ``minutes_per_hour``, down to the hundredth."""
        if not self.earns_hours:
            return Decimal("0")
        return (Decimal(str(seconds)) / 60 / self.minutes_per_hour).quantize(Decimal("0.01"), ROUND_DOWN)


NO_HOURS = EffectiveSelfStudyRule()


def nearest_rule(unit: OrgUnit | None, at: datetime | None = None) -> SelfStudyRule | None:
    """The latest version (added by ``at``, else now) of the unit's own rule, else of the nearest
    ancestor's; None when no unit on the path has one."""
    return unit_rules.nearest_version(SelfStudyRule, unit, at)


def effective_rule(rule: SelfStudyRule | None) -> EffectiveSelfStudyRule:
    if rule is None:
        return NO_HOURS
    return EffectiveSelfStudyRule(rule.earns_hours, rule.minutes_per_hour, rule.yearly_cap, rule.label)


def rule_for(member: User, at: datetime | None = None) -> EffectiveSelfStudyRule:
    return effective_rule(nearest_rule(member.unit, at))


def rule_labels() -> set[str]:
    """Every self-study rule version's label (``flask progress verify`` accepts them)."""
    return unit_rules.version_labels(SelfStudyRule)


def set_rule(
    unit: OrgUnit, earns_hours: bool, minutes_per_hour: object, yearly_cap: object, created_by: User | None
) -> SelfStudyRule:
    """Add a new version of the unit's self-study rule (credits already given keep theirs)."""
    try:
        minutes = int(str(minutes_per_hour))
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= 240:
        raise SelfStudyError(_("An hour of self-study lasts between 1 and 240 minutes of video."))
    cap = None
    if yearly_cap not in (None, ""):
        try:
            cap = Decimal(str(yearly_cap))
        except InvalidOperation:
            cap = Decimal("-1")
        if not cap.is_finite() or not 0 <= cap <= 500 or cap != round(cap, 1):
            raise SelfStudyError(
                _("Give the yearly limit as hours from 0 to 500 (one decimal), or leave it empty.")
            )
    rule = SelfStudyRule(earns_hours=bool(earns_hours), minutes_per_hour=minutes, yearly_cap=cap)
    detail = {
        "earns_hours": rule.earns_hours,
        "minutes_per_hour": minutes,
        "yearly_cap": ledger.format_hours(cap) if cap is not None else None,
    }
    return unit_rules.add_version(rule, unit, created_by, "self_study_rule", detail, SelfStudyError)


# --- watching -----------------------------------------------------------------------------------


# A resource's viewing session is on no lesson: the member's viewer row names none, so a lesson page
# opened later supersedes it and the other way round (one session and one budget per member).
NO_LESSON = None


def _watchable(resource_id: int) -> Resource | None:
    """The published video resource, if heartbeats may count on it."""
    if not 0 < resource_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Resource).where(Resource.id == resource_id, permissions.watchable_for_credit())
    )


def _duration(resource: Resource) -> float | None:
    video = resource.video
    if video is None or video.status is not VideoStatus.READY or not video.duration:
        return None
    return float(video.duration)


def _row(member: User, resource: Resource) -> ResourceWatch | None:
    return db.session.scalar(
        select(ResourceWatch).where(
            ResourceWatch.user_id == member.id, ResourceWatch.resource_id == resource.id
        )
    )


def resource_player(
    member: User, resource: Resource, now: datetime | None = None
) -> dict[str, object] | None:
    """Open a viewing session for the resource page's player; None while its video is not ready.

    The library's resource page asks this (``resources.player_providers``).
    """
    duration = _duration(resource)
    if duration is None or resource.kind is not ResourceKind.VIDEO:
        return None
    now = now or utcnow()
    session = viewer.open_session(member.id, NO_LESSON, now)
    row = _row(member, resource)
    if row is None:
        row = ResourceWatch(user_id=member.id, resource_id=resource.id, intervals=[], updated_at=now)
        db.session.add(row)
    row.session_token = session
    db.session.commit()
    rule = rule_for(member, now)
    credited = _credited(member, resource)
    return {
        "session": session,
        "viewing_token": "",  # heartbeats go with the session cookie and the CSRF token
        "resume_at": row.resume_at,
        "furthest": max((high for _low, high in row.intervals), default=0.0),
        "coverage": min(1.0, row.verified_seconds / duration),
        "completed": row.completed_at is not None,
        "earns_hours": rule.earns_hours,
        "hours": ledger.format_hours(credited.hours if credited else rule.hours_for(duration)),
        "credited": credited is not None,
    }


def _credited(member: User, resource: Resource) -> HourEntry | None:
    return db.session.scalar(
        select(HourEntry).where(
            HourEntry.user_id == member.id,
            HourEntry.source_kind == SourceKind.RESOURCE,
            HourEntry.source_id == resource.id,
        )
    )


def heartbeat(
    member: User, resource_id: int, payload: object, now: datetime | None = None
) -> heartbeats.Figures:
    """Verify one heartbeat of a video resource and credit its interval; raise HeartbeatRefused (its
    refusal stored, under lesson 0 with the resource's id) when refused."""
    now = now or utcnow()
    try:
        return _heartbeat(member, resource_id, payload, now)
    except HeartbeatRefused as refusal:
        record_refusal(
            member, 0, f"resource_{refusal.reason}"[:40], {"resource_id": resource_id, "sent": payload}, now
        )
        raise


def _heartbeat(member: User, resource_id: int, payload: object, now: datetime) -> heartbeats.Figures:
    resource = _watchable(resource_id)
    if resource is None:
        raise HeartbeatRefused(404, "not_visible")
    beat = heartbeats.parse(payload)
    row = _row(member, resource)
    if beat.session is None or row is None or row.session_token != beat.session:
        raise HeartbeatRefused(409, "superseded")  # only the session the resource page opened counts
    duration = _duration(resource)
    if duration is None:
        raise HeartbeatRefused(409, "video_not_ready")
    if beat.end > duration + heartbeats.END_SLACK:
        raise HeartbeatRefused(422, "beyond_duration")
    length = beat.end - beat.start
    # The budget is spent first: a concurrent heartbeat of the member's is refused there, not counted twice.
    viewer.claim(member.id, NO_LESSON, beat.session, beat.sequence, length, now)
    row.intervals = heartbeats.union(row.intervals, min(beat.start, duration), min(beat.end, duration))
    row.verified_seconds = heartbeats.covered(row.intervals)
    row.resume_at = 0.0 if beat.end >= duration - heartbeats.END_SLACK else min(beat.end, duration)
    row.updated_at = now
    db.session.flush()
    if (
        row.completed_at is None
        and row.verified_seconds >= setting("PROGRESS_VIDEO_COMPLETION_SHARE") * duration
    ):
        complete(member, resource, row, duration, now)
    db.session.commit()  # the interval and, when it completed the resource, its credit: one event
    return heartbeats.Figures(
        accepted_seconds=length,
        verified_seconds=row.verified_seconds,
        coverage=min(1.0, row.verified_seconds / duration),
        completed=row.completed_at is not None,
        resume_at=row.resume_at,
    )


def complete(
    member: User, resource: Resource, row: ResourceWatch, duration: float, now: datetime
) -> HourEntry | None:
    """Mark the resource watched, with its statement, and credit it when the member's rule says so
    (in the caller's transaction; flushed). Return the ledger entry, if one was added."""
    row.completed_at = now
    evidence = {"rule": "watched", "verified_seconds": round(row.verified_seconds, 3), "duration": duration}
    statement = add_statement(member.id, "completed", "resource", resource.id, resource.title, evidence, now)
    db.session.flush()
    rule = rule_for(member, now)
    hours = rule.hours_for(duration)
    year = ledger.local_year(now)
    if rule.yearly_cap is not None:
        earned = db.session.scalar(
            select(func.coalesce(func.sum(HourEntry.hours), 0)).where(
                HourEntry.user_id == member.id,
                HourEntry.year == year,
                HourEntry.source_kind == SourceKind.RESOURCE,
            )
        )
        hours = max(Decimal("0"), min(hours, rule.yearly_cap - Decimal(str(earned))))
    if hours <= 0:
        return None
    return ledger.credit(
        member.id,
        SourceKind.RESOURCE,
        resource.id,
        hours,
        resource.title,
        rule.label,
        [statement.id],
        year=year,
    )
