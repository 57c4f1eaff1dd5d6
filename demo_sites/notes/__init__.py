"""Notes (Flask): private notes per signed-in user. Run with ``gunicorn demo_sites.notes.wsgi:app``."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from identity_client.flask import Masthead


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Notes app; configuration comes from the environment unless ``test_config`` is given."""
    app = Flask(__name__)
    app.config.update(
        MASTHEAD_APP_ID=os.environ.get("MASTHEAD_APP_ID", "notes"),
        MASTHEAD_APP_SECRET=os.environ.get("MASTHEAD_APP_SECRET"),
        MASTHEAD_IDENTITY_URL=os.environ.get("MASTHEAD_IDENTITY_URL", "http://localhost:8000").rstrip("/"),
        NOTES_DATABASE=os.environ.get("NOTES_DATABASE", str(Path("instance") / "notes.sqlite3")),
    )
    if test_config:
        app.config.update(test_config)
    from . import db, views

    db.init_app(app)
    app.register_blueprint(views.bp)
    Masthead(app, app_id=app.config["MASTHEAD_APP_ID"], secret=app.config["MASTHEAD_APP_SECRET"],
             identity_url=app.config["MASTHEAD_IDENTITY_URL"], cookie_name=app.config.get("MASTHEAD_APP_COOKIE"))
    return app
