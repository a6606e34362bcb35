"""Roster import and export in the spreadsheet layout branches already keep.

Columns: 姓名, 用户名/工号, 所在支部 (a path such as 机关党委/第一党支部), 角色, 手机 (optional).
An import is checked whole first; when any row is bad, nothing is written.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from openpyxl.styles import Font
from sqlalchemy import select

from app.auth import services as accounts
from app.auth.models import Role, User
from app.errors import DomainError
from app.extensions import db
from app.org import permissions
from app.org.accounts import add_account
from app.org.models import ChangeSource, OrgUnit
from app.org.services import find_unit_by_name_path, name_paths, place_member
from app.spreadsheets import (
    InertCsvWriter,
    SpreadsheetTooLarge,
    SpreadsheetUnreadable,
    first_sheet_rows,
    new_workbook,
    read_csv_cell,
    workbook_bytes,
)

HEADER_NAME, HEADER_USERNAME, HEADER_UNIT, HEADER_ROLES, HEADER_PHONE = (
    "姓名",
    "用户名/工号",
    "所在支部",
    "角色",
    "手机",
)
HEADERS = [HEADER_NAME, HEADER_USERNAME, HEADER_UNIT, HEADER_ROLES, HEADER_PHONE]
HEADER_ALIASES = {
    "用户名": HEADER_USERNAME,
    "工号": HEADER_USERNAME,
    "所在组织": HEADER_UNIT,
    "手机号": HEADER_PHONE,
}
ROLE_NAMES = {
    Role.MEMBER: "党员",
    Role.TRAINER: "培训管理员",
    Role.SECRETARY: "书记",
    Role.ADMIN: "管理员",
    Role.AUDITOR: "审计员",
}
ROLE_ALIASES = {name: role for role, name in ROLE_NAMES.items()} | {
    "组织委员": Role.SECRETARY,
    "支部书记": Role.SECRETARY,
    "member": Role.MEMBER,
    "trainer": Role.TRAINER,
    "secretary": Role.SECRETARY,
    "admin": Role.ADMIN,
}
ROLE_SEPARATORS = re.compile(r"[、,，;；/\s]+")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")


class RosterFileError(DomainError):
    """The file as a whole cannot be read (wrong type, encoding, missing columns)."""


@dataclass
class RosterRow:
    row_number: int
    name: str
    username: str
    unit_path: str
    roles: list[Role]
    phone: str


@dataclass
class RosterReport:
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 工号 and 手机 typed as numbers in Excel
    return str(value).strip()


# The most a roster can hold (app/spreadsheets.py reads no more).
XLSX_MAX_ROWS = 100_000
XLSX_MAX_COLUMNS = 64


def _decode_csv(data: bytes) -> str:
    # Excel saves "CSV (UTF-8)" with a BOM and plain "CSV" in the Windows code page (GBK on Chinese systems).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """Read the rows of a CSV or XLSX file as lists of strings (the header row first)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        lines = csv.reader(io.StringIO(_decode_csv(data)))
        return [[read_csv_cell(cell.strip()) for cell in row] for row in lines]
    if suffix == ".xlsx":
        try:
            rows = first_sheet_rows(data, XLSX_MAX_ROWS, XLSX_MAX_COLUMNS)
        except SpreadsheetTooLarge as error:
            raise RosterFileError(_("The roster file is too large.")) from error
        except SpreadsheetUnreadable as error:
            raise RosterFileError(_("The file is not a readable Excel (.xlsx) workbook.")) from error
        return [[_cell_text(value) for value in row] for row in rows]
    raise RosterFileError(_("Upload a roster as .csv or .xlsx."))


def _column_positions(header: list[str]) -> dict[str, int]:
    positions = {}
    for index, title in enumerate(header):
        title = HEADER_ALIASES.get(title.strip(), title.strip())
        if title in HEADERS and title not in positions:
            positions[title] = index
    missing = [title for title in HEADERS[:4] if title not in positions]
    if missing:
        raise RosterFileError(_("The header row lacks the columns: %(columns)s.", columns="、".join(missing)))
    return positions


def parse_roster(table: list[list[str]]) -> tuple[list[RosterRow], list[tuple[int, str]]]:
    """Turn table rows into roster rows, collecting a message for every malformed row."""
    if not table:
        raise RosterFileError(_("The file is empty."))
    positions = _column_positions(table[0])
    rows: list[RosterRow] = []
    errors: list[tuple[int, str]] = []
    for row_number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue

        def cell(title: str, cells: list[str] = cells) -> str:
            index = positions.get(title)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        role_words = [word for word in ROLE_SEPARATORS.split(cell(HEADER_ROLES)) if word]
        unknown = [word for word in role_words if word not in ROLE_ALIASES]
        problems = []
        if not cell(HEADER_NAME):
            problems.append(_("%(column)s is empty", column=HEADER_NAME))
        if not cell(HEADER_USERNAME):
            problems.append(_("%(column)s is empty", column=HEADER_USERNAME))
        if not cell(HEADER_UNIT):
            problems.append(_("%(column)s is empty", column=HEADER_UNIT))
        if unknown:
            problems.append(_("unknown role: %(roles)s", roles="、".join(unknown)))
        elif not role_words:
            problems.append(_("%(column)s is empty", column=HEADER_ROLES))
        if cell(HEADER_PHONE) and not PHONE_PATTERN.fullmatch(cell(HEADER_PHONE)):
            problems.append(_("%(column)s is not a phone number", column=HEADER_PHONE))
        if problems:
            errors.append((row_number, "；".join(problems)))
            continue
        roles = list(dict.fromkeys(ROLE_ALIASES[word] for word in role_words))
        rows.append(
            RosterRow(
                row_number=row_number,
                name=cell(HEADER_NAME),
                username=cell(HEADER_USERNAME),
                unit_path=cell(HEADER_UNIT),
                roles=roles,
                phone=cell(HEADER_PHONE),
            )
        )
    return rows, errors


class _RowChecker:
    """Check rows against the database and the actor's scope, reading each unit and account once."""

    def __init__(self, rows: list[RosterRow], actor: User | None):
        self.actor = actor
        self.managed_paths = permissions.managed_paths(actor) if actor is not None else None
        self.units: dict[str, OrgUnit | None] = {}
        self.seen: set[str] = set()
        usernames = [accounts.normalise_username(row.username) for row in rows]
        self.accounts: dict[str, User] = {}
        for start in range(0, len(usernames), 500):  # bounded IN lists
            chunk = usernames[start : start + 500]
            self.accounts.update(
                (user.username, user)
                for user in db.session.scalars(select(User).where(User.username.in_(chunk)))
            )

    def unit(self, name_path: str) -> OrgUnit | None:
        if name_path not in self.units:
            self.units[name_path] = find_unit_by_name_path(name_path)
        return self.units[name_path]

    def check(self, row: RosterRow) -> tuple[str, OrgUnit, User | None]:
        """Return the row's username, unit and existing account; raise DomainError when it is bad."""
        username = accounts.validate_username(row.username)
        if username in self.seen:
            raise DomainError(_("the username appears twice in the file"))
        self.seen.add(username)
        unit = self.unit(row.unit_path)
        if unit is None:
            raise DomainError(_('no organisation unit "%(path)s"', path=row.unit_path))
        existing = self.accounts.get(username)
        if self.actor is not None:
            if not permissions.path_covered(self.managed_paths, unit.path):
                raise DomainError(_('the unit "%(path)s" is outside your organisation', path=row.unit_path))
            if any(not permissions.can_grant_role(self.actor, role) for role in row.roles):
                raise DomainError(_("you may not grant the admin role"))
            if existing is not None and not (
                existing.unit is not None and permissions.path_covered(self.managed_paths, existing.unit.path)
            ):
                raise DomainError(
                    _('the account "%(username)s" belongs to another organisation', username=username)
                )
        if len(row.name) > 100:
            raise DomainError(_("the name is longer than 100 characters"))
        return username, unit, existing


def _apply_row(row: RosterRow, username: str, unit: OrgUnit, user: User | None, actor: User | None) -> str:
    """Write one checked row; return "created", "updated" or "unchanged"."""
    if user is None:
        add_account(username, row.name, unit, row.roles, created_by=actor, phone=row.phone)
        return "created"
    changed = False
    if user.display_name != row.name:
        user.display_name, changed = row.name, True
    if (user.phone or "") != row.phone:
        user.phone, changed = row.phone or None, True
    if place_member(user, unit, actor, ChangeSource.ROSTER):
        changed = True
    for role in row.roles:
        # Additive: an import never takes a role away, and a secretary keeps an existing scope.
        if role is Role.SECRETARY and any(g.role is Role.SECRETARY for g in user.role_grants):
            continue
        if role not in user.roles:
            accounts.grant_role(user, role, unit.id)
            changed = True
    return "updated" if changed else "unchanged"


def import_roster(data: bytes, filename: str, actor: User | None, dry_run: bool = False) -> RosterReport:
    """Check every row, then (unless ``dry_run`` or any row is bad) write all of them in one transaction."""
    rows, errors = parse_roster(read_table(data, filename))
    report = RosterReport(rows=len(rows) + len(errors), errors=errors)
    checked = []
    checker = _RowChecker(rows, actor)
    for row in rows:
        try:
            checked.append((row, *checker.check(row)))
        except DomainError as error:
            report.errors.append((row.row_number, error.message))
    report.errors.sort()
    if report.errors:
        return report
    try:
        # One flush at the end instead of one per looked-up row: the rows were all checked above.
        with db.session.no_autoflush:
            for row, username, unit, user in checked:
                outcome = _apply_row(row, username, unit, user, actor)
                if outcome == "created":
                    report.created.append(username)
                elif outcome == "updated":
                    report.updated.append(username)
                else:
                    report.unchanged += 1
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
            report.written = True
    except Exception:
        db.session.rollback()
        raise
    return report


def roster_table(members: list[User]) -> list[list[str]]:
    """Return the header and one row per member, in the import layout."""
    paths = name_paths([member.unit for member in members if member.unit is not None])
    table = [HEADERS]
    for member in members:
        # A role without a roster name (the course reviewer) is written by its code, not a 500.
        roles = "、".join(ROLE_NAMES.get(role, role.value) for role in Role if role in member.roles)
        table.append(
            [
                member.display_name,
                member.username,
                paths.get(member.unit.id, "") if member.unit else "",
                roles,
                member.phone or "",
            ]
        )
    return table


def export_roster(members: list[User], filename: str) -> bytes:
    """Write the roster as CSV (UTF-8 with BOM, which Excel opens correctly) or XLSX."""
    table = roster_table(members)
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        buffer = io.StringIO()
        InertCsvWriter(buffer, lineterminator="\r\n").writerows(table)
        return buffer.getvalue().encode("utf-8-sig")
    if suffix == ".xlsx":
        workbook, sheet = new_workbook("花名册")
        for row in table:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for letter, width in zip("ABCDE", (12, 16, 36, 20, 16), strict=True):
            sheet.column_dimensions[letter].width = width
        return workbook_bytes(workbook)
    raise RosterFileError(_("Export a roster as .csv or .xlsx."))


def members_for_export(actor: User | None) -> list[User]:
    """Accounts with a unit that ``actor`` manages (all of them for the CLI), by unit then username."""
    statement = permissions.scoped_members(actor) if actor is not None else select(User)
    statement = statement.where(User.unit_id.is_not(None)).order_by(User.unit_id, User.username)
    return list(db.session.scalars(statement))
