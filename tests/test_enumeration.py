"""No user enumeration: sign-in and sign-up answer identically whether or not the account exists, and do
the same argon2 work."""

from __future__ import annotations

import re

import pytest

from identity_api import passwords
from identity_api.mail import read_outbox
from tests.identity_support import PASSWORD, add_user, csrf_of, page_csrf, sign_in

VOLATILE = ("Date", "Set-Cookie", "Content-Length")


def normalised(response):
    body = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', response.data.decode())
    headers = sorted((k, v) for k, v in response.headers.items() if k not in VOLATILE)
    return response.status_code, headers, body


@pytest.fixture
def app(id_app):
    add_user(id_app, "ada@example.com")
    add_user(id_app, "pending@example.com", confirmed=False)
    add_user(id_app, "gone@example.com")
    id_app.extensions["masthead"].store.disable_user(3, 0)
    return id_app


@pytest.fixture
def verify_calls(monkeypatch):
    calls = []
    real = passwords._hasher

    class Counting:
        """Wraps the hasher (argon2's PasswordHasher has read-only slots) and records each verify."""

        def verify(self, hash_, password):
            calls.append(hash_)
            return real.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(real, name)
    monkeypatch.setattr(passwords, "_hasher", Counting())
    return calls


def attempt(app, email, password):
    client = app.test_client()
    page_csrf(client)  # both attempts start from the same state: CSRF cookie present
    return sign_in(client, email, password)


def test_unknown_email_and_wrong_password_answer_identically(app, verify_calls):
    cases = {
        "unknown": ("nobody@example.com", PASSWORD),
        "wrong": ("ada@example.com", "not the password"),
        "unconfirmed": ("pending@example.com", PASSWORD),
        "disabled": ("gone@example.com", PASSWORD),
    }
    answers = {}
    for name, (email, password) in cases.items():
        before = len(verify_calls)
        response = attempt(app, email, password)
        assert len(verify_calls) - before == 1, f"{name}: argon2 verify must run exactly once"
        assert response.status_code == 401
        answers[name] = normalised(response)
        answers[name] = (answers[name][0], answers[name][1], answers[name][2].replace(email, "EMAIL"))
    first = answers["unknown"]
    for name, answer in answers.items():
        assert answer == first, f"{name} differs from unknown email"


def test_unknown_email_hashes_with_real_argon2_parameters(app, verify_calls):
    attempt(app, "nobody@example.com", PASSWORD)
    attempt(app, "ada@example.com", "wrong password here")
    unknown_hash, known_hash = verify_calls[-2], verify_calls[-1]
    # Same algorithm and parameters: the dummy hash costs as much as a real one.
    assert unknown_hash.rsplit("$", 2)[0] == known_hash.rsplit("$", 2)[0]


def sign_up(app, email, name="Someone New", password="a long enough passphrase"):
    client = app.test_client()
    token = page_csrf(client, "/sign-up")
    return client.post("/sign-up", data={"csrf_token": token, "name": name, "email": email,
                                         "password": password})


def test_sign_up_existing_and_new_email_answer_identically(app, tmp_path, monkeypatch):
    hashes = []
    original = passwords.hash_password
    monkeypatch.setattr(passwords, "hash_password", lambda p: (hashes.append(p), original(p))[1])
    new = sign_up(app, "newcomer@example.com")
    existing = sign_up(app, "ada@example.com")
    assert len(hashes) == 2  # hashing work happens for the taken email too
    assert new.status_code == existing.status_code == 200
    n, e = normalised(new), normalised(existing)
    assert (n[0], n[1]) == (e[0], e[1])
    assert n[2].replace("newcomer@example.com", "EMAIL") == e[2].replace("ada@example.com", "EMAIL")
    assert "Check your inbox" in n[2]
    mails = read_outbox(tmp_path / "outbox")
    assert len(mails) == 2  # one mail each way: the difference only reaches the mailbox owner
    bodies = [m["body"] for m in mails]
    assert any("Confirm your email address" in b for b in bodies)
    assert any("already have an account" in b for b in bodies)


def test_sign_up_does_not_reveal_through_validation(app):
    weak = sign_up(app, "ada@example.com", password="password")
    weak_new = sign_up(app, "newcomer@example.com", password="password")
    assert weak.status_code == weak_new.status_code == 400


def test_sign_in_success_sets_session(app):
    response = sign_in(app.test_client(), "ADA@Example.com ", PASSWORD)
    assert response.status_code == 303


def test_failed_sign_in_keeps_email_and_escapes_it(app):
    client = app.test_client()
    response = sign_in(client, '"><script>alert(1)</script>', "x")
    html = response.data.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert csrf_of(html)
