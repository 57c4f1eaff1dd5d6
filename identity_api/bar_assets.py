"""Build and serve the Masthead bar: ``GET /masthead.js`` and ``GET /masthead.<hash>.js``.

The bar's sources live in ``widget/`` (``masthead.js``, ``masthead.css``; override the folder with
``MASTHEAD_WIDGET_DIR``). At start-up they are minified with rjsmin/rcssmin, the CSS is embedded in the
script (it is adopted into the bar's shadow root), and the result is hashed: the short URL is served with
``max-age=300`` and a strong ``ETag``, the content-versioned URL with a one-year immutable cache and a
Subresource Integrity hash that ``masthead embed APP_ID`` prints.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import click
import rcssmin
import rjsmin
from flask import Flask, Response, abort, request

try:  # Optional: pre-compressed brotli when the package is installed.
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

from .assets import asset_dir  # noqa: E402 (after the optional import above)

DEFAULT_WIDGET_DIR = asset_dir("widget")
#: The literal in masthead.js that the build replaces with the minified CSS as a JS string.
CSS_PLACEHOLDER = "'__MASTHEAD_CSS__'"
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"
APP_ID = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
#: What a page adds to reserve the bar's height before the script runs (no layout shift).
#: Reserves the bar's height before it loads, and reveals the placeholder's fallback link only if the bar has
#: not taken over after 3 s (the identity API is unreachable, so not even the script loaded).
RESERVE_CSS = ("masthead-bar{display:block;height:48px}"
               "masthead-bar>a{float:right;margin:12px 16px;visibility:hidden;animation:masthead-fallback 0s 3s forwards}"
               "@keyframes masthead-fallback{to{visibility:visible}}")
QUEUE_STUB = "window.Masthead=window.Masthead||function(){(Masthead.q=Masthead.q||[]).push(arguments)};"


class BuildError(RuntimeError):
    """The widget sources are missing or malformed."""


@dataclass(frozen=True)
class Bundle:
    """The built bar: the served bytes, their pre-compressed variants, hash and SRI value."""

    body: bytes
    digest: str
    integrity: str
    encoded: dict[str, bytes]

    @property
    def versioned_path(self) -> str:
        """``/masthead.<digest>.js``."""
        return f"/masthead.{self.digest}.js"


def widget_dir() -> Path:
    """The folder holding the bar's sources."""
    return Path(os.environ.get("MASTHEAD_WIDGET_DIR") or DEFAULT_WIDGET_DIR)


def build(source_dir: Path | None = None) -> Bundle:
    """Minify ``masthead.js`` and ``masthead.css`` from ``source_dir``, embed the CSS, hash the result."""
    source_dir = source_dir or widget_dir()
    try:
        js = (source_dir / "masthead.js").read_text(encoding="utf-8")
        css = (source_dir / "masthead.css").read_text(encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"cannot read the bar's sources in {source_dir}: {exc}") from exc
    script = rjsmin.jsmin(js)
    if script.count(CSS_PLACEHOLDER) != 1:
        raise BuildError(f"masthead.js must contain {CSS_PLACEHOLDER} exactly once")
    script = script.replace(CSS_PLACEHOLDER, json.dumps(rcssmin.cssmin(css)))
    body = script.encode("utf-8")
    encoded = {"gzip": gzip.compress(body, 9, mtime=0)}
    if brotli is not None:
        encoded["br"] = brotli.compress(body, quality=11)
    sri = base64.b64encode(hashlib.sha384(body).digest()).decode("ascii")
    return Bundle(body=body, digest=hashlib.sha256(body).hexdigest()[:16], integrity=f"sha384-{sri}",
                  encoded=encoded)


def _negotiate(bundle: Bundle) -> tuple[str | None, bytes]:
    """The best encoding the client accepts (br, then gzip, then identity) and its bytes."""
    for name in ("br", "gzip"):
        if name in bundle.encoded and request.accept_encodings[name] > 0:
            return name, bundle.encoded[name]
    return None, bundle.body


def _serve(bundle: Bundle, cache_control: str) -> Response:
    """The script response: CORS-readable (for SRI), nosniff, cacheable, 304 on a matching ETag."""
    encoding, body = _negotiate(bundle)
    etag = bundle.digest + (f".{encoding}" if encoding else "")
    headers = {
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Vary": "Accept-Encoding",
    }
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304, headers=headers)
    else:
        response = Response(body, headers=headers, content_type="text/javascript; charset=utf-8")
        if encoding:
            response.headers["Content-Encoding"] = encoding
    response.set_etag(etag)
    return response


def init_app(app: Flask) -> None:
    """Build the bar now and add its two routes to ``app``."""
    bundle = build()
    app.extensions["masthead_bar"] = bundle

    def script() -> Response:
        """The bar, short cache: pages using this URL pick up new builds within five minutes."""
        return _serve(bundle, SHORT_CACHE)

    def versioned_script(digest: str) -> Response:
        """The bar pinned to one build; any other hash is 404 (it never served it)."""
        if digest != bundle.digest:
            abort(404)
        return _serve(bundle, LONG_CACHE)

    app.add_url_rule("/masthead.js", "bar_script", script, methods=["GET"])
    app.add_url_rule("/masthead.<digest>.js", "bar_script_versioned", versioned_script, methods=["GET"])


def embed_snippet(public_url: str, app_id: str, bundle: Bundle) -> str:
    """The HTML an app pastes into its pages to show the bar."""
    base = public_url.rstrip("/")
    return f"""\
<!-- 1. Reserve the bar's height before it loads (in your stylesheet; no layout shift): -->
<style>{RESERVE_CSS}</style>

<!-- 2. At the very top of <body>: where the bar goes (its link shows only if the bar cannot load),
        then the script (always the latest build): -->
<masthead-bar><a href="{base}/sign-in">Sign in</a></masthead-bar>
<script src="{base}/masthead.js" data-app="{app_id}" async></script>

<!--    or pinned to this exact build, with Subresource Integrity (update it when the bar changes): -->
<script src="{base}{bundle.versioned_path}" integrity="{bundle.integrity}" crossorigin="anonymous"
        data-app="{app_id}" async></script>

<!-- Optional, before any code that calls Masthead(...) before the script has loaded: -->
<script>{QUEUE_STUB}</script>
"""


@click.command("embed")
@click.argument("app_id")
def embed_command(app_id: str) -> None:
    """Print the HTML that embeds the bar for APP_ID (short-cache URL, and versioned URL with SRI)."""
    from .config import Config

    if not APP_ID.match(app_id):
        raise click.UsageError(f"APP_ID must match {APP_ID.pattern}, got {app_id!r}")
    config = Config.from_env()
    try:
        bundle = build()
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(embed_snippet(config.public_url, app_id, bundle), nl=False)
