"""The peer: a conventional ``/me`` endpoint with Flask-Login and Flask-SQLAlchemy, as their docs show it.

A ``User(UserMixin, db.Model)`` table, ``user_loader`` returning ``db.session.get(User, int(user_id))``,
``login_user`` after a password check, and Flask's default client-side signed session cookie. Unlike the
identity API it keeps no server-side session rows (so it cannot revoke a session); that is the documented
default and is left as is. The body has the identity API's shape, with the apps list from configuration.

Environment: ``BENCH_PEER_DATABASE`` (SQLite file), ``BENCH_PEER_SECRET`` (Flask's SECRET_KEY).
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash

from bench.contenders.body import apps_list, links


class Base(DeclarativeBase):
    """Declarative base, as in Flask-SQLAlchemy 3.1's quickstart."""


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()


class User(UserMixin, db.Model):
    """An account; ``UserMixin`` supplies ``get_id`` and ``is_authenticated``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    password_hash: Mapped[str]


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's per-request lookup of the user named in the session cookie."""
    return db.session.get(User, int(user_id))


def initials(name: str) -> str:
    """Up to two initials, as the identity API shows them."""
    return "".join(part[0] for part in name.split()[:2]).upper()


def create_app(database: str | None = None, secret: str | None = None) -> Flask:
    """The peer app: ``POST /login`` (form: email, password), ``GET /api/me``, ``GET /healthz``."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = secret or os.environ.get("BENCH_PEER_SECRET", "peer-secret-key-for-the-bench")
    path = database or os.environ.get("BENCH_PEER_DATABASE", "peer.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.path.abspath(path)}"
    db.init_app(app)
    login_manager.init_app(app)
    apps, link_block = apps_list(), links()

    @app.post("/login")
    def login():
        """Check the password and start Flask-Login's session."""
        user = db.session.execute(db.select(User).filter_by(email=request.form["email"])).scalar_one_or_none()
        if user is None or not check_password_hash(user.password_hash, request.form["password"]):
            return jsonify(error="invalid_credentials"), 401
        login_user(user)
        return jsonify(user={"id": str(user.id), "name": user.name})

    @app.get("/api/me")
    def me():
        """Who is signed in, in the identity API's body shape."""
        user = None
        if current_user.is_authenticated:
            user = {"id": str(current_user.id), "name": current_user.name, "email": current_user.email,
                    "initials": initials(current_user.name), "avatar": None}
        return jsonify(user=user, apps=apps, links=link_block)

    @app.get("/healthz")
    def healthz():
        """Liveness for the bench's start-up poll."""
        return {"status": "ok"}

    with app.app_context():
        db.create_all()
    return app
