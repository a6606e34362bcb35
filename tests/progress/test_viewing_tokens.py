"""Viewing tokens: signed, bound to member, session version, lesson and viewing session, expiring."""

from datetime import timedelta

from app.progress import viewing
from app.timeutil import utcnow


def test_a_minted_token_reads_back_its_claim(app):
    with app.app_context():
        token = viewing.mint(7, 3, 42, "a" * 32)
        assert viewing.is_viewing_token(token)
        assert viewing.read(token) == viewing.ViewingClaim(7, 3, 42, "a" * 32)


def test_a_token_changed_in_any_part_or_signed_with_another_key_reads_as_nothing(app):
    with app.app_context():
        token = viewing.mint(7, 3, 42, "a" * 32)
        parts = token.split(".")
        for index, forged in ((1, "8"), (2, "4"), (3, "43"), (4, "b" * 32), (5, str(int(parts[5]) + 3600))):
            assert viewing.read(".".join([*parts[:index], forged, *parts[index + 1 :]])) is None
        assert viewing.read(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
        assert viewing.read("pv1.garbage") is None and viewing.read("psk_abc") is None
        app.config["SECRET_KEY"] = "another-secret-key-of-the-right-length-00"
        assert viewing.read(token) is None


def test_a_token_expires(app):
    with app.app_context():
        token = viewing.mint(7, 3, 42, "a" * 32, now=utcnow() - timedelta(minutes=241))
        assert viewing.read(token) is None
        assert viewing.read(viewing.mint(7, 3, 42, "a" * 32, now=utcnow() - timedelta(minutes=239)))
