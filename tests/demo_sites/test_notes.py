"""Notes (Flask) through Flask's test client, with real app tokens from a real identity API."""

from __future__ import annotations

import re

import pytest

from demo_sites.notes import create_app
from tests.demo_sites.conftest import SECRETS
from tests.identity_client_support import flip, mint

ORIGIN = "http://localhost"


@pytest.fixture
def app(family, tmp_path):
    return create_app({"MASTHEAD_APP_SECRET": SECRETS["notes"], "MASTHEAD_IDENTITY_URL": family.url,
                       "NOTES_DATABASE": str(tmp_path / "notes.sqlite3"), "TESTING": True})


def signed_in(app, family, email):
    """A test client that went through the real hand-over with a real token."""
    client = app.test_client()
    reply = client.post("/.masthead/session", json={"token": family.token(email, "notes")},
                        headers={"Origin": ORIGIN})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.get_json()["user"]["email"] == email
    return client


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def note_ids(page: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb'action="/notes/(\d+)/delete"', page)]


def test_every_page_embeds_the_bar_and_anonymous_can_read(app, family):
    page = app.test_client().get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert (f'<script src="{family.url}/masthead.js" data-app="notes" data-session-user="" async></script>'
            in html)
    assert f'<masthead-bar><a href="{family.url}/sign-in">Sign in</a></masthead-bar>' in html  # fallback link
    assert f'href="{family.url}/static/family.css"' in html and "Sign in to write notes" in html
    assert "<script>" not in html  # no inline scripts
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_anonymous_writes_are_refused_and_ask_to_sign_in(app):
    client = app.test_client()
    reply = client.post("/notes", data={"body": "sneaky"})
    assert reply.status_code == 401 and "Sign in to write notes" in reply.get_data(as_text=True)
    assert client.post("/notes/1/delete").status_code == 401
    api = client.get("/api/notes")
    assert api.status_code == 401 and api.get_json()["error"] == "not_signed_in"


def test_signed_in_page_names_the_user(app, family):
    client = signed_in(app, family, "ada@example.com")
    html = client.get("/").get_data(as_text=True)
    assert f'data-session-user="{family.user_id("ada@example.com")}"' in html
    assert "New note, Ada" in html


def test_notes_are_isolated_between_users(app, family):
    ada = signed_in(app, family, "ada@example.com")
    grace = signed_in(app, family, "grace@example.com")
    page = ada.get("/").data
    assert ada.post("/notes", data={"body": "Ada's secret analytical engine", "csrf_token": csrf(page)}
                    ).status_code == 303
    page = ada.get("/").data
    assert b"Ada&#39;s secret analytical engine" in page
    [ada_note] = note_ids(page)

    grace_page = grace.get("/").data
    assert b"analytical engine" not in grace_page and note_ids(grace_page) == []
    # Grace cannot delete Ada's note, even with a valid form token of her own
    assert grace.post(f"/notes/{ada_note}/delete", data={"csrf_token": csrf(grace_page)}).status_code == 404
    assert b"analytical engine" in ada.get("/").data
    # the JSON API is scoped the same way (Bearer tokens straight from the identity API)
    for email, expected in (("ada@example.com", 1), ("grace@example.com", 0)):
        api = app.test_client().get("/api/notes",
                                    headers={"Authorization": f"Bearer {family.token(email, 'notes')}"})
        assert api.status_code == 200 and len(api.get_json()["notes"]) == expected
    # Ada deletes her own note
    assert ada.post(f"/notes/{ada_note}/delete", data={"csrf_token": csrf(page)}).status_code == 303
    assert note_ids(ada.get("/").data) == []


def test_forms_need_the_csrf_token(app, family):
    ada = signed_in(app, family, "ada@example.com")
    assert ada.post("/notes", data={"body": "x"}).status_code == 400
    assert ada.post("/notes", data={"body": "x", "csrf_token": "forged"}).status_code == 400
    grace_page = signed_in(app, family, "grace@example.com").get("/").data
    assert ada.post("/notes", data={"body": "x", "csrf_token": csrf(grace_page)}).status_code == 400


@pytest.mark.parametrize("token", [
    lambda f: mint(SECRETS["notes"], offset=-400),
    lambda f: f.token("ada@example.com", "forum"),
    lambda f: flip(f.token("ada@example.com", "notes"), 2),
], ids=["expired", "another app's", "tampered"])
def test_bad_tokens_are_401_on_the_api_and_anonymous_on_pages(app, family, token):
    value = token(family)
    api = app.test_client().get("/api/notes", headers={"Authorization": f"Bearer {value}"})
    assert api.status_code == 401 and api.headers["WWW-Authenticate"].startswith("Bearer")
    handover = app.test_client().post("/.masthead/session", json={"token": value}, headers={"Origin": ORIGIN})
    assert handover.status_code == 401
    page = app.test_client().get("/", headers={"Authorization": f"Bearer {value}"})
    assert page.status_code == 200 and b'data-session-user=""' in page.data


def test_sign_out_through_the_handover_makes_pages_anonymous(app, family):
    ada = signed_in(app, family, "ada@example.com")
    assert ada.delete("/.masthead/session", headers={"Origin": ORIGIN}).get_json() == {"user": None}
    assert b'data-session-user=""' in ada.get("/").data


def test_healthz(app):
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
