"""The page of a unit's versioned rule (app/org/unit_rules.py), for the domains that keep one: the
version in effect and the unit it comes from, the unit's own versions, and a form adding the next."""

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.errors import DomainError
from app.org.models import OrgUnit
from app.org.services import name_path
from app.org.unit_rules import Rule, nearest_version, version_history


class VersionForm(Protocol):
    def validate_on_submit(self) -> bool: ...


Effective = TypeVar("Effective")
Form = TypeVar("Form", bound=VersionForm)


def unit_rule_page(
    unit: OrgUnit,
    model: type[Rule],
    effective_rule: Callable[[Rule | None], Effective],
    form_for: Callable[[Effective], Form],
    add: Callable[[Form], Rule],
    template: str,
    endpoint: str,
    **context: object,
) -> ResponseReturnValue:
    """Show the rule in effect for ``unit`` (``effective_rule`` of the nearest version) and its own
    versions; on a valid post, ``add`` the version the form (``form_for``, filled from the rule in
    effect) describes and come back to ``endpoint``. The template gets ``unit``, ``unit_path``,
    ``effective``, ``source`` (the version in effect), ``source_path``, ``history``, ``form`` and
    ``context``."""
    source = nearest_version(model, unit)
    effective = effective_rule(source)
    form = form_for(effective)
    if form.validate_on_submit():
        try:
            rule = add(form)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Version %(version)d of the rule applies from now on.", version=rule.version), "success")
            return redirect(url_for(endpoint, unit_id=unit.id))
    return render_template(
        template,
        unit=unit,
        unit_path=name_path(unit),
        effective=effective,
        source=source,
        source_path=name_path(source.unit) if source else None,
        history=version_history(model, unit),
        form=form,
        **context,
    )
