"""Read middleware options from the environment (what the adapters and the demo apps use).

| variable | option |
|---|---|
| ``MASTHEAD_APP_ID`` | ``app_id`` |
| ``MASTHEAD_APP_SECRET`` | ``secret`` (comma-separated list while rotating, newest last) |
| ``MASTHEAD_IDENTITY_URL`` | ``identity_url`` |
| ``MASTHEAD_APP_URL`` | ``origin`` (the app's public URL; ``https://`` also turns on ``secure``) |
| ``MASTHEAD_INTROSPECT`` | ``introspect`` (``1``/``true``/``yes``) |
| ``MASTHEAD_APP_COOKIE`` | ``cookie_name`` (only when apps share a host name: cookies ignore ports) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigurationError

TRUE = {"1", "true", "yes", "on"}


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-case."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def options_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """Middleware keyword options from ``MASTHEAD_*`` variables; explicit ``overrides`` win."""
    env = os.environ if environ is None else environ
    options: dict[str, Any] = {}
    if env.get("MASTHEAD_APP_ID"):
        options["app_id"] = env["MASTHEAD_APP_ID"]
    if env.get("MASTHEAD_APP_SECRET"):
        options["secret"] = [s.strip() for s in env["MASTHEAD_APP_SECRET"].split(",") if s.strip()]
    if env.get("MASTHEAD_IDENTITY_URL"):
        options["identity_url"] = env["MASTHEAD_IDENTITY_URL"]
    if env.get("MASTHEAD_APP_URL"):
        options["origin"] = origin_of(env["MASTHEAD_APP_URL"])
        if options["origin"].startswith("https://"):
            options["secure"] = True
    if env.get("MASTHEAD_APP_COOKIE"):
        options["cookie_name"] = env["MASTHEAD_APP_COOKIE"]
    if env.get("MASTHEAD_INTROSPECT", "").lower() in TRUE:
        options["introspect"] = True
    options.update({k: v for k, v in overrides.items() if v is not None})
    missing = [name for name in ("app_id", "secret") if not options.get(name)]
    if missing:
        raise ConfigurationError("Masthead needs " + " and ".join(missing) +
                                 " (set MASTHEAD_APP_ID and MASTHEAD_APP_SECRET)")
    return options
