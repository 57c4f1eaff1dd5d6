"""Forum (Django) through Django's test Client, with real app tokens from a real identity API.

Django is configured once per process: this module points DJANGO_SETTINGS_MODULE at the forum's settings
and the forum's environment at a temporary database before the first settings access; no other test
module configures Django.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.demo_sites.conftest import SECRETS
from tests.identity_client_support import flip, mint

ORIGIN = "http://testserver"


@pytest.fixture(scope="module")
def forum(family, tmp_path_factory):
    db = tmp_path_factory.mktemp("forum") / "forum.sqlite3"
    saved = {k: os.environ.get(k) for k in ("DJANGO_SETTINGS_MODULE", "MASTHEAD_APP_SECRET",
                                            "MASTHEAD_IDENTITY_URL", "FORUM_DATABASE", "MASTHEAD_APP_URL")}
    os.environ.update(DJANGO_SETTINGS_MODULE="demo_sites.forum.forum_site.settings",
                      MASTHEAD_APP_SECRET=SECRETS["forum"], MASTHEAD_IDENTITY_URL=family.url,
                      FORUM_DATABASE=str(db), MASTHEAD_APP_URL=ORIGIN)
    try:
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        assert settings.DATABASES["default"]["NAME"] == str(db), "Django was configured elsewhere first"
        call_command("migrate", verbosity=0)
        yield family
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def client(enforce_csrf: bool = False):
    from django.test import Client

    return Client(enforce_csrf_checks=enforce_csrf)


def signed_in(forum, email, enforce_csrf=False):
    c = client(enforce_csrf)
    reply = c.post("/.masthead/session", data=json.dumps({"token": forum.token(email, "forum")}),
                   content_type="application/json", headers={"Origin": ORIGIN})
    assert reply.status_code == 200, reply.content
    assert reply.cookies["masthead_app_session"]["httponly"]
    return c


def csrf_of(html: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()


def test_the_models_and_their_migrations_agree(forum):
    from django.core.management import call_command

    call_command("makemigrations", "board", check=True, dry_run=True, verbosity=0)  # exits 1 on a missing one


def test_pages_embed_the_bar_and_anonymous_can_read(forum):
    page = client().get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (f'<script src="{forum.url}/masthead.js" data-app="forum" data-session-user="" async></script>'
            in html)
    assert "Sign in to post" in html and "<script>" not in html
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_the_django_middleware_serves_the_hand_over_page_script(forum):
    page = client().get("/").content.decode()
    assert '<script src="/.masthead/session.js"></script>' in page
    script = client().get("/.masthead/session.js")
    assert script.status_code == 200 and script["Content-Type"].startswith("text/javascript")
    assert b"masthead:handover" in script.content


def test_anonymous_posting_is_refused_and_asks_to_sign_in(forum):
    from demo_sites.forum.board.models import Thread

    before = Thread.objects.count()
    reply = client().post("/threads", {"title": "t", "body": "b"})
    assert reply.status_code == 401 and b"Sign in to post" in reply.content
    assert Thread.objects.count() == before


def test_threads_and_replies_are_attributed_to_their_authors(forum):
    from demo_sites.forum.board.models import Reply, Thread

    ada = signed_in(forum, "ada@example.com")
    grace = signed_in(forum, "grace@example.com")
    html = ada.get("/").content.decode()
    assert f'data-session-user="{forum.user_id("ada@example.com")}"' in html and "Post as Ada Lovelace" in html
    started = ada.post("/threads", {"title": "Engines that weave algebra", "body": "Thoughts?"})
    assert started.status_code == 302
    thread_id = int(started["Location"].rsplit("/", 1)[1])
    assert grace.post(f"/threads/{thread_id}/replies", {"body": "Compilers, surely."}).status_code == 302

    thread = Thread.objects.get(pk=thread_id)
    assert (thread.author_id, thread.author_name) == (forum.user_id("ada@example.com"), "Ada Lovelace")
    [reply] = Reply.objects.filter(thread=thread)
    assert (reply.author_id, reply.author_name) == (forum.user_id("grace@example.com"), "Grace Hopper")

    page = client().get(f"/threads/{thread_id}").content.decode()  # anonymous can read it all
    authors = re.findall(r'<strong class="author">([^<]+)</strong>', page)
    assert authors == ["Ada Lovelace", "Grace Hopper"]
    assert "Compilers, surely." in page and "Sign in to reply" in page


def test_forms_are_csrf_protected(forum):
    ada = signed_in(forum, "ada@example.com", enforce_csrf=True)
    assert ada.post("/threads", {"title": "x", "body": "y"}).status_code == 403
    token = csrf_of(ada.get("/").content)
    assert ada.post("/threads", {"title": "x", "body": "y", "csrfmiddlewaretoken": token}).status_code == 302


def test_handover_endpoint_refusals_through_django(forum):
    c = client(enforce_csrf=True)
    body = json.dumps({"token": forum.token("ada@example.com", "forum")})
    assert c.post("/.masthead/session", data=body, content_type="application/json",
                  headers={"Origin": "http://evil.test"}).status_code == 403
    assert c.post("/.masthead/session", data="token=x", content_type="text/plain",
                  headers={"Origin": ORIGIN}).status_code == 415
    for bad in (forum.token("ada@example.com", "notes"), mint(SECRETS["forum"], aud="forum", offset=-400),
                flip(forum.token("ada@example.com", "forum"), 0)):
        reply = c.post("/.masthead/session", data=json.dumps({"token": bad}), content_type="application/json",
                       headers={"Origin": ORIGIN})
        assert reply.status_code == 401 and reply.json()["error"] in {"invalid_token", "expired_token"}
    assert c.put("/.masthead/session").status_code == 405
    assert c.get("/.masthead/session").json() == {"user": None}


def test_delete_handover_signs_the_forum_out(forum):
    ada = signed_in(forum, "ada@example.com")
    assert ada.get("/.masthead/session").json()["user"]["name"] == "Ada Lovelace"
    assert ada.delete("/.masthead/session", headers={"Origin": ORIGIN}).json() == {"user": None}
    assert 'data-session-user=""' in ada.get("/").content.decode()


def test_wrapping_the_wsgi_application_works_too(forum):
    """identity_client.django.wrap(): the user reaches request.META through the WSGI wrapper."""
    from django.core.wsgi import get_wsgi_application
    from werkzeug.test import Client

    from identity_client.django import wrap

    app = Client(wrap(get_wsgi_application()))
    reply = app.post("/.masthead/session", json={"token": forum.token("grace@example.com", "forum")},
                     headers={"Origin": ORIGIN}, base_url=ORIGIN)
    assert reply.status_code == 200
    assert "Post as Grace Hopper" in app.get("/", base_url=ORIGIN).get_data(as_text=True)


def test_healthz(forum):
    assert client().get("/healthz").json() == {"status": "ok"}
