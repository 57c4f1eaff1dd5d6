"""Forum settings, all from the environment (see README.md, "The demo family")."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent

APP_URL = os.environ.get("MASTHEAD_APP_URL", "http://localhost:8002").rstrip("/")
IDENTITY_URL = os.environ.get("MASTHEAD_IDENTITY_URL", "http://localhost:8000").rstrip("/")
APP_SECRET = os.environ.get("MASTHEAD_APP_SECRET", "")

# Django's own key signs its CSRF machinery; derived from the app secret unless given.
SECRET_KEY = os.environ.get("FORUM_SECRET_KEY") or hashlib.sha256(
    ("forum.django:" + APP_SECRET).encode()).hexdigest()
DEBUG = os.environ.get("FORUM_DEBUG") == "1"
ALLOWED_HOSTS = sorted({urlsplit(APP_URL).hostname or "localhost", "localhost", "127.0.0.1", "testserver"})
CSRF_TRUSTED_ORIGINS = [APP_URL]

INSTALLED_APPS = ["demo_sites.forum.board"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before CSRF: the hand-over endpoint has its own Origin + JSON checks.
    "identity_client.django.MastheadMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "demo_sites.forum.board.middleware.content_security_policy",
]
MASTHEAD = {"app_id": os.environ.get("MASTHEAD_APP_ID", "forum"), "identity_url": IDENTITY_URL}

ROOT_URLCONF = "demo_sites.forum.forum_site.urls"
WSGI_APPLICATION = "demo_sites.forum.forum_site.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.csrf",
                                       "django.template.context_processors.request",
                                       "demo_sites.forum.board.context.masthead"]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": os.environ.get("FORUM_DATABASE", str(Path("instance") / "forum.sqlite3")),
    "OPTIONS": {"timeout": 5, "init_command": "PRAGMA journal_mode=WAL;"},
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"

# Apps on one host name share cookies whatever the port: keep Django's cookie names our own.
CSRF_COOKIE_NAME = "forum_csrftoken"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = APP_URL.startswith("https://")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browsers ignore COOP from plain-http origins, with a console warning on every page: send it on https only.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin" if APP_URL.startswith("https://") else None
X_FRAME_OPTIONS = "DENY"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
