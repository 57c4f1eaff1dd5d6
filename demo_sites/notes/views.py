"""Notes pages and JSON API. Every query is scoped to the signed-in user's id."""

from __future__ import annotations

import hmac
import time

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from itsdangerous import URLSafeSerializer

from identity_client.flask import current_user, user_required

from .db import get_db

bp = Blueprint("notes", __name__)
MAX_NOTE = 4000


def csrf_token() -> str:
    """A per-session form token: the user's session id signed with the app secret."""
    user = current_user()
    serializer = URLSafeSerializer(current_app.config["MASTHEAD_APP_SECRET"], salt="notes.csrf")
    return serializer.dumps(user.sid if user else "")


@bp.app_context_processor
def page_context() -> dict:
    return {"identity_url": current_app.config["MASTHEAD_IDENTITY_URL"],
            "app_id": current_app.config["MASTHEAD_APP_ID"], "csrf_token": csrf_token}


@bp.after_app_request
def security_headers(response):
    """Pages differ per user: never cached by shared caches; a CSP that allows the identity origin."""
    identity = current_app.config["MASTHEAD_IDENTITY_URL"]
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.vary.add("Cookie")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {identity}; connect-src 'self' {identity}; "
        f"img-src 'self' {identity} https: data:; style-src 'self' {identity}; "
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'")
    return response


def refuse_anonymous_write():
    """A write without a signed-in user: 401 page that asks to sign in through the bar."""
    return render_template("sign_in_needed.html"), 401


def check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not hmac.compare_digest(sent.encode(), csrf_token().encode()):
        abort(400, "The form expired; reload the page and try again.")


@bp.get("/healthz")
def healthz():
    get_db().execute("SELECT 1")
    return {"status": "ok"}


@bp.get("/")
def index():
    """Your notes, newest first; anonymous visitors see what Notes is."""
    user = current_user()
    notes = []
    if user:
        notes = get_db().execute("SELECT id, body, created FROM note WHERE owner_id = ? ORDER BY created DESC",
                                 (user.id,)).fetchall()
    return render_template("index.html", user=user, notes=notes)


@bp.post("/notes")
def create():
    """Add a note for the signed-in user."""
    if current_user() is None:
        return refuse_anonymous_write()
    check_csrf()
    body = request.form.get("body", "").strip()
    if not body or len(body) > MAX_NOTE:
        abort(400, f"A note needs 1 to {MAX_NOTE} characters.")
    db = get_db()
    db.execute("INSERT INTO note (owner_id, body, created) VALUES (?, ?, ?)",
               (current_user().id, body, time.time()))
    db.commit()
    return redirect(url_for("notes.index"), 303)


@bp.post("/notes/<int:note_id>/delete")
def delete(note_id: int):
    """Delete one of your own notes; someone else's is 404 (its existence is not revealed)."""
    if current_user() is None:
        return refuse_anonymous_write()
    check_csrf()
    db = get_db()
    deleted = db.execute("DELETE FROM note WHERE id = ? AND owner_id = ?", (note_id, current_user().id))
    db.commit()
    if deleted.rowcount == 0:
        abort(404)
    return redirect(url_for("notes.index"), 303)


@bp.get("/api/notes")
@user_required
def api_notes():
    """Your notes as JSON (cookie or ``Authorization: Bearer``)."""
    rows = get_db().execute("SELECT id, body, created FROM note WHERE owner_id = ? ORDER BY created DESC",
                            (current_user().id,)).fetchall()
    return jsonify(notes=[dict(row) for row in rows])
