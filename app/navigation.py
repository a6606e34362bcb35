"""The navigation every page shows: which sections the signed-in user may open.

Site wiring above the domains (only ``create_app`` imports it): it asks several domains' permission
predicates, which is why it is not in ``app/web.py``, a helper module the domains' views import.
"""

from flask import Flask, current_app
from flask_login import current_user

from app.audit.services import can_read_audit_log
from app.auth.forms import ROLE_LABELS
from app.auth.models import Role
from app.courses.permissions import can_review
from app.org.permissions import can_manage_org
from app.web import current_language_code


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def navigation() -> dict[str, object]:
        user = current_user
        signed_in = user.is_authenticated
        return {
            "Role": Role,
            "role_labels": ROLE_LABELS,
            "languages": current_app.config["LANGUAGES"],
            "current_locale": current_language_code(),
            "can_manage_org": signed_in and can_manage_org(user),
            "is_admin": signed_in and user.has_role(Role.ADMIN),
            "can_read_audit": can_read_audit_log(user),
            "can_review_courses": current_app.config["COURSE_REVIEW_REQUIRED"] and can_review(user),
        }
