"""Throttling with Flask-Limiter.

Sign-in is limited per account (the normalised email typed in the form) and per client (the address after
ProxyFix, which trusts ``X-Forwarded-For`` only for ``MASTHEAD_TRUSTED_PROXIES`` hops). Only failed
sign-ins count (``deduct_when``), so a user who types the right password is never slowed down by their
own successes, while a throttled account refuses even the right password until the window passes. Sign-up
and token minting have a per-client limit.

Each app gets its own :class:`~flask_limiter.Limiter` (its storage lives on the instance), and limits are
attached to the registered view functions in the factory, so two apps in one process never share counters
(with a shared storage such as Redis, all processes of one deployment share them, as they should).
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded

EXTENSION = "masthead_limiter"


def client_key() -> str:
    """The client's address as seen after trusted proxies."""
    return request.remote_addr or "unknown"


def account_key() -> str:
    """The account a sign-in attempt targets (empty email: fall back to the client)."""
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + email if email else "client:" + client_key()


def _failed(response: Response) -> bool:
    return response.status_code == 401


def retry_after(error: RateLimitExceeded) -> int:
    """Seconds until the breached limit's window resets (at least 1)."""
    limiter: Limiter = current_app.extensions[EXTENSION]
    current = limiter.current_limit
    if current is None:
        return 1
    return max(1, int(current.reset_at - time.time()) + 1)


def init_app(app: Flask) -> Limiter:
    """Create this app's limiter and attach the limits to the sign-in, sign-up and token views."""
    config = app.extensions["masthead"].config
    limiter = Limiter(client_key, storage_uri=config.ratelimit_storage, strategy="fixed-window",
                      headers_enabled=False, swallow_errors=False)
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    # Flask-Limiter checks decorated limits inside the decorator's wrapper, so the registered views are
    # replaced by their wrapped versions (the wrapper keeps the name the limits are filed under).
    views = app.view_functions
    account = limiter.limit(config.signin_limit_account, key_func=account_key, methods=["POST"],
                            deduct_when=_failed, scope="signin-account")
    client = limiter.limit(config.signin_limit_client, key_func=client_key, methods=["POST"],
                           deduct_when=_failed, scope="signin-client")
    views["pages.sign_in"] = client(account(views["pages.sign_in"]))
    views["pages.sign_up"] = limiter.limit(config.signup_limit_client, key_func=client_key, methods=["POST"],
                                           scope="signup")(views["pages.sign_up"])
    views["api.tokens"] = limiter.limit(config.token_limit_client, key_func=client_key, methods=["POST"],
                                        scope="tokens")(views["api.tokens"])
    return limiter
