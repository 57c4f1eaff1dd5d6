"""identity_client's configuration from env and the thin framework adapters not covered by the demo apps."""

from __future__ import annotations

import asyncio
import json

import bottle
import pytest
from flask import Flask
from werkzeug.test import Client

from identity_client import ConfigurationError
from identity_client.asgi import MastheadMiddleware as ASGIMiddleware
from identity_client.config import options_from_env
from tests.identity_client_support import APP_ID, SECRET, app_cookie, mint


def test_options_from_env():
    options = options_from_env({"MASTHEAD_APP_ID": "notes", "MASTHEAD_APP_SECRET": "old-secret, new-secret",
                                "MASTHEAD_IDENTITY_URL": "http://id.test", "MASTHEAD_APP_URL": "https://Notes.Test/x",
                                "MASTHEAD_INTROSPECT": "yes", "MASTHEAD_APP_COOKIE": "nc"})
    assert options == {"app_id": "notes", "secret": ["old-secret", "new-secret"], "identity_url": "http://id.test",
                       "origin": "https://notes.test", "secure": True, "introspect": True, "cookie_name": "nc"}
    assert options_from_env({"MASTHEAD_APP_ID": "a", "MASTHEAD_APP_SECRET": "s"}, app_id="b")["app_id"] == "b"
    with pytest.raises(ConfigurationError, match="MASTHEAD_APP_SECRET"):
        options_from_env({"MASTHEAD_APP_ID": "notes"})
    with pytest.raises(ConfigurationError):
        options_from_env({"MASTHEAD_APP_ID": "a", "MASTHEAD_APP_SECRET": "s", "MASTHEAD_APP_URL": "ftp://x"})


def test_flask_extension_reads_app_config_and_exposes_the_user_to_templates():
    from identity_client.flask import Masthead, current_user, user_required

    app = Flask(__name__)
    app.config.update(MASTHEAD_APP_ID=APP_ID, MASTHEAD_APP_SECRET=SECRET)
    ext = Masthead()
    ext.init_app(app)

    @app.get("/")
    def index():
        from flask import render_template_string
        return render_template_string("{{ masthead_user.name if masthead_user else 'anonymous' }}")

    @app.get("/api")
    @user_required
    def api():
        return {"id": current_user().id}

    client = app.test_client()
    assert client.get("/").text == "anonymous"
    client.set_cookie("masthead_app_session", app_cookie())
    assert client.get("/").text == "Ada Lovelace"
    assert app.extensions["masthead"] is ext
    anon = app.test_client().get("/api")
    assert anon.status_code == 401 and anon.json["error"] == "not_signed_in"
    assert app.test_client().get("/api", headers={"Authorization": f"Bearer {mint()}"}).json == {"id": "1"}


def test_bottle_wrap_and_user_required():
    from identity_client.bottle import current_user, user_required, wrap

    app = bottle.Bottle()

    @app.get("/api")
    @user_required
    def api():
        return {"id": current_user().id}

    client = Client(wrap(app, app_id=APP_ID, secret=SECRET))
    reply = client.get("/api")
    assert reply.status_code == 401 and reply.get_json()["error"] == "not_signed_in"
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="notes"'
    expired = client.get("/api", headers={"Authorization": f"Bearer {mint(offset=-400)}"})
    assert expired.status_code == 401 and expired.get_json()["error"] == "expired_token"
    assert client.get("/api", headers={"Authorization": f"Bearer {mint()}"}).get_json() == {"id": "1"}


def _run_asgi(app, scope, messages=()):
    sent = []
    queue = list(messages)

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_asgi_passes_lifespan_through_and_authenticates_websockets():
    seen = {}

    async def inner(scope, receive, send):
        seen[scope["type"]] = scope.get("masthead.user")

    app = ASGIMiddleware(inner, app_id=APP_ID, secret=SECRET)
    _run_asgi(app, {"type": "lifespan"})
    assert "lifespan" in seen and seen["lifespan"] is None
    _run_asgi(app, {"type": "websocket", "path": "/ws", "scheme": "wss",
                    "headers": [(b"authorization", f"Bearer {mint()}".encode())]})
    assert seen["websocket"].id == "1"


def test_asgi_handover_reads_a_chunked_body():
    async def inner(scope, receive, send):  # pragma: no cover - the middleware answers itself
        raise AssertionError("not reached")

    app = ASGIMiddleware(inner, app_id=APP_ID, secret=SECRET)
    body = json.dumps({"token": mint()}).encode()
    sent = _run_asgi(app, {"type": "http", "method": "POST", "path": "/.masthead/session", "scheme": "http",
                           "headers": [(b"host", b"app.test"), (b"content-type", b"application/json"),
                                       (b"origin", b"http://app.test")]},
                     [{"type": "http.request", "body": body[:10], "more_body": True},
                      {"type": "http.request", "body": body[10:], "more_body": False}])
    assert sent[0]["status"] == 200
    assert any(k == b"set-cookie" for k, _ in sent[0]["headers"])


def test_middlewares_need_configuration():
    from identity_client.wsgi import MastheadMiddleware

    with pytest.raises(ConfigurationError):
        MastheadMiddleware(lambda e, s: [])
    with pytest.raises(ConfigurationError):
        MastheadMiddleware(lambda e, s: [], app_id=APP_ID, secret=SECRET, handover_path="no-slash")
    with pytest.raises(ConfigurationError):
        MastheadMiddleware(lambda e, s: [], app_id=APP_ID, secret=SECRET, introspect=True)


def test_fastapi_require_user_without_install_is_still_a_clean_401():
    """Only the middleware added (no install()): FastAPI's own handler renders the 401, never a 500."""
    from fastapi import Depends, FastAPI

    from identity_client import User
    from identity_client.starlette import MastheadMiddleware, require_user
    from tests.identity_client_support import ASGIClient

    app = FastAPI()
    app.add_middleware(MastheadMiddleware, app_id=APP_ID, secret=SECRET)

    @app.get("/api")
    def api(user: User = Depends(require_user)):
        return {"id": user.id}

    client = ASGIClient(app)
    reply = client.get("/api")
    assert reply.status_code == 401 and reply.json() == {"detail": "not_signed_in"}
    assert reply.headers["www-authenticate"] == 'Bearer realm="notes"'
    assert client.get("/api", headers={"Authorization": f"Bearer {mint()}"}).json() == {"id": "1"}
