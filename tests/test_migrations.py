"""The migrations build exactly the schema the models describe, and can be undone."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db


def test_the_models_and_the_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_downgrade_and_upgrade_again(app):
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        assert not inspect(db.engine).has_table("users")
        flask_migrate.upgrade(revision="heads")
        assert inspect(db.engine).has_table("users")
