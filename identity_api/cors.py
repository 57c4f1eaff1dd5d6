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
from flask_cors.core import (ACL_CREDENTIALS, ACL_EXPOSE_HEADERS, ACL_ORIGIN, ACL_RESPONSE_PRIVATE_NETWORK,
                             FLASK_CORS_EVALUATED, get_cors_options, probably_regex, set_cors_headers)

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


class _Resolved:
    """Everything the per-request hook needs for one registry version, computed once."""

    __slots__ = ("version", "options", "allowed", "simple_headers", "fast")

    def __init__(self, version: int, options):
        self.version = version
        self.options = options
        origins = options.origins
        #: flask-cors matches a literal origin case-insensitively (``casefold`` on both sides).
        self.allowed = frozenset(o.casefold() for o in origins if isinstance(o, str))
        #: What flask-cors adds after ``Access-Control-Allow-Origin`` for a matching non-preflight request.
        self.simple_headers = tuple((name, value) for name, value in (
            (ACL_EXPOSE_HEADERS, options.expose_headers),
            (ACL_CREDENTIALS, "true" if options.supports_credentials else None)) if value)
        # The fast path mirrors flask-cors only for what cors_options() produces: literal origins, no
        # wildcard, no always_send, Vary on. Anything else goes through set_cors_headers.
        self.fast = (all(isinstance(o, str) for o in origins) and not options.allow_all_origins
                     and not options.always_send and options.vary_header)


class RegistryCors:
    """The after_request hook, caching flask-cors options per registry version."""

    def __init__(self, app: Flask):
        self.app = app
        self.registry = app.extensions["masthead"].registry
        self._lock = threading.Lock()
        self._resolved: _Resolved | None = None
        self.options()  # validate the registry's origins at startup: refuse to run with a bad one

    def resolved(self) -> _Resolved:
        """The precomputed CORS state for the current registry snapshot."""
        snapshot = self.registry.snapshot()
        resolved = self._resolved
        if resolved is None or snapshot.version != resolved.version:
            with self._lock:
                resolved = self._resolved
                if resolved is None or snapshot.version != resolved.version:
                    resolved = _Resolved(snapshot.version, cors_options(self.app, snapshot.cors_origins))
                    self._resolved = resolved
        return resolved

    def options(self):
        """flask-cors options for the current registry snapshot."""
        return self.resolved().options

    def after_request(self, response: Response) -> Response:
        """Apply CORS to ``/api/*`` responses (case-sensitive prefix: ``/API/ME`` gets none).

        flask-cors computes the options (:func:`cors_options`, once per registry version). Applying them is
        done here directly for the common cases, producing exactly what ``set_cors_headers`` would for
        these options: with only literal origins, no wildcard and ``always_send`` off, a request without
        ``Origin`` gets nothing, and a non-preflight request whose ``Origin`` case-insensitively equals an
        allowed origin gets that ``Origin`` echoed, ``Allow-Credentials: true`` and (more than one origin)
        ``Vary: Origin``. Preflights (``OPTIONS``, where allowed methods and headers are negotiated) still
        go through flask-cors's generic ``set_cors_headers``. tests/test_cors.py pins the results.
        """
        if not request.path.startswith("/api/"):
            return response
        resolved = self.resolved()
        headers = response.headers
        if not resolved.fast or request.method == "OPTIONS" or hasattr(response, FLASK_CORS_EVALUATED):
            set_cors_headers(response, resolved.options)
        else:
            origin = request.headers.get("Origin")
            if origin and origin.casefold() in resolved.allowed:
                headers.add(ACL_ORIGIN, origin)
                for name, value in resolved.simple_headers:
                    headers.add(name, value)
                # flask-cors's Private-Network answer would be popped below anyway: not added here.
        # flask-cors answers a private-network preflight with "...-Private-Network: false"; send nothing.
        if ACL_RESPONSE_PRIVATE_NETWORK in headers:
            del headers[ACL_RESPONSE_PRIVATE_NETWORK]
        # Vary: Origin on every /api/ response (flask-cors adds it only when several origins could match).
        vary = headers.get("Vary")
        if vary is None:
            headers["Vary"] = "Origin"
        elif vary != "Origin":
            response.vary.add("Origin")
        return response


def init_app(app: Flask) -> None:
    """Install the registry-following CORS hook (after the services are attached)."""
    app.after_request(RegistryCors(app).after_request)
