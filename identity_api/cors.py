"""CORS for ``/api/*``, following the app registry.

flask-cors's ``CORS(app, origins=[...])`` computes its options once, at ``init_app``: origins registered
later (``masthead apps add`` in another process) would never be allowed and removed ones never refused
without a restart. So this module reuses flask-cors's own machinery (``get_cors_options`` to resolve the
options, ``set_cors_headers`` to apply them) from an ``after_request`` hook, and recomputes the options
only when the registry snapshot changes.

The origin list is always exact strings: the registry refuses ``*`` and anything regex-looking, and
:func:`cors_options` re-checks, because flask-cors would treat such a string as a pattern (matched with
``re.match``, i.e. unanchored at the end) and, with credentials, reflect the attacker's origin.
"""

from __future__ import annotations

import threading

from flask import Flask, Response, request
from flask_cors.core import ACL_RESPONSE_PRIVATE_NETWORK, get_cors_options, probably_regex, set_cors_headers

from .errors import ConfigError

MAX_AGE = 600


def cors_options(app: Flask, origins: tuple[str, ...]):
    """flask-cors options for an exact origin list; ConfigError for any wildcard or pattern."""
    for origin in origins:
        if origin in ("*", "null") or probably_regex(origin):
            raise ConfigError(f"refusing CORS origin {origin!r}: credentials require exact origins")
    return get_cors_options(app, {
        "origins": list(origins),
        "supports_credentials": True,
        "max_age": MAX_AGE,
        "methods": ["GET", "POST"],
        "allow_headers": ["Content-Type", "Authorization"],
        "allow_private_network": False,
        "vary_header": True,
        "send_wildcard": False,
        "always_send": False,
    })


class RegistryCors:
    """The after_request hook, caching flask-cors options per registry version."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._version: int | None = None
        self._options = None
        self.options()  # validate the registry's origins at startup: refuse to run with a bad one

    def options(self):
        """flask-cors options for the current registry snapshot."""
        snapshot = self.app.extensions["masthead"].registry.snapshot()
        if snapshot.version != self._version:
            with self._lock:
                if snapshot.version != self._version:
                    self._options = cors_options(self.app, snapshot.cors_origins)
                    self._version = snapshot.version
        return self._options

    def after_request(self, response: Response) -> Response:
        """Apply CORS to ``/api/*`` responses (case-sensitive prefix: ``/API/ME`` gets none)."""
        if not request.path.startswith("/api/"):
            return response
        set_cors_headers(response, self.options())
        # flask-cors answers a private-network preflight with "...-Private-Network: false"; send nothing.
        response.headers.pop(ACL_RESPONSE_PRIVATE_NETWORK, None)
        response.vary.add("Origin")
        return response


def init_app(app: Flask) -> None:
    """Install the registry-following CORS hook (after the services are attached)."""
    app.after_request(RegistryCors(app).after_request)
