"""Import every domain's models so the metadata (and Alembic) knows all tables."""

from app.auth.models import RoleGrant, User
from app.org.models import MembershipChange, OrgUnit

__all__ = ["MembershipChange", "OrgUnit", "RoleGrant", "User"]
