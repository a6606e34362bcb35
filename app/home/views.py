"""The signed-in home page: for a member, what to do next; for every role, what it can do."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.auth.models import Role
from app.courses.forms import KIND_LABELS
from app.discussions import services as discussions
from app.home import queries
from app.notices import services as notices
from app.org.permissions import can_manage_org
from app.org.services import name_path
from app.progress.permissions import can_record_sessions
from app.progress.services import course_progress

bp = Blueprint("home", __name__, template_folder="templates")

HOME_ROWS = 5  # notices and replies shown on the home page; their own pages list them all


@bp.get("/")
@login_required
def index():
    member = current_user.has_role(Role.MEMBER)
    # A course unpublished since the member enrolled leads nowhere: the home leaves it out.
    courses = [row for row in course_progress(current_user) if row.course.is_published] if member else []
    replies, replies_seen_at = (
        discussions.recent_replies(current_user, limit=HOME_ROWS) if member else ([], None)
    )
    return render_template(
        "home/index.html",
        unit_path=name_path(current_user.unit) if current_user.unit else "",
        manages_org=can_manage_org(current_user),
        records_sessions=can_record_sessions(current_user),
        pace=queries.pace_of(current_user) if member else None,
        required_courses=[row for row in courses if row.required],
        next_step=queries.next_step(current_user, courses) if member else None,
        waiting_quizzes=queries.waiting_quizzes(current_user, courses) if member else [],
        home_notices=[row for row in notices.inbox(current_user, limit=HOME_ROWS) if row.unread],
        replies=replies,
        replies_seen_at=replies_seen_at,
        has_courses=bool(courses),
        is_member=member,
        kind_labels=KIND_LABELS,
    )
