"""The Tasks app. ``create_app(config)`` builds it; ``app`` is what uvicorn serves (config from env)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field

from identity_client import User
from identity_client.starlette import current_user, install, require_user

HERE = Path(__file__).resolve().parent
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
SCHEMA = """
CREATE TABLE IF NOT EXISTS task (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id TEXT NOT NULL,
    title TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS task_owner ON task (owner_id, id);
"""


class TaskIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class TaskPatch(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    done: bool | None = None


def config_from_env() -> dict:
    return {"app_id": os.environ.get("MASTHEAD_APP_ID", "tasks"),
            "secret": os.environ.get("MASTHEAD_APP_SECRET", ""),
            "identity_url": os.environ.get("MASTHEAD_IDENTITY_URL", "http://localhost:8000").rstrip("/"),
            "database": os.environ.get("TASKS_DATABASE", str(Path("instance") / "tasks.sqlite3"))}


def create_app(config: dict) -> FastAPI:
    """Build the Tasks app for ``config`` (app_id, secret, identity_url, database)."""
    app = FastAPI(title="Tasks", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    install(app, app_id=config["app_id"], secret=config["secret"], identity_url=config["identity_url"])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    database = config["database"]
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA)
    db.close()
    identity = config["identity_url"]
    policy = (f"default-src 'self'; script-src 'self' {identity}; connect-src 'self' {identity}; "
              f"img-src 'self' {identity} https: data:; style-src 'self' {identity}; "
              "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'")

    @contextmanager
    def connect() -> Iterator[sqlite3.Connection]:
        """One request's connection, committed and closed (``with sqlite3.connect()`` alone only commits)."""
        db = sqlite3.connect(database, timeout=5)
        try:
            db.row_factory = sqlite3.Row
            with db:
                yield db
        finally:
            db.close()

    def as_json(row: sqlite3.Row) -> dict:
        return {"id": row["id"], "title": row["title"], "done": bool(row["done"]), "created": row["created"]}

    def own_task(db: sqlite3.Connection, task_id: int, user: User) -> sqlite3.Row:
        row = db.execute("SELECT * FROM task WHERE id = ? AND owner_id = ?", (task_id, user.id)).fetchone()
        if row is None:  # someone else's task is as absent as a missing one
            raise HTTPException(404, detail="not_found")
        return row

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Content-Security-Policy"] = policy
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(HTTPException)
    async def json_errors(request: Request, exc: HTTPException):
        return JSONResponse({"error": str(exc.detail), "message": str(exc.detail).replace("_", " ")},
                            exc.status_code, headers=exc.headers)

    @app.get("/healthz")
    def healthz() -> dict:
        with connect() as db:
            db.execute("SELECT 1")
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        """The page; its JavaScript (static/tasks.js) talks to the API with Bearer tokens."""
        user = current_user(request)
        html = TEMPLATES.get_template("index.html").render(identity_url=identity, app_id=config["app_id"],
                                                           user=user)
        return HTMLResponse(html, headers={"Cache-Control": "no-store", "Vary": "Cookie"})

    @app.get("/api/tasks")
    def list_tasks(user: User = Depends(require_user)) -> dict:
        """Your tasks, open first."""
        with connect() as db:
            rows = db.execute("SELECT * FROM task WHERE owner_id = ? ORDER BY done, id DESC", (user.id,))
            return {"tasks": [as_json(r) for r in rows], "user": user.to_dict()}

    @app.post("/api/tasks", status_code=201)
    def create_task(body: TaskIn, user: User = Depends(require_user)) -> dict:
        with connect() as db:
            cursor = db.execute("INSERT INTO task (owner_id, title, created) VALUES (?, ?, ?)",
                                (user.id, body.title.strip() or body.title, time.time()))
            return as_json(db.execute("SELECT * FROM task WHERE id = ?", (cursor.lastrowid,)).fetchone())

    @app.patch("/api/tasks/{task_id}")
    def update_task(task_id: int, body: TaskPatch, user: User = Depends(require_user)) -> dict:
        with connect() as db:
            row = own_task(db, task_id, user)
            title = body.title if body.title is not None else row["title"]
            done = body.done if body.done is not None else bool(row["done"])
            db.execute("UPDATE task SET title = ?, done = ? WHERE id = ?", (title, int(done), task_id))
            return as_json(db.execute("SELECT * FROM task WHERE id = ?", (task_id,)).fetchone())

    @app.delete("/api/tasks/{task_id}", status_code=204)
    def delete_task(task_id: int, user: User = Depends(require_user)) -> Response:
        with connect() as db:
            own_task(db, task_id, user)
            db.execute("DELETE FROM task WHERE id = ?", (task_id,))
        return Response(status_code=204)

    return app


def app_from_env() -> FastAPI:
    return create_app(config_from_env())
