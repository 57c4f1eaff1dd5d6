"""Throttling with the `limits` library (Flask-Limiter's engine), applied only where it is needed.

Sign-in is limited per account (the normalised email typed in the form) and per client (the address after
ProxyFix, which trusts ``X-Forwarded-For`` only for ``MASTHEAD_TRUSTED_PROXIES`` hops). Only failed
sign-ins (401) count, so a user who types the right password is never slowed down by their own successes,
while a throttled account refuses even the right password until the window passes. Sign-up and token
minting have a per-client limit (every POST counts).

Flask-Limiter used to do this, but it installs ``before_request``/``after_request``/``teardown_request``
hooks on the whole app, which cost every request (``/api/me`` included) although only three views are
limited. Here the three registered view functions are wrapped in the factory; nothing else runs per
request. The semantics are Flask-Limiter's (fixed window; limits tested in order before the view, the
first breach answers 429 with ``Retry-After``; failures-only limits are tested before and hit after the
view; the others are hit before it), and so are the storage keys (``LIMITER/<key>/<endpoint>:<scope>/...``),
so a shared storage keeps its counters across the switch.

Each app gets its own storage (``limits.storage.storage_from_string`` builds a new one per call, so two
``memory://`` apps in one process never share counters; with a shared storage such as Redis all processes
of one deployment share them, as they should).
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, Response, after_this_request, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

EXTENSION = "masthead_limiter"
log = logging.getLogger(__name__)


class RateLimited(TooManyRequests):
    """429 for a breached limit; ``retry_after`` is whole seconds until its window resets (at least 1)."""

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


def client_key() -> str:
    """The client's address as seen after trusted proxies."""
    return request.remote_addr or "unknown"


def account_key() -> str:
    """The account a sign-in attempt targets (empty email: fall back to the client)."""
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + email if email else "client:" + client_key()


def _failed(status: int) -> bool:
    return status == 401


@dataclass(frozen=True)
class Rule:
    """One limit on one view: ``key`` picks the bucket; with ``counts`` only matching statuses are hit."""

    item: RateLimitItem
    key: Callable[[], str]
    scope: str
    counts: Callable[[int], bool] | None = None


def retry_after(error: Exception) -> int:
    """Seconds until the breached limit's window resets (at least 1)."""
    return max(1, int(getattr(error, "retry_after", 1)))


class Throttle:
    """This app's rate limiter: a fixed-window strategy over the configured storage."""

    def __init__(self, storage_uri: str):
        self.storage = storage_from_string(storage_uri)
        self.limiter = FixedWindowRateLimiter(self.storage)

    def _retry_after(self, rule: Rule, args: list[str]) -> int:
        reset_at = int(self.limiter.get_window_stats(rule.item, *args)[0] + 1)
        return max(1, int(reset_at - time.time()) + 1)

    def wrap(self, endpoint: str, view: Callable, rules: list[Rule], methods: frozenset[str]) -> Callable:
        """``view`` with ``rules`` checked on ``methods`` (shortest window first, as Flask-Limiter orders)."""
        ordered = sorted(rules, key=lambda r: r.item.GRANULARITY.seconds)
        limiter = self.limiter

        @functools.wraps(view)
        def limited(*args, **kwargs):
            if request.method not in methods:
                return view(*args, **kwargs)
            deferred = []
            for rule in ordered:
                ids = [rule.key(), f"{endpoint}:{rule.scope}"]
                allowed = limiter.test(rule.item, *ids) if rule.counts else limiter.hit(rule.item, *ids)
                if not allowed:
                    log.info("ratelimit %s (%s) exceeded at endpoint: %s", rule.item, ids[0], ids[1])
                    raise RateLimited(self._retry_after(rule, ids))
                if rule.counts:
                    deferred.append((rule, ids))
            if deferred:
                # Like Flask-Limiter's after_request hook: counted on the final response, also when the view
                # raised and an error handler answered.
                @after_this_request
                def count(response: Response) -> Response:
                    for rule, ids in deferred:
                        if rule.counts(response.status_code):
                            limiter.hit(rule.item, *ids)
                    return response
            return view(*args, **kwargs)

        return limited


def init_app(app: Flask) -> Throttle:
    """Create this app's limiter and wrap the sign-in, sign-up and token views with their limits."""
    config = app.extensions["masthead"].config
    throttle = Throttle(config.ratelimit_storage)
    app.extensions[EXTENSION] = throttle
    post = frozenset({"POST"})
    views = app.view_functions
    views["pages.sign_in"] = throttle.wrap("pages.sign_in", views["pages.sign_in"], [
        Rule(parse(config.signin_limit_account), account_key, "signin-account", _failed),
        Rule(parse(config.signin_limit_client), client_key, "signin-client", _failed),
    ], post)
    views["pages.sign_up"] = throttle.wrap("pages.sign_up", views["pages.sign_up"], [
        Rule(parse(config.signup_limit_client), client_key, "signup"),
    ], post)
    views["api.tokens"] = throttle.wrap("api.tokens", views["api.tokens"], [
        Rule(parse(config.token_limit_client), client_key, "tokens"),
    ], post)
    return throttle
