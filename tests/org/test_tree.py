"""Building, renaming and moving units; the CLI that does it."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.org import services
from app.org.models import OrgUnit, UnitKind


def test_org_add_creates_missing_levels_once(app, runner):
    first = runner.invoke(args=["org", "add", "机关党委/机关党总支/第一党支部"])
    again = runner.invoke(args=["org", "add", "机关党委/机关党总支/第一党支部"])
    assert first.exit_code == 0 and "3 new level" in first.output
    assert again.exit_code == 0 and again.output.startswith("exists")
    with app.app_context():
        units = {unit.name: unit for unit in db.session.scalars(select(OrgUnit))}
        assert len(units) == 3
        assert units["机关党委"].kind is UnitKind.COMMITTEE
        assert units["机关党总支"].kind is UnitKind.GENERAL_BRANCH
        assert units["第一党支部"].kind is UnitKind.BRANCH
        assert services.name_path(units["第一党支部"]) == "机关党委/机关党总支/第一党支部"


def test_org_tree_prints_the_hierarchy_indented(app, runner):
    runner.invoke(args=["org", "add", "机关党委/第二党支部"])
    runner.invoke(args=["org", "add", "机关党委/第一党支部"])
    lines = runner.invoke(args=["org", "tree"]).output.splitlines()
    assert lines[0].startswith("机关党委")
    assert lines[1].startswith("  第一党支部") and lines[2].startswith("  第二党支部")


def test_org_add_rejects_an_empty_path(runner):
    result = runner.invoke(args=["org", "add", " / "])
    assert result.exit_code != 0


def test_moving_a_unit_moves_its_whole_subtree(app):
    with app.app_context():
        deep, _ = services.ensure_unit_path("甲党委/旧总支/第一党支部/学习小组")
        target, _ = services.ensure_unit_path("甲党委/新总支")
        old_general = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "旧总支"))
        branch = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "第一党支部"))
        services.move_unit(branch, target)
        deep = db.session.get(OrgUnit, deep.id)
        assert services.name_path(deep) == "甲党委/新总支/第一党支部/学习小组"
        assert deep.path.startswith(target.path)
        assert not db.session.scalars(select(OrgUnit).where(OrgUnit.in_subtree(old_general.path))).all()[1:]


def test_a_unit_cannot_move_under_its_own_descendant(app):
    with app.app_context():
        child, _ = services.ensure_unit_path("甲党委/总支")
        parent = child.parent
        with pytest.raises(services.OrgError):
            services.move_unit(parent, child)


def test_sibling_names_are_unique_but_cousins_may_share_a_name(app):
    with app.app_context():
        services.ensure_unit_path("甲党委/第一党支部")
        services.ensure_unit_path("乙党委/第一党支部")
        parent = services.find_unit_by_name_path("甲党委")
        with pytest.raises(services.OrgError):
            services.create_unit("第一党支部", parent)
        with pytest.raises(services.OrgError):
            services.rename_unit(services.ensure_unit_path("甲党委/第二党支部")[0], "第一党支部")


def test_a_unit_with_members_cannot_be_deleted(app, world):
    with app.app_context():
        with pytest.raises(services.OrgError):
            services.delete_unit(db.session.get(OrgUnit, world.unit_a1))
        empty, _ = services.ensure_unit_path("甲党委/空支部")
        services.delete_unit(empty)
        assert services.find_unit_by_name_path("甲党委/空支部") is None
