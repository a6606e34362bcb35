"""The signed-in home page, with what each of the user's roles can do."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.org.permissions import can_manage_org
from app.org.services import name_path

bp = Blueprint("home", __name__, template_folder="templates")

ANNUAL_TARGET_HOURS = (
    32  # 《中国共产党党员教育管理工作条例》第二十条; per-unit targets come with progress tracking
)


@bp.get("/")
@login_required
def index():
    return render_template(
        "home/index.html",
        unit_path=name_path(current_user.unit) if current_user.unit else "",
        manages_org=can_manage_org(current_user),
        annual_target=ANNUAL_TARGET_HOURS,
    )
