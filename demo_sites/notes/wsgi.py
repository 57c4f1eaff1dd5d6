"""WSGI entry point: ``gunicorn demo_sites.notes.wsgi:app``."""

from . import create_app

app = create_app()
