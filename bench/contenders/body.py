"""A body shaped like the identity API's signed-in ``/api/me`` (protocol.md), for contenders."""

from __future__ import annotations

APP_IDS = ("notes", "forum", "wiki", "tasks", "docs")


def apps_list(base: str = "http://localhost:8000") -> list[dict]:
    """Five app entries as the registry would list them."""
    return [{"id": app, "name": app.title(), "url": f"http://localhost:{8001 + i}/",
             "icon": f"{base}/static/icons/{app}.svg", "color": "#2563eb",
             "handover": None if app == "docs" else "/.masthead/session"}
            for i, app in enumerate(APP_IDS)]


def links(base: str = "http://localhost:8000") -> dict:
    """The bar's links block."""
    return {"sign_in": f"{base}/sign-in", "sign_up": f"{base}/sign-up",
            "sign_out": f"{base}/api/sign-out", "account": f"{base}/account"}


def default_body() -> dict:
    """A signed-in ``/api/me`` body (used when the identity API's real one is not at hand)."""
    return {"user": {"id": "1", "name": "Ada Lovelace", "email": "ada@example.com", "initials": "AL",
                     "avatar": None},
            "apps": apps_list(), "links": links()}
