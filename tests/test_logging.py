"""Security log lines: sign-in successes and failures are logged, without passwords or tokens, and CR/LF in
user input cannot forge a line."""

from __future__ import annotations

import logging

import pytest

from identity_api.audit import clean
from tests.identity_support import PASSWORD, add_app, add_user, json_post, session_cookie, sign_in


@pytest.fixture
def app(id_app):
    add_user(id_app)
    add_app(id_app)
    return id_app


def auth_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "identity_api.auth"]


def test_success_and_failure_are_logged_without_secrets(app, caplog):
    caplog.set_level(logging.INFO)
    client = app.test_client()
    sign_in(client, password="wrong password 123")
    sign_in(client)
    cookie = session_cookie(client)
    token = json_post(client, "/api/tokens", {"audience": "notes"}, origin="http://localhost:8001").json["token"]
    json_post(client, "/api/sign-out")
    lines = auth_lines(caplog)
    assert any(line.startswith("sign_in_failed ") and "email=ada@example.com" in line for line in lines)
    assert any(line.startswith("sign_in user=1") for line in lines)
    assert any(line.startswith("sign_out user=1") for line in lines)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PASSWORD, "wrong password 123", cookie, cookie.split(".")[0], token):
        assert secret not in everything


def test_crlf_in_email_cannot_forge_a_log_line(app, caplog):
    caplog.set_level(logging.INFO)
    forged = "x@example.com\r\nsign_in user=1 ip=127.0.0.1\u2028sign_in user=2"
    sign_in(app.test_client(), forged, "whatever")
    lines = auth_lines(caplog)
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\r" not in lines[0] and "\u2028" not in lines[0]
    assert "\\x0d\\x0a" in lines[0]


@pytest.mark.parametrize("raw, shown", [
    ("a\nb", "a\\x0ab"), ("a\rb", "a\\x0db"), ("tab\t", "tab\\x09"), ("a b", "a\\x20b"),
    ("back\\slash", "back\\\\slash"), ("", '""'), ("\x1b[31mred", "\\x1b[31mred"), ("ü", "ü"),
])
def test_clean(raw, shown):
    assert clean(raw) == shown
