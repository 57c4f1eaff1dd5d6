"""A small real HTTP server for the bar's host-page fixtures (``python tests/e2e/pages/host_server.py PORT``).

- ``GET /NAME`` or ``/NAME.html`` serves ``tests/e2e/pages/NAME.html``; ``{{KEY}}`` placeholders are filled
  from the query string (HTML-escaped), with defaults ``ID`` (``MASTHEAD_TEST_ID``, the identity URL),
  ``APP`` (``notes``), ``NONCE`` (fresh per response) and ``SRC`` (``ID/masthead.js``). An optional
  ``NAME.headers`` file adds response headers (``Name: value`` lines, templated the same way), e.g. a CSP.
- ``/.masthead/session`` is a stand-in app hand-over endpoint (docs/protocol.md "Hand-over"): ``GET`` says
  who the app session is, ``POST {"token"}`` resolves the token with the identity API's ``/api/me``
  (Bearer) and keeps that user, ``DELETE`` forgets it. Every call is recorded; ``GET /__calls`` lists them
  and ``POST /__reset`` clears state. State is per Host, so two app origins served here stay apart.
- ``GET /healthz`` answers 200.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

PAGES = Path(__file__).resolve().parent
IDENTITY = os.environ.get("MASTHEAD_TEST_ID", "http://localhost:8000")
HANDOVER = "/.masthead/session"
LOCK = threading.Lock()
SESSIONS: dict[str, dict | None] = {}
CALLS: dict[str, list] = {}


def fill(text: str, values: dict[str, str]) -> str:
    """Replace ``{{KEY}}`` with ``values[KEY]`` (unknown keys become empty)."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values.get(m.group(1), ""), text)


class Handler(BaseHTTPRequestHandler):
    server_version = "bar-host-pages"

    def log_message(self, fmt, *args):  # keep test output quiet; the log file gets errors only
        pass

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _host(self) -> str:
        return self.headers.get("Host", "")

    # -- pages ---------------------------------------------------------------------------------------
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            return self._json(200, {"status": "ok"})
        if url.path == "/favicon.ico":  # no 404 in the console of every page
            return self._send(200, b"", "image/x-icon", {"Cache-Control": "max-age=3600"})
        if url.path == HANDOVER:
            return self._handover("GET")
        if url.path == "/__calls":
            with LOCK:
                return self._json(200, CALLS.get(self._host(), []))
        name = url.path.strip("/").removesuffix(".html") or "plain"
        page = PAGES / f"{name}.html"
        if not re.fullmatch(r"[a-z0-9_-]+", name) or not page.is_file():
            return self._send(404, b"not found", "text/plain")
        values = {"ID": IDENTITY, "APP": "notes", "NONCE": secrets.token_urlsafe(12)}
        values["SRC"] = f"{IDENTITY}/masthead.js"
        values.update({k: html.escape(v) for k, v in parse_qsl(url.query, keep_blank_values=True)})
        headers = {}
        sidecar = page.with_suffix(".headers")
        if sidecar.is_file():
            for line in fill(sidecar.read_text(), values).splitlines():
                if ":" in line:
                    key, value = line.split(":", 1)
                    headers[key.strip()] = value.strip()
        self._send(200, fill(page.read_text(), values).encode(), "text/html; charset=utf-8", headers)

    do_HEAD = do_GET

    # -- the stand-in hand-over endpoint ---------------------------------------------------------------
    def do_POST(self):
        path = urlsplit(self.path).path
        if path == "/__reset":
            with LOCK:
                SESSIONS.pop(self._host(), None)
                CALLS.pop(self._host(), None)
            return self._json(200, {})
        if path == HANDOVER:
            return self._handover("POST")
        return self._send(404, b"not found", "text/plain")

    def do_DELETE(self):
        if urlsplit(self.path).path == HANDOVER:
            return self._handover("DELETE")
        return self._send(404, b"not found", "text/plain")

    def _handover(self, method: str) -> None:
        host = self._host()
        origin = self.headers.get("Origin")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        call = {"method": method, "origin": origin, "content_type": self.headers.get("Content-Type")}
        with LOCK:
            CALLS.setdefault(host, []).append(call)
        if method != "GET" and origin is not None and origin != f"http://{host}":
            return self._json(403, {"error": "origin_not_allowed"})
        if method == "GET":
            with LOCK:
                return self._json(200, {"user": SESSIONS.get(host)})
        if method == "DELETE":
            with LOCK:
                SESSIONS[host] = None
            return self._json(200, {"user": None})
        try:
            token = json.loads(body)["token"]
        except (ValueError, KeyError, TypeError):
            return self._json(400, {"error": "invalid_request"})
        # The browser resolves *.test names to loopback; this process connects to 127.0.0.1 itself.
        ident = urlsplit(IDENTITY)
        request = urllib.request.Request(f"http://127.0.0.1:{ident.port}/api/me",
                                         headers={"Authorization": f"Bearer {token}", "Host": ident.netloc})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                user = json.loads(response.read())["user"]
        except (urllib.error.URLError, ValueError, KeyError):
            user = None
        call["token_user"] = user and user["id"]
        if not user:
            return self._json(401, {"error": "invalid_token"})
        with LOCK:
            SESSIONS[host] = {"id": user["id"], "name": user["name"], "email": user["email"]}
            return self._json(200, {"user": SESSIONS[host]})


def main() -> None:
    port = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
