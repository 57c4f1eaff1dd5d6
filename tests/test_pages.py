"""Sign-up with email confirmation, the confirm page, sign-out, the development outbox, error pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from identity_api.mail import read_outbox
from tests.identity_support import NOTES_ORIGIN, add_app, add_user, csrf_of, make_app, page_csrf, sign_in

PASS = "a long enough passphrase"


@pytest.fixture
def app(id_app):
    add_app(id_app)
    return id_app


def sign_up(client, email="new@example.com", name="New Person", password=PASS, next_url=""):
    token = page_csrf(client, "/sign-up")
    return client.post("/sign-up", data={"csrf_token": token, "name": name, "email": email,
                                         "password": password, "next": next_url})


def confirmation_link(app) -> str:
    outbox = app.extensions["masthead"].config.outbox
    body = read_outbox(outbox)[0]["body"]
    return re.search(r"http://localhost:8000(/confirm/\S+)", body).group(1)


def test_sign_up_confirm_signs_in_and_returns_to_next(app):
    client = app.test_client()
    response = sign_up(client, next_url=f"{NOTES_ORIGIN}/welcome")
    assert response.status_code == 200 and "Check your inbox" in response.data.decode()
    assert sign_in(app.test_client(), "new@example.com", PASS).status_code == 401  # not confirmed yet
    link = confirmation_link(app)
    browser = app.test_client()  # the mail may be opened in another browser
    page = browser.get(link)
    assert page.status_code == 200 and "new@example.com" in page.data.decode()
    assert browser.get("/api/me").json["user"] is None  # a GET (mail scanners) confirms nothing
    token = re.search(r'name="token" value="([^"]+)"', page.data.decode()).group(1)
    done = browser.post("/confirm", data={"csrf_token": csrf_of(page.data), "token": token})
    assert done.status_code == 303 and done.headers["Location"] == f"{NOTES_ORIGIN}/welcome"
    assert browser.get("/api/me").json["user"]["name"] == "New Person"
    again = browser.post("/confirm", data={"csrf_token": csrf_of(browser.get(link).data), "token": token})
    assert "Already confirmed" in again.data.decode()


def test_repeated_sign_up_invalidates_earlier_links(app):
    sign_up(app.test_client(), password="first passphrase here")
    first = confirmation_link(app)
    sign_up(app.test_client(), password="second passphrase here")
    assert app.test_client().get(first).status_code == 400
    newest = confirmation_link(app)
    assert newest != first and app.test_client().get(newest).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 3000])
def test_bad_confirmation_links(app, token):
    response = app.test_client().get(f"/confirm/{token}")
    assert response.status_code == 400 and "expired" in response.data.decode()


@pytest.mark.parametrize("field, value, message", [
    ("email", "not-an-email", "valid email"), ("email", "a@b", "valid email"),
    ("name", "   ", "Enter your name"), ("name", "x" * 81, "at most 80"),
    ("password", "password123", "too common"), ("password", "short", "at least 8"),
])
def test_sign_up_validation(app, field, value, message):
    values = {"email": "new@example.com", "name": "New", "password": PASS, field: value}
    response = sign_up(app.test_client(), **values)
    assert response.status_code == 400 and message in response.data.decode()
    assert read_outbox(app.extensions["masthead"].config.outbox) == []


class FieldMarkup(HTMLParser):
    """The inputs of a page by id, and the text of every other element that has an id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs, self.texts, self._open = {}, {}, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and "id" in attrs:
            self.inputs[attrs["id"]] = attrs
        elif "id" in attrs:
            self.texts[attrs["id"]] = ""
            self._open.append((tag, attrs["id"]))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        for _, element_id in self._open:
            self.texts[element_id] += data

    def description(self, input_id: str) -> str:
        """What a screen reader announces with the input: the texts its aria-describedby points at."""
        ids = (self.inputs[input_id].get("aria-describedby") or "").split()
        return " ".join(self.texts[i] for i in ids)


def test_refused_fields_are_marked_invalid_and_described_by_their_error(app):
    response = sign_up(app.test_client(), name=" ", email="not-an-email", password="short")
    page = FieldMarkup(response.data.decode())
    for field, message in (("name", "Enter your name"), ("email", "valid email"), ("password", "at least 8")):
        assert page.inputs[field].get("aria-invalid") == "true", field
        assert message in page.description(field), field
    assert "A long passphrase is best" in page.description("password")  # the hint stays announced too

    add_user(app)
    client = app.test_client()
    sign_in(client)
    fresh = FieldMarkup(client.get("/account").data.decode())
    assert not [i for i, attrs in fresh.inputs.items() if "aria-invalid" in attrs]
    assert fresh.description("avatar") == "An https:// image. Without one, apps show your initials."
    assert fresh.description("new_password") == "At least 8 characters. Other devices will be signed out."
    assert fresh.description("current_password") == ""
    token = csrf_of(client.get("/account").data)
    refused = client.post("/account/password", data={"csrf_token": token, "current_password": "wrong one",
                                                      "new_password": PASS, "confirm_password": PASS})
    page = FieldMarkup(refused.data.decode())
    assert refused.status_code == 400 and page.inputs["current_password"].get("aria-invalid") == "true"
    assert page.description("current_password") == "That is not your current password."
    assert "aria-invalid" not in page.inputs["new_password"]


def test_sign_out_form_and_next(app):
    add_user(app)
    client = app.test_client()
    sign_in(client)
    token = csrf_of(client.get("/account").data)
    response = client.post("/sign-out", data={"csrf_token": token, "next": f"{NOTES_ORIGIN}/bye"})
    assert response.headers["Location"] == f"{NOTES_ORIGIN}/bye"
    assert client.get("/api/me").json["user"] is None
    assert "You are signed out" in client.get("/sign-in?signed_out=1").data.decode()


def test_dev_outbox_lists_mails_with_links(app):
    sign_up(app.test_client())
    page = app.test_client().get("/dev/outbox").data.decode()
    assert "Confirm your Masthead account" in page and 'href="http://localhost:8000/confirm/' in page


def test_dev_outbox_is_404_in_production(tmp_path):
    app = make_app(tmp_path, env="production", secret_keys=("p" * 40,))
    assert app.test_client().get("/dev/outbox").status_code == 404


def test_index_redirects(app):
    assert app.test_client().get("/").headers["Location"] == "/sign-in"


@pytest.mark.parametrize("path, status", [("/nope", 404), ("/sign-in?next=%00", 200)])
def test_html_error_pages_have_no_trace(app, path, status):
    response = app.test_client().get(path)
    assert response.status_code == status and response.mimetype == "text/html"
    assert "Traceback" not in response.data.decode()


def test_oversized_form_is_413_html(app):
    client = app.test_client()
    token = page_csrf(client)
    response = client.post("/sign-in", data={"csrf_token": token, "email": "a" * 70_000, "password": "x"})
    assert response.status_code == 413 and response.mimetype == "text/html"


def test_markup_in_names_renders_as_text(app):
    add_user(app, "x@example.com", '<img src=x onerror=alert(1)>')
    client = app.test_client()
    sign_in(client, "x@example.com")
    html = client.get("/account").data.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
