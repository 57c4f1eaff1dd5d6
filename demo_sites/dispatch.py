"""Single-process comparison mode: Notes, Forum and Wiki mounted under one WSGI server by path.

``gunicorn demo_sites.dispatch:application`` serves ``/notes``, ``/forum`` and ``/wiki`` with werkzeug's
``DispatcherMiddleware`` (the idea's ``DispatchedApplication``). It is **not** the default (see
README.md, "The demo family"): one origin for three apps, so the browser no longer isolates them; cookies are shared, so
each app session cookie needs its own name; the process holds all three secrets; and the apps can no
longer be scaled, deployed or restarted independently. Each app still verifies only its own tokens.

Environment: ``MASTHEAD_IDENTITY_URL``, ``MASTHEAD_APP_URL`` (the shared origin), and per app
``NOTES_APP_SECRET``/``FORUM_APP_SECRET``/``WIKI_APP_SECRET`` plus ``NOTES_DATABASE``/``FORUM_DATABASE``/
``WIKI_DATABASE``.
"""

from __future__ import annotations

import json
import os

from werkzeug.middleware.dispatcher import DispatcherMiddleware

MOUNTS = ("notes", "forum", "wiki")


def _index(environ, start_response):
    """``/``: links to the mounted apps; ``/healthz`` for the launcher."""
    if environ.get("PATH_INFO") == "/healthz":
        body = json.dumps({"status": "ok"}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    if environ.get("PATH_INFO") not in ("", "/"):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found"]
    links = "".join(f'<li><a href="/{m}/">{m.title()}</a></li>' for m in MOUNTS)
    body = (f"<!doctype html><title>Masthead: one process</title><h1>Three apps, one process</h1>"
            f"<ul>{links}</ul>").encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [body]


def create_application(env: dict[str, str] | None = None):
    """The dispatched WSGI application."""
    env = os.environ if env is None else env
    identity = env.get("MASTHEAD_IDENTITY_URL", "http://localhost:8000").rstrip("/")

    # Django is configured from the process environment once: give it the forum's settings first.
    os.environ.update(MASTHEAD_APP_ID="forum", MASTHEAD_APP_SECRET=env["FORUM_APP_SECRET"],
                      MASTHEAD_APP_COOKIE="masthead_app_session_forum", MASTHEAD_IDENTITY_URL=identity)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_sites.forum.forum_site.settings")
    from django.core.wsgi import get_wsgi_application

    forum = get_wsgi_application()

    from demo_sites.notes import create_app as create_notes
    from demo_sites.wiki.app import application_from_env as create_wiki

    notes = create_notes({"MASTHEAD_APP_ID": "notes", "MASTHEAD_APP_SECRET": env["NOTES_APP_SECRET"],
                          "MASTHEAD_IDENTITY_URL": identity, "MASTHEAD_APP_COOKIE": "masthead_app_session_notes",
                          "NOTES_DATABASE": env.get("NOTES_DATABASE", "instance/notes.sqlite3")})
    wiki = create_wiki(app_id="wiki", secret=env["WIKI_APP_SECRET"], identity_url=identity,
                       cookie_name="masthead_app_session_wiki",
                       database=env.get("WIKI_DATABASE", "instance/wiki.sqlite3"))
    return DispatcherMiddleware(_index, {"/notes": notes, "/forum": forum, "/wiki": wiki})


def __getattr__(name: str):
    # ``gunicorn demo_sites.dispatch:application`` builds the app on first access, not at import.
    if name == "application":
        app = create_application()
        globals()["application"] = app
        return app
    raise AttributeError(name)
