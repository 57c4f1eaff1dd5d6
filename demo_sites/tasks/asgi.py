"""ASGI entry point: ``uvicorn demo_sites.tasks.asgi:app``."""

from .app import app_from_env

app = app_from_env()
