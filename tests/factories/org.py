"""Builders for the organisation tree, through the real services."""

from app.org.models import OrgUnit
from app.org.services import ensure_unit_path


def make_unit(path: str = "测试党委/第一党支部") -> OrgUnit:
    unit, _created = ensure_unit_path(path)
    return unit
