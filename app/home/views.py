"""The signed-in home page, with what each of the user's roles can do."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.notices import services as notices
from app.org.permissions import can_manage_org
from app.org.services import name_path
from app.progress import ledger
from app.progress.permissions import can_record_sessions

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index():
    year = ledger.local_year()
    return render_template(
        "home/index.html",
        unit_path=name_path(current_user.unit) if current_user.unit else "",
        manages_org=can_manage_org(current_user),
        records_sessions=can_record_sessions(current_user),
        hours_total=ledger.total_for(current_user.id, year),
        annual_target=ledger.target_for(current_user, year),
        home_notices=[row for row in notices.inbox(current_user, limit=20) if row.unread][:5],
    )
