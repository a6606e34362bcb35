"""Builders of test data, one module per domain: ``make_x(**overrides)`` committing through the app.

Test modules and conftest fixtures import them from here (``from tests.factories.auth import
make_user``); conftest files hold fixtures only.
"""
