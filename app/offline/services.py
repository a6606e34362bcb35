"""Offline study with credit that stays honest: grants, uploaded play logs, and the unit switch.

Downloading a video lesson for offline study asks for a **grant**: a row naming the member, the
lesson and the server's time, handed to the device as a signed string (grants.py) that expires after
OFFLINE_GRANT_DAYS. The device plays the lesson's 360p rendition from its cache and logs each
stretch it really played (media start and end, and the device's clock when it began and ended). Back
online it uploads the log with the grant. The server then credits only what it can vouch for; any
one of these refuses the **whole** log (a log that breaks one rule was not written by an honest
player), which is kept with its reason and earns nothing:

- the grant is genuine and the uploader's (``bad_grant``), the lesson still one to watch
  (``not_visible``, ``video_not_ready``), and offline credit on for the member's unit
  (``offline_credit_off``);
- the same log (grant and log id) was not credited before (``replayed``), unless it is the very
  same log sent again (a device that did not hear the answer): then the answer is the first
  upload's, and nothing changes;
- every play lies between the grant and the upload (or the grant's expiry, if earlier), on the
  server's clock: the device's clock is only trusted for the lengths of the plays and the gaps
  between them, its offset being taken from the ``device_time`` it sends (``outside_grant``);
- plays come one at a time (``overlapping_plays``), none faster than the allowed speed
  (``faster_than_allowed``), and all the grant's credited plays fit in the server time elapsed
  since the grant at that speed (``exceeds_elapsed``);
- no play overlaps, in time, a play credited before: of this grant (``replayed``) or of another
  downloaded lesson (``overlaps_offline``), nor an online viewing session that earned credit
  (``overlaps_online``): the member's time is spent once, online or offline.

A credited log adds its intervals to the member's verified intervals on the lesson (their union, as
online: a part already watched counts once) and, when they reach the completion share, completes the
lesson with evidence marked ``offline`` (shown in the ledger, ``offline_evidence``). One upload is
one transaction; it takes the member's viewer row first, so it and the member's heartbeats are
written one at a time.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from app.audit.services import record_audit
from app.auth.models import User
from app.courses.models import Lesson
from app.errors import DomainError
from app.extensions import db
from app.offline import grants
from app.offline.models import OfflineGrant, OfflinePlay, OfflineSetting, OfflineUpload, OnlineSpan
from app.org.models import OrgUnit, nearest_on_path
from app.org.permissions import managed_paths
from app.progress.models import VideoProgress
from app.progress.services import complete_on_evidence
from app.progress.watching import heartbeats
from app.progress.watching import viewer as viewer_rows
from app.progress.watching.refusals import MAX_ID, number, setting
from app.timeutil import utcnow

FIELDS = {"grant", "log_id", "plays", "device_time"}
PLAY_FIELDS = {"start", "end", "played_from", "played_to"}
LOG_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_PLAYS = 500
# A play's length is measured on the device's clock in milliseconds and the media's in frames:
# this much of rounding is forgiven per play (never more than the speed allows in the long run,
# which exceeds_elapsed checks on the server's clock).
SLACK_SECONDS = 1.0
KEPT_PLAYS = 50  # a refused log keeps its first plays as evidence


class OfflineError(DomainError):
    pass


class OfflineRefused(Exception):
    """A refused upload: ``status`` is the HTTP status, ``reason`` the stored code."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class AlreadyCredited(Exception):
    """The very log credited before, sent again: the answer is that upload's, and nothing changes."""

    def __init__(self, upload: OfflineUpload):
        super().__init__(upload.id)
        self.upload = upload


# --- the unit switch --------------------------------------------------------------------------------


def unit_setting(unit: OrgUnit | None) -> tuple[bool, OfflineSetting | None]:
    """Whether offline study earns credit in the unit: its own setting, else the nearest ancestor's,
    else OFFLINE_CREDIT_ALLOWED; with the row that decides (None for the site's default)."""
    path = unit.path_ids if unit else []
    rows = {
        row.unit_id: row
        for row in db.session.scalars(select(OfflineSetting).where(OfflineSetting.unit_id.in_(path)))
    }
    nearest = nearest_on_path(path, rows)
    if nearest is not None:
        return nearest.credit_allowed, nearest
    return bool(current_app.config["OFFLINE_CREDIT_ALLOWED"]), None


def credit_allowed(member: User) -> bool:
    return unit_setting(member.unit)[0]


def set_unit_setting(unit: OrgUnit, allowed: bool | None, set_by: User | None) -> None:
    """Switch offline credit on or off for the unit and the units below it (unless they say
    otherwise); None removes the unit's own say, so it inherits again."""
    row = db.session.get(OfflineSetting, unit.id)
    if allowed is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(
            OfflineSetting(unit_id=unit.id, credit_allowed=allowed, set_by_id=set_by and set_by.id)
        )
    else:
        row.credit_allowed, row.set_by_id, row.set_at = allowed, set_by and set_by.id, utcnow()
    record_audit(set_by, "offline.setting", "org_unit", unit.id, {"credit_allowed": allowed})
    db.session.commit()


# --- grants -------------------------------------------------------------------------------------------


def grant_download(member: User, lesson_id: int, now: datetime | None = None) -> tuple[OfflineGrant, str]:
    """Grant the member an offline download of a video lesson; return the row and its signed string."""
    now = (now or utcnow()).replace(microsecond=0)
    lesson = heartbeats.watchable_lesson(lesson_id)
    if lesson is None:
        raise OfflineError(_("This lesson cannot be downloaded."))
    video = lesson.video
    if heartbeats.duration_of(lesson) is None or video is None or video.rendition(360) is None:
        raise OfflineError(_("This lesson's video has no 360p version to download yet."))
    grant = OfflineGrant(
        user_id=member.id,
        lesson_id=lesson.id,
        granted_at=now,
        expires_at=now + timedelta(days=current_app.config["OFFLINE_GRANT_DAYS"]),
    )
    db.session.add(grant)
    db.session.flush()
    token = grants.sign(grant.id, member.id, lesson.id, grant.granted_at, grant.expires_at)
    db.session.commit()
    return grant, token


def grant_json(member: User, grant: OfflineGrant, token: str) -> dict[str, object]:
    """What the grant API answers: the signed grant and what the device needs to study offline."""
    lesson = db.session.get_one(Lesson, grant.lesson_id)
    return {
        "grant": token,
        "lesson_id": lesson.id,
        "title": lesson.title,
        "granted_at": grant.granted_at.isoformat() + "Z",
        "expires_at": grant.expires_at.isoformat() + "Z",
        "video_url": url_for("media.rendition_file", video_id=lesson.video_id, height=360),
        "player_url": url_for("offline.player", lesson_id=lesson.id),
        "duration": heartbeats.duration_of(lesson),
        "max_speed": setting("PROGRESS_WATCH_MAX_SPEED"),
        "credit_allowed": credit_allowed(member),
    }


# --- uploads ------------------------------------------------------------------------------------------


@dataclass
class Play:
    start: float
    end: float
    played_from: datetime
    played_to: datetime

    @property
    def length(self) -> float:
        return self.end - self.start

    @property
    def wall_seconds(self) -> float:
        return (self.played_to - self.played_from).total_seconds()


@dataclass
class Context:
    """What is known of a refused upload when it is refused (to record it)."""

    grant_id: int | None = None
    lesson_id: int | None = None
    log_id: str = ""


def _instant(value: object) -> datetime | None:
    """An ISO 8601 time with its offset (such as JavaScript's toISOString) as naive UTC; else None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None)


def parse_plays(payload: dict[str, Any], now: datetime, duration: float) -> list[Play]:
    """The log's plays, their device times moved onto the server's clock by the device's offset."""
    raw = payload.get("plays")
    if not isinstance(raw, list) or not raw:
        raise OfflineRefused(422, "bad_play")
    if len(raw) > MAX_PLAYS:
        raise OfflineRefused(422, "too_many_plays")
    offset = timedelta(0)
    if payload.get("device_time") is not None:
        device_now = _instant(payload["device_time"])
        if device_now is None:
            raise OfflineRefused(422, "bad_play")
        offset = now - device_now
    plays = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != PLAY_FIELDS:
            raise OfflineRefused(422, "bad_play")
        start, end = item["start"], item["end"]
        begun, ended = _instant(item["played_from"]), _instant(item["played_to"])
        if not number(start) or not number(end) or not 0 <= start < end:
            raise OfflineRefused(422, "bad_play")
        if begun is None or ended is None or ended <= begun:
            raise OfflineRefused(422, "bad_play")
        if end > duration + heartbeats.END_SLACK:
            raise OfflineRefused(422, "beyond_duration")
        plays.append(Play(float(start), min(float(end), duration), begun + offset, ended + offset))
    return sorted(plays, key=lambda play: play.played_from)


def _overlapping(
    statement: Select[int],
    plays: list[Play],
    begin: InstrumentedAttribute[datetime],
    finish: InstrumentedAttribute[datetime],
) -> bool:
    """Whether any row the statement selects has a [begin, finish] window overlapping a play's."""
    windows = or_(*((begin < play.played_to) & (finish > play.played_from) for play in plays))
    return db.session.scalar(select(statement.where(windows).exists())) or False


def _take_viewer(member: User, now: datetime) -> viewer_rows.ViewerState:
    """Take the member's viewer row for the rest of this transaction, through the heartbeats' own
    read-lock-write path: its version moves on, so a heartbeat that read it before writes nothing,
    and what this upload reads next includes what the member's previous request committed."""
    for _attempt in range(3):
        state = viewer_rows.read_or_create(member.id, now)
        if viewer_rows.write(member.id, state):
            return state
        db.session.rollback()  # a heartbeat of the member's got in first: read it again
    raise OfflineRefused(409, "concurrent")


def _check(
    member: User, payload: object, now: datetime, context: Context
) -> tuple[OfflineGrant, Lesson, list[Play]]:
    """Every rule of the module's doc, in order; raise OfflineRefused at the first one broken."""
    if not isinstance(payload, dict):
        raise OfflineRefused(422, "not_an_object")
    if set(payload) - FIELDS:
        raise OfflineRefused(422, "unknown_field")
    claim = grants.read(payload.get("grant"))
    grant = db.session.get(OfflineGrant, claim.grant_id) if claim and claim.grant_id <= MAX_ID else None
    if (
        claim is None
        or grant is None
        or grant.user_id != member.id
        or (claim.user_id, claim.lesson_id, claim.granted_at, claim.expires_at)
        != (grant.user_id, grant.lesson_id, grants.epoch(grant.granted_at), grants.epoch(grant.expires_at))
    ):
        raise OfflineRefused(403, "bad_grant")
    context.grant_id, context.lesson_id = grant.id, grant.lesson_id
    log_id = payload.get("log_id")
    if not isinstance(log_id, str) or not LOG_ID.fullmatch(log_id):
        raise OfflineRefused(422, "bad_log_id")
    context.log_id = log_id
    lesson = heartbeats.watchable_lesson(grant.lesson_id)
    if lesson is None:
        raise OfflineRefused(404, "not_visible")
    duration = heartbeats.duration_of(lesson)
    if duration is None:
        raise OfflineRefused(409, "video_not_ready")
    if not credit_allowed(member):
        raise OfflineRefused(403, "offline_credit_off")
    plays = parse_plays(payload, now, duration)
    window_end = min(now, grant.expires_at)
    if any(play.played_from < grant.granted_at or play.played_to > window_end for play in plays):
        raise OfflineRefused(422, "outside_grant")
    if any(later.played_from < earlier.played_to for earlier, later in pairwise(plays)):
        raise OfflineRefused(422, "overlapping_plays")
    speed = setting("PROGRESS_WATCH_MAX_SPEED")
    if any(play.length > play.wall_seconds * speed + SLACK_SECONDS for play in plays):
        raise OfflineRefused(422, "faster_than_allowed")
    elapsed = (window_end - grant.granted_at).total_seconds()
    viewer = _take_viewer(member, now)
    # From here on the member's uploads and heartbeats run one at a time: what follows reads what
    # the one before committed (a resent log included).
    earlier = db.session.scalar(
        select(OfflineUpload).where(
            OfflineUpload.grant_id == grant.id,
            OfflineUpload.log_id == log_id,
            OfflineUpload.status == "credited",
        )
    )
    if earlier is not None:
        if earlier.plays == _kept(payload) and earlier.played_seconds == round(
            sum(p.length for p in plays), 3
        ):
            raise AlreadyCredited(earlier)  # the device resent it, not having heard the answer
        raise OfflineRefused(409, "replayed")
    before = db.session.scalar(
        select(func.coalesce(func.sum(OfflinePlay.end - OfflinePlay.start), 0.0)).where(
            OfflinePlay.grant_id == grant.id
        )
    )
    if float(before or 0.0) + sum(play.length for play in plays) > elapsed * speed + SLACK_SECONDS:
        raise OfflineRefused(422, "exceeds_elapsed")
    credited = select(OfflinePlay.id).where(OfflinePlay.user_id == member.id)
    if _overlapping(
        credited.where(OfflinePlay.grant_id == grant.id),
        plays,
        OfflinePlay.played_from,
        OfflinePlay.played_to,
    ):
        raise OfflineRefused(409, "replayed")
    if _overlapping(credited, plays, OfflinePlay.played_from, OfflinePlay.played_to):
        raise OfflineRefused(422, "overlaps_offline")
    spans = select(OnlineSpan.id).where(OnlineSpan.user_id == member.id)
    opened, last = viewer.session_opened_at, viewer.budget_at  # the current session, if it earned
    if _overlapping(spans, plays, OnlineSpan.opened_at, OnlineSpan.last_at) or (
        opened is not None
        and last > opened
        and any(play.played_from < last and play.played_to > opened for play in plays)
    ):
        raise OfflineRefused(422, "overlaps_online")
    return grant, lesson, plays


def _claimed_seconds(payload: object) -> float:
    """The media seconds a (refused) log claims, as far as its plays are numbers."""
    plays = payload.get("plays") if isinstance(payload, dict) else None
    if not isinstance(plays, list):
        return 0.0
    total = 0.0
    for item in plays[:MAX_PLAYS]:
        start, end = (item.get("start"), item.get("end")) if isinstance(item, dict) else (None, None)
        if heartbeats.number(start) and heartbeats.number(end) and end > start:
            total += min(float(end) - float(start), 1e6)
    return round(total, 3)


def _kept(payload: object) -> list[Any]:
    plays = payload.get("plays") if isinstance(payload, dict) else None
    if not isinstance(plays, list):
        return [{"raw": repr(payload)[:500]}]
    return [play if isinstance(play, dict) else {"raw": repr(play)[:100]} for play in plays[:KEPT_PLAYS]]


def upload_log(member: User, payload: object, now: datetime | None = None) -> OfflineUpload:
    """Credit an uploaded offline play log (one transaction), or record it refused (in its own) and
    raise OfflineRefused."""
    now = now or utcnow()
    context = Context()
    try:
        grant, lesson, plays = _check(member, payload, now, context)
    except AlreadyCredited as resent:
        db.session.rollback()
        return resent.upload
    except OfflineRefused as refusal:
        db.session.rollback()
        if refusal.reason == "concurrent":
            raise  # busy, not refused: the device sends the log again later
        db.session.add(
            OfflineUpload(
                user_id=member.id,
                lesson_id=context.lesson_id,
                grant_id=context.grant_id,
                log_id=context.log_id,
                uploaded_at=now,
                status="refused",
                reason=refusal.reason,
                played_seconds=_claimed_seconds(payload),
                plays=_kept(payload),
            )
        )
        db.session.commit()
        raise
    return _credit(member, grant, lesson, plays, context.log_id, _kept(payload), now)


def _credit(
    member: User,
    grant: OfflineGrant,
    lesson: Lesson,
    plays: list[Play],
    log_id: str,
    kept: list[Any],
    now: datetime,
) -> OfflineUpload:
    """Add the checked plays to the member's verified intervals (completing the lesson on offline
    evidence when they reach the share), and keep the upload and its plays; commit once."""
    duration = heartbeats.duration_of(lesson)
    assert duration is not None  # checked by _check
    progress = db.session.scalar(
        select(VideoProgress).where(VideoProgress.user_id == member.id, VideoProgress.lesson_id == lesson.id)
    )
    if progress is None:
        progress = VideoProgress(user_id=member.id, lesson_id=lesson.id, intervals=[], verified_seconds=0.0)
        db.session.add(progress)
    intervals = list(progress.intervals or [])
    for play in plays:
        intervals = heartbeats.union(intervals, play.start, play.end)
    verified = heartbeats.covered(intervals)
    upload = OfflineUpload(
        user_id=member.id,
        lesson_id=lesson.id,
        grant_id=grant.id,
        log_id=log_id,
        uploaded_at=now,
        status="credited",
        played_seconds=round(sum(play.length for play in plays), 3),
        new_seconds=round(verified - (progress.verified_seconds or 0.0), 3),
        plays=kept,
    )
    db.session.add(upload)
    progress.intervals, progress.verified_seconds, progress.updated_at = intervals, verified, now
    db.session.flush()
    db.session.add_all(
        OfflinePlay(
            user_id=member.id,
            upload_id=upload.id,
            grant_id=grant.id,
            lesson_id=lesson.id,
            start=play.start,
            end=play.end,
            played_from=play.played_from,
            played_to=play.played_to,
        )
        for play in plays
    )
    if verified >= setting("PROGRESS_VIDEO_COMPLETION_SHARE") * duration:
        evidence = {
            "rule": "watched",
            "offline": True,
            "grant_id": grant.id,
            "upload_id": upload.id,
            "verified_seconds": round(verified, 3),
            "duration": duration,
        }
        upload.completed = complete_on_evidence(member, lesson, evidence, now)
    db.session.commit()
    return upload


def figures(member: User, upload: OfflineUpload) -> dict[str, object]:
    """What the upload API answers: the upload's outcome and the member's figures on the lesson."""
    lesson = db.session.get_one(Lesson, upload.lesson_id)
    return {
        "upload_id": upload.id,
        "status": upload.status,
        "played_seconds": upload.played_seconds,
        "new_seconds": upload.new_seconds,
        **heartbeats.figures(member, lesson).as_json(),
    }


# --- online spans (a listener of the heartbeat code) ---------------------------------------------------


def keep_online_span(user_id: int, viewer: viewer_rows.ViewerState, now: datetime) -> None:
    """Listener of ``heartbeats.session_superseded``: before a new viewing session replaces the
    member's current one, keep the one ending, if it earned anything (in the caller's transaction)."""
    opened, last = viewer.session_opened_at, viewer.budget_at
    if opened is not None and last is not None and last > opened:
        db.session.add(
            OnlineSpan(user_id=user_id, lesson_id=viewer.session_lesson_id, opened_at=opened, last_at=last)
        )


# --- what the secretary sees ----------------------------------------------------------------------------


def visible_uploads(user: User) -> Select[OfflineUpload, User, Lesson]:
    """Uploads (credited and refused) of members in units the user manages, newest first."""
    statement = (
        select(OfflineUpload, User, Lesson)
        .join(User, OfflineUpload.user_id == User.id)
        .outerjoin(Lesson, OfflineUpload.lesson_id == Lesson.id)
        .order_by(OfflineUpload.uploaded_at.desc(), OfflineUpload.id.desc())
    )
    paths = managed_paths(user)
    if paths is None:
        return statement
    if not paths:
        return statement.where(User.id == user.id)
    return statement.join(OrgUnit, User.unit_id == OrgUnit.id).where(
        or_(User.id == user.id, *(OrgUnit.in_subtree(path) for path in paths))
    )
