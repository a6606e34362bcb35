"""Chinese by default, English on request and remembered; no untranslated Chinese text."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.web import AuthActions, csrf_token

PROJECT = Path(__file__).resolve().parents[1]
CATALOGUE = PROJECT / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def switch_language(client, locale: str, next_path: str = "/"):
    return client.post(
        "/language", data={"locale": locale, "next": next_path, "csrf_token": csrf_token(client, "/login")}
    )


def test_the_sign_in_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "登录网上党校" in page


def test_a_visitor_switches_to_english_and_the_choice_is_remembered(client):
    response = switch_language(client, "en", "/login")
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in to the Online Party School" in page


def test_a_member_s_language_follows_them_to_another_device(app, world, client, auth):
    auth.login("member_a")
    switch_language(client, "en")
    assert "Sign out" in client.get("/").get_data(as_text=True)
    other_device = app.test_client()
    AuthActions(other_device).login("member_a")
    assert "Sign out" in other_device.get("/").get_data(as_text=True)


def test_an_unknown_language_is_refused(client):
    assert switch_language(client, "xx").status_code == 400


def test_every_message_has_a_chinese_translation(tmp_path):
    """Extract the messages afresh, so text added without a translation fails here."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            Path(sys.executable).with_name("pybabel"),
            "extract",
            "-F",
            "app/translations/babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(template),
            "app",
        ],
        cwd=PROJECT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    with CATALOGUE.open("rb") as handle:
        translated = {message.id: message.string for message in read_po(handle) if message.id}
    missing = sorted(str(msgid) for msgid in extracted if not translated.get(msgid))
    assert not missing, f"untranslated (run `make messages` and translate): {missing}"
