"""Accounts and the roles granted to them."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, str_enum
from app.timeutil import utcnow

if TYPE_CHECKING:
    from app.org.models import OrgUnit


class Role(enum.StrEnum):
    MEMBER = "member"
    TRAINER = "trainer"
    SECRETARY = "secretary"
    ADMIN = "admin"
    AUDITOR = "auditor"  # reads the audit log and every report; changes nothing
    REVIEWER = "reviewer"  # approves or returns courses submitted for review (when review is on)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))  # scheduled reports and reminders go here
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by sign-out, password change and deactivation: every older session then stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(10))
    failed_logins: Mapped[int] = mapped_column(default=0)
    throttled_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None]

    unit: Mapped["OrgUnit | None"] = relationship(back_populates="members")
    role_grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleGrant(Model):
    """A role held by a user; a secretary's grant is scoped to a unit and its subtree."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id", name="uq_role_grants_user_role_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])
    unit: Mapped["OrgUnit | None"] = relationship()


class ApiToken(Model):
    """A bearer token a client (a phone app, a script) signed in with: stored as its SHA-256 only.

    It holds the account's session version of its day, so signing out everywhere, a password change
    or deactivation (each moves the version on) ends it as it ends browser sessions.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_name: Mapped[str] = mapped_column(String(100))
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
