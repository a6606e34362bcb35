"""The password policy and how passwords are stored."""

import pytest

from app.auth.passwords import PasswordPolicyError, check_password_policy, hash_password, password_matches


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "不能少于"),
        ("123456789", "不能少于"),
        ("1234567890", "过于常见"),
        ("qwertyuiop", "过于常见"),
        ("Password123", "过于常见"),
        ("woaini1314", "过于常见"),
        ("aaaaaaaaaaaa", "过于常见"),
        ("zhangwei-2026-pass", "用户名"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app, password, message):
    with app.test_request_context("/"), pytest.raises(PasswordPolicyError, match=message):
        check_password_policy(password, username="zhangwei")


def test_a_long_uncommon_password_is_accepted(app):
    with app.test_request_context("/"):
        check_password_policy("tea-mountain-river-7", username="zhangwei")


def test_passwords_are_stored_as_scrypt_hashes():
    stored = hash_password("tea-mountain-river-7")
    assert stored.startswith("scrypt:")
    assert "tea-mountain" not in stored
    assert password_matches(stored, "tea-mountain-river-7")
    assert not password_matches(stored, "tea-mountain-river-8")
    assert not password_matches(None, "anything")
