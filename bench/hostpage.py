"""A plain host page that embeds the bar, served by ``python -m http.server`` on its own origin.

It is the bar's neutral ground: no framework, no other script, an app with no backend (so no hand-over
requests), a paragraph of text below the bar so a layout shift would show. It embeds the bar exactly as
``masthead embed`` prints (the height reserved in CSS, ``<masthead-bar>`` then the async script).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

from tests.servers import Server, free_port, start_server

APP_ID = "benchhost"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bench host page</title>
<style>masthead-bar {{ display: block; height: 48px; }}
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; }} main {{ padding: 1rem 2rem; }}</style>
</head>
<body>
<masthead-bar></masthead-bar>
<script src="{identity}/masthead.js" data-app="{app}" async></script>
<main>
<h1>A host page</h1>
<p>This page embeds the Masthead bar and nothing else. Text below the bar moves if the bar shifts the
layout, which the benchmark measures as cumulative layout shift.</p>
</main>
</body>
</html>
"""


def port() -> int:
    """A free port for the host page (known before its app is registered)."""
    return free_port()


def start(stack: ExitStack, root: Path, port: int, identity_url: str, log_dir: Path) -> Server:
    """Write the page into ``root`` and serve it on ``http://localhost:PORT/``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(PAGE.format(identity=identity_url, app=APP_ID), encoding="utf-8")
    (root / "healthz").write_text("ok\n", encoding="utf-8")
    server = start_server("hostpage", [sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                                       "--directory", str(root), str(port)],
                          port=port, log_dir=log_dir, public_host="localhost", timeout=30)
    stack.callback(server.stop)
    return server
