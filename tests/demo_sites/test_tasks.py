"""Tasks (FastAPI): the JSON API with Bearer tokens from a real identity API, and its page.

Requests go through httpx's ASGITransport (what FastAPI's TestClient wraps; see ASGIClient).
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from demo_sites.tasks.app import create_app
from tests.demo_sites.conftest import SECRETS
from tests.identity_client_support import ASGIClient, app_cookie, flip, mint
from tests.servers import open_paths


@pytest.fixture
def tasks(family, tmp_path):
    app = create_app({"app_id": "tasks", "secret": SECRETS["tasks"], "identity_url": family.url,
                      "database": str(tmp_path / "tasks.sqlite3")})
    return ASGIClient(app, base_url="http://tasks.test")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_page_embeds_the_bar_and_uses_an_external_script(tasks, family):
    page = tasks.get("/")
    assert page.status_code == 200
    html = page.text
    assert f'<script src="{family.url}/masthead.js" data-app="tasks" data-session-user="" async>' in html
    assert '<script src="/static/tasks.js" defer></script>' in html and "<script>" not in html
    assert f"connect-src 'self' {family.url}" in page.headers["content-security-policy"]
    script = tasks.get("/static/tasks.js")
    assert script.status_code == 200 and ".getToken()" in script.text
    assert "'Bearer ' + token" in script.text


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_every_request_closes_its_database_connection(tasks, family, tmp_path):
    """``with sqlite3.connect()`` only commits; without an explicit close the connection waits for the
    cyclic garbage collector, holding the file (and a stale WAL index) open meanwhile."""
    ada = bearer(family.token("ada@example.com", "tasks"))
    gc.disable()
    try:
        task = tasks.post("/api/tasks", json={"title": "Close me"}, headers=ada).json()
        assert tasks.get("/api/tasks", headers=ada).status_code == 200
        assert tasks.request("PATCH", f"/api/tasks/{task['id']}", json={"done": True}, headers=ada
                             ).status_code == 200
        assert tasks.delete(f"/api/tasks/{task['id']}", headers=ada).status_code == 204
        assert tasks.delete(f"/api/tasks/{task['id']}", headers=ada).status_code == 404  # rolled back, closed
        assert tasks.get("/healthz").status_code == 200
        assert open_paths(under=tmp_path / "tasks.sqlite3") == set()
    finally:
        gc.enable()


def test_crud_with_real_bearer_tokens_and_isolation(tasks, family):
    ada = bearer(family.token("ada@example.com", "tasks"))
    grace = bearer(family.token("grace@example.com", "tasks"))
    created = tasks.post("/api/tasks", json={"title": "Bernoulli numbers"}, headers=ada)
    assert created.status_code == 201
    task = created.json()
    assert task["title"] == "Bernoulli numbers" and task["done"] is False

    listed = tasks.get("/api/tasks", headers=ada).json()
    assert [t["id"] for t in listed["tasks"]] == [task["id"]]
    assert listed["user"]["name"] == "Ada Lovelace"
    assert tasks.get("/api/tasks", headers=grace).json()["tasks"] == []

    # Grace can neither change nor delete Ada's task: it does not exist for her.
    assert tasks.request("PATCH", f"/api/tasks/{task['id']}", json={"done": True}, headers=grace
                         ).status_code == 404
    assert tasks.delete(f"/api/tasks/{task['id']}", headers=grace).status_code == 404

    done = tasks.request("PATCH", f"/api/tasks/{task['id']}", json={"done": True}, headers=ada)
    assert done.status_code == 200 and done.json()["done"] is True
    assert tasks.delete(f"/api/tasks/{task['id']}", headers=ada).status_code == 204
    assert tasks.get("/api/tasks", headers=ada).json()["tasks"] == []


@pytest.mark.parametrize(("name", "headers", "error"), [
    ("missing", lambda f: {}, "not_signed_in"),
    ("expired", lambda f: bearer(mint(SECRETS["tasks"], aud="tasks", offset=-301)), "expired_token"),
    ("another app's (real notes token)", lambda f: bearer(f.token("ada@example.com", "notes")), "invalid_token"),
    ("tampered payload", lambda f: bearer(flip(f.token("ada@example.com", "tasks"), 0)), "invalid_token"),
    ("tampered signature", lambda f: bearer(flip(f.token("ada@example.com", "tasks"), 2)), "invalid_token"),
    ("future", lambda f: bearer(mint(SECRETS["tasks"], aud="tasks", offset=600)), "invalid_token"),
    ("app session cookie value", lambda f: bearer(app_cookie(SECRETS["tasks"])), "invalid_token"),
    ("garbage", lambda f: bearer("garbage"), "invalid_token"),
    ("empty bearer", lambda f: {"Authorization": "Bearer "}, "invalid_token"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_api_refuses_bad_credentials_with_401_json(tasks, family, name, headers, error):
    for method, path, body in (("GET", "/api/tasks", None), ("POST", "/api/tasks", {"title": "x"}),
                               ("PATCH", "/api/tasks/1", {"done": True}), ("DELETE", "/api/tasks/1", None)):
        reply = tasks.request(method, path, json=body, headers=headers(family))
        assert reply.status_code == 401, (method, reply.text)
        assert reply.headers["content-type"] == "application/json"
        assert reply.json()["error"] == error
        assert reply.headers["www-authenticate"].startswith('Bearer realm="tasks"')


def test_invalid_input_is_rejected(tasks, family):
    ada = bearer(family.token("ada@example.com", "tasks"))
    assert tasks.post("/api/tasks", json={"title": ""}, headers=ada).status_code == 422
    assert tasks.post("/api/tasks", json={"title": "x" * 201}, headers=ada).status_code == 422
    assert tasks.post("/api/tasks", content=b"not json", headers={**ada, "Content-Type": "application/json"}
                      ).status_code == 422


def test_healthz(tasks):
    assert tasks.get("/healthz").json() == {"status": "ok"}
