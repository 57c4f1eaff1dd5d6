"""Ask the identity API whether the session behind a token is still active (``POST /api/introspect``).

Policy on failure — **fail closed**: when the identity API cannot be reached, times out, or answers
something that is not an RFC 7662 reply, and no fresh answer for the token's session is cached, the token
is refused (:class:`IntrospectionUnavailable`). An app opts into introspection because it wants revocation
to bite within seconds; accepting unknown sessions during an outage would silently drop that guarantee.
The cache softens outages: a session confirmed active within ``cache_ttl`` seconds stays accepted, so an
outage shorter than the TTL is invisible to recently seen users. ``fail_open=True`` accepts locally
verified tokens during an outage instead (a conscious trade of revocation for availability).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict

from .errors import ConfigurationError, IntrospectionUnavailable, RevokedToken
from .tokens import Claims

log = logging.getLogger("identity_client.introspection")

#: Replies larger than this are not introspection replies.
MAX_REPLY = 64 * 1024


class Introspector:
    """Introspect app tokens over HTTP with HTTP Basic ``app_id:secret``, a short timeout and a TTL cache.

    The cache is keyed by the token's ``sid`` (the session), holds at most ``cache_size`` sessions, and
    remembers both answers: active for ``cache_ttl`` seconds, revoked for ``revoked_ttl`` seconds (a revoked
    session never comes back, so that answer can be kept longer; it ages out only to bound memory). The
    middleware also consults the revoked answers for app session cookies of the same ``sid``.
    """

    def __init__(self, identity_url: str, app_id: str, secret: str, *, timeout: float = 2.0,
                 cache_ttl: float = 30.0, cache_size: int = 1024, revoked_ttl: float = 12 * 3600,
                 fail_open: bool = False) -> None:
        if not identity_url.startswith(("http://", "https://")):
            raise ConfigurationError("identity_url must be an http(s) URL")
        self.url = identity_url.rstrip("/") + "/api/introspect"
        self.app_id = app_id
        self.timeout = timeout
        self.cache_ttl = cache_ttl
        self.cache_size = cache_size
        self.revoked_ttl = revoked_ttl
        self.fail_open = fail_open
        credentials = base64.b64encode(f"{app_id}:{secret}".encode()).decode("ascii")
        self._authorization = f"Basic {credentials}"
        self._cache: OrderedDict[str, tuple[float, bool]] = OrderedDict()
        self._lock = threading.Lock()

    # -- cache ---------------------------------------------------------------------------------------
    def cached(self, sid: str) -> bool | None:
        """The fresh cached answer for session ``sid`` (True active, False revoked), or None."""
        with self._lock:
            entry = self._cache.get(sid)
            if entry is None:
                return None
            expires, active = entry
            if expires <= time.monotonic():
                del self._cache[sid]
                return None
            self._cache.move_to_end(sid)
            return active

    def _remember(self, sid: str, active: bool) -> None:
        with self._lock:
            ttl = self.cache_ttl if active else max(self.cache_ttl, self.revoked_ttl)
            self._cache[sid] = (time.monotonic() + ttl, active)
            self._cache.move_to_end(sid)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def forget(self, sid: str | None = None) -> None:
        """Drop one session's cached answer, or all of them."""
        with self._lock:
            if sid is None:
                self._cache.clear()
            else:
                self._cache.pop(sid, None)

    # -- network -------------------------------------------------------------------------------------
    def ask(self, token: str) -> dict:
        """POST the token to the identity API; the parsed reply, or raise IntrospectionUnavailable."""
        body = json.dumps({"token": token}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Authorization": self._authorization, "Content-Type": "application/json",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_REPLY + 1)
        except urllib.error.HTTPError as exc:
            log.warning("introspection refused with HTTP %s (check the app id and secret)", exc.code)
            raise IntrospectionUnavailable(f"identity API answered {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.warning("introspection failed: %s", exc.__class__.__name__)
            raise IntrospectionUnavailable("identity API unreachable") from None
        try:
            reply = json.loads(raw) if len(raw) <= MAX_REPLY else None
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or not isinstance(reply.get("active"), bool):
            raise IntrospectionUnavailable("identity API gave no introspection reply")
        return reply

    def check(self, token: str, claims: Claims) -> None:
        """Return if the session behind locally verified ``claims`` is active; raise otherwise.

        Raises :class:`RevokedToken` when the identity API says inactive, and
        :class:`IntrospectionUnavailable` when it cannot say (unless ``fail_open``).
        """
        cached = self.cached(claims.sid)
        if cached is True:
            return
        if cached is False:
            raise RevokedToken("session is no longer active")
        try:
            reply = self.ask(token)
        except IntrospectionUnavailable:
            if self.fail_open:
                log.warning("introspection unavailable; accepting a locally verified token (fail_open)")
                return
            raise
        active = (reply["active"] and str(reply.get("sub")) == claims.sub
                  and reply.get("aud", self.app_id) == self.app_id
                  and reply.get("sid", claims.sid) == claims.sid)
        self._remember(claims.sid, active)
        if not active:
            raise RevokedToken("session is no longer active")
