"""The ceiling: a minimal Flask app with one JSON route returning a body shaped like ``/api/me``'s.

Run under the same gunicorn settings as the identity API. ``BENCH_BODY_FILE`` names a JSON file with the
body to return (the bench writes the identity API's own signed-in ``/api/me`` body there, so both send the
same bytes); without it a built-in body of the same shape is used.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, jsonify

from bench.contenders.body import default_body


def create_app() -> Flask:
    """A Flask app with ``GET /api/me`` (the body, serialised per request) and ``GET /healthz``."""
    app = Flask(__name__)
    path = os.environ.get("BENCH_BODY_FILE")
    body = json.loads(Path(path).read_text(encoding="utf-8")) if path else default_body()

    @app.get("/api/me")
    def me():
        """The same JSON a signed-in ``/api/me`` returns, built per request like a real view."""
        return jsonify(body)

    @app.get("/healthz")
    def healthz():
        """Liveness for the bench's start-up poll."""
        return {"status": "ok"}

    return app
