"""Helpers for identity_client and demo app tests: mint tokens and cookies exactly as docs/protocol.md says."""

from __future__ import annotations

import secrets as _secrets
import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

APP_ID = "notes"
SECRET = "notes-secret-0123456789abcdefghijklmnopqrstuv"
OTHER_SECRET = "forum-secret-0123456789abcdefghijklmnopqrstuv"
ADA = {"sub": "1", "sid": "sid-ada", "name": "Ada Lovelace", "email": "ada@example.com"}
GRACE = {"sub": "2", "sid": "sid-grace", "name": "Grace Hopper", "email": "grace@example.com"}


def _signer_at(offset: int) -> type[TimestampSigner]:
    class ShiftedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) + offset
    return ShiftedSigner


def mint(secret: str = SECRET, *, aud: str = APP_ID, user: dict | None = None, offset: int = 0,
         salt: str = "masthead.app-token", **extra) -> str:
    """An app token as the identity API mints it; ``offset`` shifts its timestamp (negative = older)."""
    payload = {**(user or ADA), "aud": aud, "jti": _secrets.token_urlsafe(8), **extra}
    serializer = URLSafeTimedSerializer(secret, salt=salt, signer=_signer_at(offset))
    return serializer.dumps(payload)


def app_cookie(secret: str = SECRET, *, user: dict | None = None, offset: int = 0) -> str:
    """An app session cookie value (salt ``masthead.app-session``)."""
    u = user or ADA
    serializer = URLSafeTimedSerializer(secret, salt="masthead.app-session", signer=_signer_at(offset))
    return serializer.dumps({"sub": u["sub"], "sid": u["sid"], "name": u["name"], "email": u["email"]})


def flip(token: str, part: int) -> str:
    """Change one character of the token's ``part`` (0 payload, 2 signature) at a position that matters."""
    pieces = token.rsplit(".", 2)  # a compressed payload starts with "." itself
    piece = pieces[part]
    index = 0 if part == 2 else len(piece) // 2
    replacement = "A" if piece[index] != "A" else "B"
    pieces[part] = piece[:index] + replacement + piece[index + 1:]
    return ".".join(pieces)


class ASGIClient:
    """A synchronous test client for an ASGI app over httpx's ASGITransport.

    (Starlette's TestClient now warns that it wants ``httpx2``; the suite turns warnings into errors.)
    Cookies are never kept between requests: tests pass them explicitly.
    """

    def __init__(self, app, base_url: str = "http://testserver") -> None:
        self.app = app
        self.base_url = base_url

    def request(self, method: str, url: str, **kwargs):
        import asyncio

        import httpx

        async def go():
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=self.base_url) as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self.request("DELETE", url, **kwargs)


# -- a real identity API -------------------------------------------------------------------------------
PASSWORD = "Correct-Horse-Battery-9"


def register_app(run_cli, env: dict, app_id: str, origin: str, secret: str) -> None:
    """``masthead apps add`` for a test app with a known secret."""
    run_cli(env, "apps", "add", app_id, "--name", app_id.title(), "--origin", origin, "--url", origin + "/",
            "--secret", secret, "--handover", "/.masthead/session")


def create_user(run_cli, env: dict, email: str, name: str, password: str = PASSWORD) -> None:
    """``masthead users create`` with the password on stdin."""
    run_cli(env, "users", "create", email, "--name", name, input=password + "\n")


def sign_in(identity_url: str, email: str, password: str = PASSWORD):
    """An httpx.Client holding a real identity session cookie (signed in through the HTML form)."""
    import re

    import httpx

    client = httpx.Client(base_url=identity_url, timeout=10)
    page = client.get("/sign-in")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF field on the sign-in page ({page.status_code})"
    reply = client.post("/sign-in", data={"csrf_token": match.group(1), "email": email, "password": password,
                                          "next": ""}, headers={"Origin": identity_url})
    assert reply.status_code in (302, 303), f"sign-in failed: {reply.status_code} {reply.text[:300]}"
    return client


def real_token(client, app_id: str, origin: str) -> str:
    """``POST /api/tokens`` from ``origin`` for ``app_id`` with the client's identity session."""
    reply = client.post("/api/tokens", json={"audience": app_id}, headers={"Origin": origin})
    assert reply.status_code == 200, f"/api/tokens: {reply.status_code} {reply.text}"
    return reply.json()["token"]


def sign_out(client, origin: str) -> None:
    """``POST /api/sign-out``: revokes the identity session server-side."""
    reply = client.post("/api/sign-out", json={}, headers={"Origin": origin})
    assert reply.status_code == 200, reply.text
