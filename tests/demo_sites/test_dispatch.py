"""Single-process mode (demo_sites/dispatch.py) as a real gunicorn process: three apps under paths, each
with its own cookie and hand-over path, each verifying only its own tokens."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.demo_sites.conftest import SECRETS
from tests.servers import free_port, start_server


@pytest.fixture(scope="module")
def dispatch(family, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dispatch")
    port = free_port()
    env = {"MASTHEAD_IDENTITY_URL": family.url, "MASTHEAD_APP_URL": f"http://localhost:{port}",
           "NOTES_APP_SECRET": SECRETS["notes"], "FORUM_APP_SECRET": SECRETS["forum"],
           "WIKI_APP_SECRET": SECRETS["wiki"], "NOTES_DATABASE": str(tmp / "notes.sqlite3"),
           "FORUM_DATABASE": str(tmp / "forum.sqlite3"), "WIKI_DATABASE": str(tmp / "wiki.sqlite3"),
           "DJANGO_SETTINGS_MODULE": "demo_sites.forum.forum_site.settings"}
    subprocess.run([sys.executable, "-m", "demo_sites.forum.manage", "migrate", "--noinput"],
                   env={**os.environ, **env, "MASTHEAD_APP_SECRET": SECRETS["forum"]}, check=True,
                   capture_output=True)
    server = start_server("dispatch", [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                                       "--workers", "1", "demo_sites.dispatch:application"],
                          port=port, log_dir=tmp / "logs", env=env, public_host="localhost")
    yield server
    server.stop()


def client(server):
    return httpx.Client(base_url=f"http://127.0.0.1:{server.port}", headers={"Host": f"localhost:{server.port}"})


def test_three_apps_one_process_each_with_its_own_cookie(dispatch, family):
    origin = f"http://localhost:{dispatch.port}"
    with client(dispatch) as c:
        assert "Three apps, one process" in c.get("/").text
        for app in ("notes", "forum", "wiki"):
            page = c.get(f"/{app}/")
            assert page.status_code == 200, app
            assert f'data-app="{app}"' in page.text
            assert f'data-handover="/{app}/.masthead/session"' in page.text
        reply = c.post("/notes/.masthead/session", json={"token": family.token("ada@example.com", "notes")},
                       headers={"Origin": origin})
        assert reply.status_code == 200
        assert reply.headers["set-cookie"].startswith("masthead_app_session_notes=")
        assert "New note, Ada" in c.get("/notes/").text
        # the shared origin does not make one app's session another's
        assert 'data-session-user=""' in c.get("/forum/").text
        assert 'data-session-user=""' in c.get("/wiki/").text
        # and an app still refuses another app's token
        assert c.post("/wiki/.masthead/session", json={"token": family.token("ada@example.com", "notes")},
                      headers={"Origin": origin}).status_code == 401
        reply = c.post("/wiki/.masthead/session", json={"token": family.token("grace@example.com", "wiki")},
                       headers={"Origin": origin})
        assert reply.status_code == 200
        page = c.get("/wiki/wiki/welcome").text
        assert 'href="/wiki/wiki/welcome/edit"' in page and 'href="/wiki/static/wiki.css"' in page
        assert 'href="/forum/static/forum.css"' in c.get("/forum/").text
