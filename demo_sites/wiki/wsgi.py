"""WSGI entry point: ``gunicorn demo_sites.wiki.wsgi:application``."""

from .app import application_from_env

application = application_from_env()
