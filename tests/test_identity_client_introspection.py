"""identity_client.introspection against a scripted loopback server: answers, cache, fail-closed policy.

(The same code against a real identity API process is in test_identity_client_integration.py.)
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from identity_client import (IntrospectionUnavailable, Introspector, Masthead, RevokedToken, TokenVerifier)
from identity_client.wsgi import MastheadMiddleware
from tests.identity_client_support import APP_ID, SECRET, mint


class FakeIdentity:
    """A loopback HTTP server whose /api/introspect reply the test scripts."""

    def __init__(self):
        self.reply: tuple[int, str, bytes] = (200, "application/json", b'{"active": false}')
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                      "type": self.headers.get("Content-Type"),
                                      "body": json.loads(self.rfile.read(length))})
                status, ctype, body = fake.reply
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def answer(self, data, status=200, ctype="application/json"):
        self.reply = (status, ctype, data if isinstance(data, bytes) else json.dumps(data).encode())

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    server = FakeIdentity()
    yield server
    server.close()


def active(sub="1", sid="sid-ada"):
    return {"active": True, "sub": sub, "aud": APP_ID, "sid": sid, "exp": 1790000000,
            "user": {"id": sub, "name": "Ada Lovelace", "email": "ada@example.com"}}


def check(introspector, token=None):
    token = token or mint()
    introspector.check(token, TokenVerifier(APP_ID, SECRET).verify(token))


def test_active_session_is_accepted_and_cached_by_sid(fake):
    fake.answer(active())
    introspector = Introspector(fake.url, APP_ID, SECRET)
    check(introspector)
    check(introspector)  # another token, same session: answered from the cache
    assert len(fake.requests) == 1
    request = fake.requests[0]
    assert request["path"] == "/api/introspect"
    assert request["auth"] == "Basic " + base64.b64encode(f"{APP_ID}:{SECRET}".encode()).decode()
    assert request["type"] == "application/json" and "token" in request["body"]


def test_inactive_session_is_revoked_and_the_answer_cached(fake):
    fake.answer({"active": False})
    introspector = Introspector(fake.url, APP_ID, SECRET)
    for _ in range(2):
        with pytest.raises(RevokedToken):
            check(introspector)
    assert len(fake.requests) == 1
    assert introspector.cached("sid-ada") is False


def test_cache_ttl_zero_asks_every_time(fake):
    fake.answer(active())
    introspector = Introspector(fake.url, APP_ID, SECRET, cache_ttl=0)
    check(introspector)
    check(introspector)
    assert len(fake.requests) == 2


def test_cache_is_bounded(fake):
    fake.answer(active(sid="a"))
    introspector = Introspector(fake.url, APP_ID, SECRET, cache_size=1)
    check(introspector, mint(sid="a"))
    fake.answer(active(sid="b"))
    check(introspector, mint(sid="b"))
    assert introspector.cached("a") is None and introspector.cached("b") is True


@pytest.mark.parametrize("reply", [active(sub="2"), {**active(), "aud": "forum"}, {**active(), "sid": "other"}],
                         ids=["other user", "other audience", "other session"])
def test_an_active_reply_about_something_else_is_revoked(fake, reply):
    fake.answer(reply)
    with pytest.raises(RevokedToken):
        check(Introspector(fake.url, APP_ID, SECRET))


@pytest.mark.parametrize(("status", "ctype", "body"), [
    (500, "text/html", b"<h1>oops</h1>"),
    (401, "application/json", b'{"error": "invalid_client"}'),
    (200, "text/html", b"<html>login</html>"),
    (200, "application/json", b'{"active": "yes"}'),
    (200, "application/json", b"[]"),
    (200, "application/json", b"x" * 70000),
], ids=["500", "401 wrong credentials", "html", "active not bool", "not an object", "huge"])
def test_unusable_replies_fail_closed(fake, status, ctype, body):
    fake.answer(body, status, ctype)
    introspector = Introspector(fake.url, APP_ID, SECRET)
    with pytest.raises(IntrospectionUnavailable):
        check(introspector)
    assert introspector.cached("sid-ada") is None  # failures are not cached


def test_connection_refused_fails_closed_quickly():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(IntrospectionUnavailable):
        check(Introspector(f"http://127.0.0.1:{port}", APP_ID, SECRET))


def test_hanging_server_times_out_and_fails_closed():
    with socket.socket() as listener:  # accepts connections (kernel backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(IntrospectionUnavailable):
            check(Introspector(url, APP_ID, SECRET, timeout=0.2))


def test_fail_open_accepts_locally_verified_tokens_during_an_outage():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    check(Introspector(f"http://127.0.0.1:{port}", APP_ID, SECRET, fail_open=True))


def test_cached_active_answer_survives_an_outage(fake):
    fake.answer(active())
    introspector = Introspector(fake.url, APP_ID, SECRET)
    check(introspector)
    fake.answer(b"down", 503, "text/plain")
    check(introspector)  # within cache_ttl: still accepted


def test_middleware_with_introspection_refuses_revoked_bearer_and_cookie(fake):
    """Revoked → 401 for the API, anonymous for a cookie whose session is known revoked."""
    from werkzeug.test import Client

    from identity_client.wsgi import require_user, unauthorized

    def app(environ, start_response):
        try:
            user = require_user(environ)
        except Exception:
            return unauthorized(environ, start_response)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [user.id.encode()]

    masthead = Masthead(app_id=APP_ID, secret=SECRET, identity_url=fake.url, introspect=True)
    client = Client(MastheadMiddleware(app, masthead=masthead), use_cookies=False)
    fake.answer(active())
    assert client.get("/", headers={"Authorization": f"Bearer {mint()}"}).status_code == 200
    masthead.introspector.forget()
    fake.answer({"active": False})
    reply = client.get("/", headers={"Authorization": f"Bearer {mint()}"})
    assert reply.status_code == 401 and reply.get_json()["error"] == "revoked_token"
    from tests.identity_client_support import app_cookie
    reply = client.get("/", headers={"Cookie": f"masthead_app_session={app_cookie()}"})
    assert reply.status_code == 401
    # a hand-over of a token whose session is revoked is refused too
    reply = client.post("/.masthead/session", json={"token": mint()})
    assert reply.status_code == 401 and reply.get_json()["error"] == "revoked_token"
