"""The Wiki's Bottle app. ``make_app(config)`` builds it; ``application`` (wsgi.py) adds Masthead."""

from __future__ import annotations

import difflib
import hmac
import os
import re
import time
from pathlib import Path
from urllib.parse import quote

import bottle
from itsdangerous import URLSafeSerializer

from identity_client.bottle import current_user, wrap

from .storage import Store

HERE = Path(__file__).resolve().parent
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64] or "page"


def config_from_env() -> dict:
    return {"app_id": os.environ.get("MASTHEAD_APP_ID", "wiki"),
            "secret": os.environ.get("MASTHEAD_APP_SECRET", ""),
            "identity_url": os.environ.get("MASTHEAD_IDENTITY_URL", "http://localhost:8000").rstrip("/"),
            "database": os.environ.get("WIKI_DATABASE", str(Path("instance") / "wiki.sqlite3"))}


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """Changed lines between two revisions as (``"+"``/``"-"``, text)."""
    out = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line[:1] in "+-" and line[1:2] == " " and line[2:].strip():
            out.append((line[0], line[2:]))
    return out


def make_app(config: dict) -> bottle.Bottle:
    """The Bottle app (without the Masthead middleware)."""
    app = bottle.Bottle()
    store = Store(config["database"])
    serializer = URLSafeSerializer(config["secret"], salt="wiki.csrf")
    identity = config["identity_url"]
    policy = (f"default-src 'self'; script-src 'self' {identity}; connect-src 'self' {identity}; "
              f"img-src 'self' {identity} https: data:; style-src 'self' {identity}; "
              "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'")

    def csrf_token() -> str:
        user = current_user()
        return serializer.dumps(user.sid if user else "")

    def render(name: str, status: int = 200, **context) -> str:
        bottle.response.status = status
        user = current_user()
        return bottle.template(name, template_lookup=[str(HERE / "templates")], user=user, identity_url=identity,
                               root=root(), bottle_html_escape=bottle.html_escape,
                               app_id=config["app_id"], csrf_token=csrf_token, request=bottle.request,
                               fmt_time=lambda t: time.strftime("%b %d, %Y %H:%M", time.gmtime(t)),
                               **context)

    @app.hook("after_request")
    def headers():
        bottle.response.set_header("Content-Security-Policy", policy)
        bottle.response.set_header("X-Content-Type-Options", "nosniff")
        bottle.response.set_header("Referrer-Policy", "same-origin")
        bottle.response.set_header("X-Frame-Options", "DENY")
        if "Cache-Control" not in bottle.response.headers:
            bottle.response.set_header("Cache-Control", "private, no-store")

    def root() -> str:
        """The path the app is mounted under ("" normally; "/wiki" in demo_sites/dispatch.py)."""
        return bottle.request.script_name.rstrip("/")

    def go(path: str):
        bottle.redirect(root() + path, 303)

    def sign_in_needed():
        return render("sign_in_needed", 401)

    def check_csrf() -> None:
        sent = bottle.request.forms.getunicode("csrf_token") or ""
        if not hmac.compare_digest(sent.encode(), csrf_token().encode()):
            bottle.abort(400, "The form expired; reload the page and try again.")

    def valid_slug(slug: str) -> str:
        if not SLUG.match(slug):
            bottle.abort(404, "No such page.")
        return slug

    @app.get("/healthz")
    def healthz():
        store.ping()
        return {"status": "ok"}

    @app.get("/static/<name:re:[a-z0-9-]+\\.(css|js)>")
    def static(name):
        response = bottle.static_file(name, root=str(HERE / "static"))
        response.set_header("Cache-Control", "public, max-age=300")
        return response

    @app.get("/")
    def index():
        return render("index", pages=store.pages())

    @app.get("/new")
    def new():
        title = (bottle.request.query.getunicode("title") or "").strip()[:120]
        if not title:
            go("/")
        go(f"/wiki/{slugify(title)}/edit?title={quote(title)}")

    @app.get("/wiki/<slug>")
    def show(slug):
        page = store.page(valid_slug(slug))
        if page is None:
            return render("missing", 404, slug=slug)
        history = store.history(slug)
        return render("page", page=page, revisions=len(history), last=history[0] if history else None)

    @app.get("/wiki/<slug>/edit")
    def edit(slug):
        valid_slug(slug)
        if current_user() is None:
            return sign_in_needed()
        page = store.page(slug)
        title = page["title"] if page else (bottle.request.query.getunicode("title") or slug.replace("-", " "))
        return render("edit", slug=slug, title=title, body=page["body"] if page else "", is_new=page is None)

    @app.post("/wiki/<slug>")
    def save(slug):
        valid_slug(slug)
        user = current_user()
        if user is None:
            return sign_in_needed()
        check_csrf()
        forms = bottle.request.forms
        title = (forms.getunicode("title") or "").strip()
        body = (forms.getunicode("body") or "").replace("\r\n", "\n").strip()
        summary = (forms.getunicode("summary") or "").strip()[:200]
        if not 0 < len(title) <= 120 or not 0 < len(body) <= 50_000:
            bottle.abort(400, "A page needs a title and some text.")
        page = store.page(slug)
        if page and page["title"] == title and page["body"] == body:
            go(f"/wiki/{slug}")
        store.save(slug, title, body, summary or ("Created the page" if page is None else "Edited the page"),
                   author_id=user.id, author_name=user.name or user.email)
        go(f"/wiki/{slug}")

    @app.get("/wiki/<slug>/history")
    def history(slug):
        revisions = store.history(valid_slug(slug))
        if not revisions:
            return render("missing", 404, slug=slug)
        changes = []
        for i, rev in enumerate(revisions):
            previous = revisions[i + 1]["body"] if i + 1 < len(revisions) else ""
            changes.append((rev, diff_lines(previous, rev["body"])))
        return render("history", slug=slug, title=revisions[0]["title"], changes=changes)

    @app.error(400)
    @app.error(404)
    def error_page(error):
        return render("message", error.status_code, message=error.body)

    return app


def application_from_env(**overrides):
    """The WSGI application the servers run: the Bottle app behind Masthead."""
    config = {**config_from_env(), **overrides}
    return wrap(make_app(config), app_id=config["app_id"], secret=config["secret"],
                identity_url=config["identity_url"], cookie_name=config.get("cookie_name"))
