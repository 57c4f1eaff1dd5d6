"""Wiki (Bottle) through werkzeug's test Client (raw WSGI), with real app tokens from a real identity API."""

from __future__ import annotations

import re

import pytest
from werkzeug.test import Client

from demo_sites.wiki.app import make_app
from identity_client.bottle import wrap
from tests.demo_sites.conftest import SECRETS
from tests.identity_client_support import flip, mint

ORIGIN = "http://localhost"


@pytest.fixture
def wiki(family, tmp_path):
    config = {"app_id": "wiki", "secret": SECRETS["wiki"], "identity_url": family.url,
              "database": str(tmp_path / "wiki.sqlite3")}
    return lambda: Client(wrap(make_app(config), app_id="wiki", secret=SECRETS["wiki"],
                               identity_url=family.url))


def signed_in(wiki, family, email):
    client = wiki()
    reply = client.post("/.masthead/session", json={"token": family.token(email, "wiki")},
                        headers={"Origin": ORIGIN})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return client


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def edit(client, slug, title, body, summary=""):
    form = client.get(f"/wiki/{slug}/edit")
    assert form.status_code == 200
    return client.post(f"/wiki/{slug}", data={"title": title, "body": body, "summary": summary,
                                              "csrf_token": csrf(form.get_data(as_text=True))})


def test_pages_embed_the_bar_and_anonymous_can_read(wiki, family):
    client = wiki()
    for path in ("/", "/wiki/welcome", "/wiki/welcome/history"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert (f'<script src="{family.url}/masthead.js" data-app="wiki" data-session-user="" async>'
                in html)
        assert "<script>" not in html
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "Sign in to edit this page" in client.get("/wiki/welcome").get_data(as_text=True)


def test_anonymous_editing_is_refused_and_asks_to_sign_in(wiki):
    client = wiki()
    form = client.get("/wiki/welcome/edit")
    assert form.status_code == 401 and "Sign in to edit" in form.get_data(as_text=True)
    assert client.post("/wiki/welcome", data={"title": "x", "body": "vandalism"}).status_code == 401
    assert "vandalism" not in client.get("/wiki/welcome").get_data(as_text=True)


def test_history_shows_who_changed_what(wiki, family):
    ada = signed_in(wiki, family, "ada@example.com")
    grace = signed_in(wiki, family, "grace@example.com")
    assert edit(ada, "engines", "Engines", "The analytical engine weaves algebra.", "Started the page"
                ).status_code == 303
    assert edit(grace, "engines", "Engines", "The analytical engine weaves algebra.\n\nCompilers came later.",
                "Added compilers").status_code == 303

    page = wiki().get("/wiki/engines").get_data(as_text=True)  # anonymous reads the result
    assert "Compilers came later." in page and "last edited by <strong>Grace Hopper</strong>" in page

    history = wiki().get("/wiki/engines/history").get_data(as_text=True)
    authors = re.findall(r'<strong class="rev-author">([^<]+)</strong>', history)
    summaries = re.findall(r'<span class="rev-summary">([^<]+)</span>', history)
    assert authors == ["Grace Hopper", "Ada Lovelace"]
    assert summaries == ["Added compilers", "Started the page"]
    grace_rev, ada_rev = history.split('<li class="revision">')[1:]
    assert '<span class="add">+ Compilers came later.</span>' in grace_rev
    assert "analytical engine" not in grace_rev  # Grace did not write that line
    assert '<span class="add">+ The analytical engine weaves algebra.</span>' in ada_rev


def test_markup_in_content_is_escaped(wiki, family):
    ada = signed_in(wiki, family, "ada@example.com")
    edit(ada, "xss", "<b>bold</b>", "<script>alert(1)</script>")
    html = wiki().get("/wiki/xss").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_edits_need_the_csrf_token(wiki, family):
    ada = signed_in(wiki, family, "ada@example.com")
    assert ada.post("/wiki/welcome", data={"title": "x", "body": "y"}).status_code == 400
    assert ada.post("/wiki/welcome", data={"title": "x", "body": "y", "csrf_token": "forged"}).status_code == 400
    grace_form = signed_in(wiki, family, "grace@example.com").get("/wiki/welcome/edit").get_data(as_text=True)
    assert ada.post("/wiki/welcome", data={"title": "x", "body": "y", "csrf_token": csrf(grace_form)}
                    ).status_code == 400


@pytest.mark.parametrize("token", [
    lambda f: mint(SECRETS["wiki"], aud="wiki", offset=-400),
    lambda f: f.token("ada@example.com", "notes"),
    lambda f: flip(f.token("ada@example.com", "wiki"), 0),
], ids=["expired", "another app's", "tampered"])
def test_bad_tokens_never_sign_anyone_in(wiki, family, token):
    client = wiki()
    reply = client.post("/.masthead/session", json={"token": token(family)}, headers={"Origin": ORIGIN})
    assert reply.status_code == 401 and reply.headers["Content-Type"] == "application/json"
    assert client.get("/wiki/welcome/edit").status_code == 401


def test_unknown_and_invalid_pages(wiki):
    assert wiki().get("/wiki/no-such-page").status_code == 404
    assert wiki().get("/wiki/..%2Fetc").status_code == 404
    assert wiki().get("/healthz").get_json() == {"status": "ok"}
