"""A tiny static file server for the Docs site, with ``/healthz`` for health checks.

The HTML files are plain and static except for one placeholder, ``%IDENTITY_URL%``, replaced on the way
out with ``MASTHEAD_IDENTITY_URL`` so the same files work wherever the identity API lives.
"""

from __future__ import annotations

import argparse
import os
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"


class DocsHandler(SimpleHTTPRequestHandler):
    """GET/HEAD only; HTML gets the identity URL and a strict CSP; nothing outside ``site/``."""

    identity_url = "http://localhost:8000"
    server_version = "docs"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.split("?", 1)[0] == "/healthz":
            self._send(HTTPStatus.OK, b'{"status": "ok"}', "application/json")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file() and SITE in path.resolve().parents:
            body = path.read_text(encoding="utf-8").replace("%IDENTITY_URL%", self.identity_url).encode()
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        identity = self.identity_url
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")
        self.send_header("Content-Security-Policy",
                         f"default-src 'self'; script-src 'self' {identity}; connect-src 'self' {identity}; "
                         f"img-src 'self' {identity} https: data:; style-src 'self' {identity}; "
                         "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if os.environ.get("DOCS_ACCESS_LOG") == "1":
            super().log_message(format, *args)


def make_server(host: str, port: int, identity_url: str) -> ThreadingHTTPServer:
    """A server for ``site/`` on ``host:port``."""
    handler = type("Handler", (DocsHandler,), {"identity_url": identity_url.rstrip("/")})
    return ThreadingHTTPServer((host, port), partial(handler, directory=str(SITE)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the Masthead Docs demo site.")
    parser.add_argument("--host", default=os.environ.get("DOCS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("DOCS_PORT", "8005")))
    args = parser.parse_args(argv)
    identity = os.environ.get("MASTHEAD_IDENTITY_URL", "http://localhost:8000")
    server = make_server(args.host, args.port, identity)
    print(f"Docs on http://{args.host}:{args.port} (identity {identity})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
