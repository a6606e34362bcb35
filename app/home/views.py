"""The signed-in home page: for a member, what to do next; for every role, what it can do."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.courses.forms import KIND_LABELS
from app.home.queries import home_for
from app.org.permissions import can_manage_org
from app.org.services import name_path
from app.progress.permissions import can_record_sessions

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index():
    return render_template(
        "home/index.html",
        home=home_for(current_user),
        unit_path=name_path(current_user.unit) if current_user.unit else "",
        manages_org=can_manage_org(current_user),
        records_sessions=can_record_sessions(current_user),
        kind_labels=KIND_LABELS,
    )
