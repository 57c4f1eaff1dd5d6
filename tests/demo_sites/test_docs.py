"""Docs (static): the tiny server serves plain HTML with the bar, a health path, and nothing else."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from demo_sites.docs.server import SITE, make_server

IDENTITY = "http://id.example.test:8000"


@pytest.fixture(scope="module")
def docs():
    server = make_server("127.0.0.1", 0, IDENTITY)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.mark.parametrize("page", sorted(p.name for p in SITE.glob("*.html")))
def test_every_page_has_the_bar_and_no_inline_script(docs, page):
    status, headers, html = get(f"{docs}/{page}")
    assert status == 200
    assert f'<script src="{IDENTITY}/masthead.js" data-app="docs" async></script>' in html
    assert f'<masthead-bar><a href="{IDENTITY}/sign-in">Sign in</a></masthead-bar>' in html  # fallback link
    assert "%IDENTITY_URL%" not in html and "<script>" not in html
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_index_and_health(docs):
    assert get(f"{docs}/")[0] == 200
    assert get(f"{docs}/healthz")[:3:2] == (200, '{"status": "ok"}')
    assert get(f"{docs}/static/docs.css")[0] == 200


@pytest.mark.parametrize("path", ["/../server.py", "/%2e%2e/server.py", "/nope.html"])
def test_nothing_outside_the_site_folder(docs, path):
    assert get(docs + path)[0] == 404


def test_no_writes(docs):
    request = urllib.request.Request(f"{docs}/index.html", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 501
