"""Server-rendered pages: sign in, sign up (with email confirmation), sign out, account, dev outbox.

They work without JavaScript. Every POST passes :func:`security.check_form_csrf` first. Sign-in answers
an unknown email, a wrong password, an unconfirmed or a disabled account identically (same status, body,
headers and argon2 work), and sign-up answers "check your inbox" whether or not the email is taken; the
difference goes to the mailbox, which only its owner reads.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from . import audit, mail, passwords, security, services, sessions, tokens
from .errors import DuplicateEmail, ValidationError
from .store import User
from .users import initials, normalise_email, normalise_name, safe_avatar, validate_avatar

bp = Blueprint("pages", __name__)

CONFIRM_MAX_AGE = 24 * 3600
NOTICES = {
    "profile": "Your profile is saved.",
    "password": "Your password is changed. Every other device has been signed out.",
    "session-ended": "That session has ended.",
    "others-ended": "Every other session has ended.",
    "confirmed": "Your email is confirmed. Welcome!",
}
_LINK_RE = re.compile(r"https?://[^\s<>\"']+")


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"), ("curl/", "curl"), ("python", "Python"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


@bp.app_template_filter("user_agent_label")
def user_agent_label(agent: str) -> str:
    """"Firefox on Linux" from a User-Agent header (a hint for people, not a security fact)."""
    browser = next((label for key, label in _BROWSERS if key in (agent or "")), "Unknown browser")
    system = next((label for key, label in _SYSTEMS if key in (agent or "")), "")
    return f"{browser} on {system}" if system else browser


@bp.app_template_filter("datetime")
def format_datetime(timestamp: float) -> str:
    """A Unix time as "24 Nov 2025, 10:15 UTC"."""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%-d %b %Y, %H:%M UTC")


@bp.before_request
def _csrf():
    if request.method == "POST":
        security.check_form_csrf()


def render(template: str, status: int = 200, **context) -> Response:
    """Render ``template`` with the shared page context; pages are private (no-store)."""
    security.mark_private()
    current = sessions.current()
    response = Response(render_template(template, current=current, **context), status=status,
                        mimetype="text/html")
    return response


def see_other(location: str) -> Response:
    """A 303 redirect (the browser follows a POST with a GET)."""
    return redirect(location, code=303)


def _with_next(path: str, next_url: str | None) -> str:
    return f"{path}?{urlencode({'next': next_url})}" if next_url else path


def _sign_in_response(user: User, next_url: str) -> Response:
    """End any current session, start a new one (fresh token: no fixation) and redirect."""
    sessions.end_current()
    value, _ = sessions.create(user)
    response = see_other(next_url)
    sessions.set_cookie(response, value)
    return response


# -- sign in -----------------------------------------------------------------------------------------
@bp.get("/")
def index():
    """Send visitors to their account, or to sign in."""
    return redirect(url_for("pages.account" if sessions.current() else "pages.sign_in"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Email + password sign-in; redirects to a safe ``next``."""
    next_url = request.values.get("next") or ""
    if request.method == "GET":
        return render("sign_in.html", next=next_url, email="", error=None,
                      notice="You are signed out." if request.args.get("signed_out") else None)
    email = (request.form.get("email") or "").strip()
    password = request.form.get("password") or ""
    svc = services.get()
    try:
        user = svc.store.get_user_by_email(normalise_email(email))
    except ValidationError:
        user = None
    # Same argon2 work whether or not the account exists (verify() uses a dummy hash for None).
    ok = passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        reason = "unknown_email" if user is None else "wrong_password" if not ok else \
            "disabled" if user.disabled_at else "unconfirmed"
        audit.event("sign_in_failed", email=email, reason=reason)
        return render("sign_in.html", 401, next=next_url, email=email,
                      error="That email and password don't match an account.", notice=None)
    if passwords.needs_rehash(user.password_hash):
        svc.store.set_password(user.id, passwords.hash_password(password), user.password_changed_at)
    audit.event("sign_in", user=user.id)
    return _sign_in_response(user, security.safe_next(next_url))


# -- sign up -----------------------------------------------------------------------------------------
def _fingerprint(password_hash: str) -> str:
    """Ties a confirmation link to one sign-up attempt: a later attempt invalidates earlier links."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    """Create an account; the email must be confirmed before it can sign in."""
    next_url = request.values.get("next") or ""
    if request.method == "GET":
        return render("sign_up.html", next=next_url, values={}, errors={})
    values = {k: request.form.get(k) or "" for k in ("name", "email")}
    password = request.form.get("password") or ""
    errors = {}
    try:
        name = normalise_name(values["name"])
    except ValidationError as exc:
        errors["name"] = exc.message
    try:
        email = normalise_email(values["email"])
    except ValidationError as exc:
        errors["email"] = exc.message
    try:
        passwords.check_policy(password, email=values["email"])
    except ValidationError as exc:
        errors["password"] = exc.message
    if errors:
        return render("sign_up.html", 400, next=next_url, values=values, errors=errors)
    _register(name, email, passwords.hash_password(password), next_url)
    return render("check_inbox.html", email=email, next=next_url)


def _register(name: str, email: str, password_hash: str, next_url: str) -> None:
    """Create or refresh an unconfirmed account and mail a link; for a taken email, mail a notice."""
    svc = services.get()
    existing = svc.store.get_user_by_email(email)
    if existing is None:
        try:
            existing = svc.store.create_user(email=email, name=name, password_hash=password_hash,
                                             now=svc.now(), confirmed=False)
        except DuplicateEmail:  # a concurrent sign-up won the race: treat as an existing account
            existing = svc.store.get_user_by_email(email)
            return _mail_existing(existing)
    elif existing.confirmed_at is None and existing.disabled_at is None:
        svc.store.replace_unconfirmed(existing.id, name=name, password_hash=password_hash, now=svc.now())
    else:
        return _mail_existing(existing)
    token = tokens.sign(svc.config.secret_keys, tokens.CONFIRM_SALT,
                        {"u": existing.id, "f": _fingerprint(password_hash), "n": next_url})
    link = f"{svc.config.origin}/confirm/{token}"
    mail.send(svc.config, email, "Confirm your Masthead account",
              f"Hello {name},\n\nConfirm your email address to finish creating your account:\n\n{link}\n\n"
              "The link works for 24 hours. If you did not sign up, ignore this mail.\n", kind="confirm")
    audit.event("sign_up", user=existing.id)


def _mail_existing(user: User | None) -> None:
    if user is None:
        return
    config = services.get().config
    mail.send(config, user.email, "You already have a Masthead account",
              f"Hello {user.name},\n\nSomeone (maybe you) tried to sign up with this email address, but you "
              f"already have an account. Sign in here:\n\n{config.origin}/sign-in\n\n"
              "If it wasn't you, you can ignore this mail: nothing has changed.\n", kind="existing_account")
    audit.event("sign_up_existing", user=user.id)


def _confirm_target(token: str) -> tuple[User, dict] | None:
    svc = services.get()
    data = tokens.unsign(svc.config.secret_keys, tokens.CONFIRM_SALT, token, CONFIRM_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("f"), str):
        return None
    user = svc.store.get_user(data["u"])
    if user is None or user.disabled_at is not None or _fingerprint(user.password_hash) != data["f"]:
        return None
    return user, data


@bp.get("/confirm/<path:token>")
def confirm(token: str):
    """Show a button that confirms the email (a GET changes nothing: mail scanners follow links)."""
    target = _confirm_target(token)
    if target is None:
        response = render("message.html", 400, title="This link has expired",
                          text="Confirmation links work once, for 24 hours. Sign up again to get a new one.",
                          action=("Sign up", url_for("pages.sign_up")))
    else:
        response = render("confirm.html", user=target[0], token=token)
    # The URL holds the confirmation token: never send it to another origin. (Not "no-referrer": Chromium
    # then sends "Origin: null" with the confirm POST, which the CSRF check rightly refuses.)
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.post("/confirm")
def confirm_post():
    """Confirm the email, sign the new user in and continue to the saved ``next``."""
    target = _confirm_target(request.form.get("token") or "")
    if target is None:
        return render("message.html", 400, title="This link has expired",
                      text="Confirmation links work once, for 24 hours. Sign up again to get a new one.",
                      action=("Sign up", url_for("pages.sign_up")))
    user, data = target
    if user.confirmed_at is not None:
        return render("message.html", title="Already confirmed", text="Your email is already confirmed.",
                      action=("Sign in", url_for("pages.sign_in")))
    svc = services.get()
    svc.store.confirm_user(user.id, svc.now())
    audit.event("confirmed", user=user.id)
    user = svc.store.get_user(user.id)
    next_url = data.get("n") if isinstance(data.get("n"), str) else ""
    return _sign_in_response(user, security.safe_next(next_url, default="/account?done=confirmed"))


# -- sign out ----------------------------------------------------------------------------------------
@bp.post("/sign-out")
def sign_out():
    """End this device's session (POST only; a GET is 405)."""
    current = sessions.current()
    if current is not None:
        audit.event("sign_out", user=current.user.id, via="form")
    sessions.end_current()
    response = see_other(security.safe_next(request.form.get("next"), default="/sign-in?signed_out=1"))
    sessions.clear_cookie(response)
    return response


# -- account -----------------------------------------------------------------------------------------
def _require_user():
    current = sessions.current()
    if current is None:
        abort(redirect(_with_next(url_for("pages.sign_in"), "/account"), code=303))
    return current


def _account_page(status: int = 200, *, errors: dict | None = None, values: dict | None = None,
                  notice: str | None = None) -> Response:
    current = _require_user()
    svc = services.get()
    user = current.user
    listed = svc.store.list_sessions(user.id, not_before=svc.now() - svc.config.session_idle_timeout)
    # This device first, then the others by most recent activity.
    listed = sorted((s for s in listed if sessions.is_valid(s, user, svc.now())),
                    key=lambda s: s.id != current.session.id)
    return render("account.html", status, user=user, this_session=current.session, sessions=listed,
                  initials=initials(user.name, user.email), errors=errors or {},
                  avatar=safe_avatar(user.avatar_url, svc.config.origin),
                  values=values or {"name": user.name, "avatar": user.avatar_url or ""}, notice=notice)


@bp.get("/account")
def account():
    """Profile, password and active sessions."""
    return _account_page(notice=NOTICES.get(request.args.get("done", "")))


@bp.post("/account/profile")
def account_profile():
    """Change the display name and avatar."""
    current = _require_user()
    svc = services.get()
    values = {"name": request.form.get("name") or "", "avatar": request.form.get("avatar") or ""}
    errors = {}
    try:
        name = normalise_name(values["name"])
        avatar = validate_avatar(values["avatar"], svc.config.origin)
    except ValidationError as exc:
        errors[exc.field or "name"] = exc.message
    if errors:
        return _account_page(400, errors=errors, values=values)
    svc.store.update_profile(current.user.id, name=name, avatar_url=avatar)
    audit.event("profile_changed", user=current.user.id)
    return see_other("/account?done=profile")


@bp.post("/account/password")
def account_password():
    """Change the password (current one required); ends every other session and rotates this one."""
    current = _require_user()
    svc = services.get()
    user = current.user
    new = request.form.get("new_password") or ""
    errors = {}
    if not passwords.verify(user.password_hash, request.form.get("current_password") or ""):
        errors["current_password"] = "That is not your current password."
        audit.event("password_change_failed", user=user.id)
    else:
        try:
            passwords.check_policy(new, email=user.email)
            if new != (request.form.get("confirm_password") or ""):
                errors["confirm_password"] = "The two new passwords differ."
        except ValidationError as exc:
            errors["new_password"] = exc.message
    if errors:
        return _account_page(400, errors=errors)
    svc.store.set_password(user.id, passwords.hash_password(new), svc.now())
    svc.store.revoke_user_sessions(user.id, svc.now())
    audit.event("password_changed", user=user.id)
    return _sign_in_response(svc.store.get_user(user.id), "/account?done=password")


@bp.post("/account/sessions/end")
def account_end_session():
    """End one of the user's sessions (this one included)."""
    current = _require_user()
    svc = services.get()
    target = svc.store.session_by_public_id(request.form.get("session") or "")
    if target is None or target[0].user_id != current.user.id:
        return see_other("/account")
    svc.store.revoke_session(target[0].id, svc.now())
    audit.event("session_ended", user=current.user.id)
    if target[0].id == current.session.id:
        response = see_other("/sign-in?signed_out=1")
        sessions.clear_cookie(response)
        return response
    return see_other("/account?done=session-ended")


@bp.post("/account/sessions/end-others")
def account_end_others():
    """End every session but this one."""
    current = _require_user()
    count = sessions.end_others(current.user, current.session)
    audit.event("other_sessions_ended", user=current.user.id, count=count)
    return see_other("/account?done=others-ended")


# -- development ---------------------------------------------------------------------------------------
@bp.get("/dev/outbox")
def dev_outbox():
    """Development only: the mails Masthead "sent", with their links, so demos need no SMTP server."""
    config = services.get().config
    if not config.development:
        abort(404)
    mails = mail.read_outbox(config.outbox)
    for item in mails:
        item["links"] = _LINK_RE.findall(item["body"])
    return render("outbox.html", mails=mails)
