"""`flask progress verify` for offline credit: what the upload rules promise still holds in the
record (a check of the offline domain's, added to progress's ``extra_checks`` by its init_app)."""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.extensions import db
from app.offline.models import OfflineGrant, OfflinePlay, OfflineUpload
from app.org.models import OrgUnit
from app.progress import ledger
from app.progress.verify import Violation


def offline_violations(year: int, unit: OrgUnit | None = None) -> list[Violation]:
    """Credited offline plays (uploaded in ``year``) outside their grant's window (before the grant,
    after its expiry or its upload), or overlapping another credited offline play of the member."""
    plays = (
        select(OfflinePlay, User.username)
        .join(OfflineUpload, OfflinePlay.upload_id == OfflineUpload.id)
        .join(User, OfflinePlay.user_id == User.id)
        .where(OfflineUpload.status == "credited")
    )
    if unit is not None:
        plays = plays.join(OrgUnit, User.unit_id == OrgUnit.id).where(OrgUnit.in_subtree(unit.path))
    outside = plays.join(OfflineGrant, OfflinePlay.grant_id == OfflineGrant.id).where(
        or_(
            OfflinePlay.played_from < OfflineGrant.granted_at,
            OfflinePlay.played_to > OfflineGrant.expires_at,
            OfflinePlay.played_to > OfflineUpload.uploaded_at,
        )
    )
    other = aliased(OfflinePlay)
    overlapping = plays.join(
        other,
        and_(
            other.user_id == OfflinePlay.user_id,
            other.id < OfflinePlay.id,
            other.played_from < OfflinePlay.played_to,
            other.played_to > OfflinePlay.played_from,
        ),
    )
    found = []
    for kind, statement in (("offline_play_outside_grant", outside), ("offline_plays_overlap", overlapping)):
        for play, username, uploaded_at in db.session.execute(
            statement.add_columns(OfflineUpload.uploaded_at)
        ):
            if ledger.local_year(uploaded_at) == year:
                found.append(
                    Violation(
                        kind, username, f"offline_play:{play.id}", f"lesson {play.lesson_id}", play.user_id
                    )
                )
    return found
