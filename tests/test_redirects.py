"""``next=`` only leads to the identity API or a registered app origin; every trick falls back."""

from __future__ import annotations

import pytest

from identity_api.security import safe_next
from tests.identity_support import NOTES_ORIGIN, add_app, add_user, sign_in

TRICKS = [
    "//evil.com", "///evil.com", "/\\evil.com", "\\\\evil.com", "http:/\\/evil.com", "https:evil.com",
    "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "\x08//evil.com", "/\t/evil.com", " //evil.com", "/%0a/evil.com\n", "http://localhost:8001@evil.com",
    "http://localhost:8001:@evil.com/", "https://evil.com", "http://localhost:8009/", "https://localhost:8001/",
    "http://localhost:8001.evil.com/", "ftp://localhost:8001/", "account", "http:///evil.com", "",
    "http://[::1/", "http://localhost:99999/",
]


@pytest.fixture
def app(id_app):
    add_app(id_app)
    add_user(id_app)
    return id_app


@pytest.mark.parametrize("url", TRICKS)
def test_tricks_fall_back_to_account(app, url):
    with app.test_request_context():
        assert safe_next(url) == "/account"


@pytest.mark.parametrize("url", ["/account", "/account?x=1#y", "http://localhost:8000/account",
                                 f"{NOTES_ORIGIN}/", f"{NOTES_ORIGIN}/notes/3?tab=a#top",
                                 "http://LOCALHOST:8001/x"])
def test_allowed_targets_are_kept(app, url):
    with app.test_request_context():
        assert safe_next(url) == url


@pytest.mark.parametrize("url", TRICKS)
def test_sign_in_redirect_uses_safe_next(app, url):
    response = sign_in(app.test_client(), next_url=url)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"


def test_sign_in_redirects_to_registered_app(app):
    response = sign_in(app.test_client(), next_url=f"{NOTES_ORIGIN}/notes/1")
    assert response.headers["Location"] == f"{NOTES_ORIGIN}/notes/1"


def test_location_never_carries_a_token(app):
    client = app.test_client()
    response = sign_in(client, next_url=f"{NOTES_ORIGIN}/x")
    cookie = client.get_cookie("masthead_session").value
    assert cookie not in response.headers["Location"]


def test_next_is_preserved_between_sign_in_and_sign_up(app):
    page = app.test_client().get("/sign-in", query_string={"next": f"{NOTES_ORIGIN}/x"}).data.decode()
    assert 'value="http://localhost:8001/x"' in page
    assert "/sign-up?next=http%3A//localhost%3A8001/x" in page or "/sign-up?next=http://localhost:8001/x" in page
