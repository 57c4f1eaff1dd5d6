"""WSGI entry point: ``gunicorn demo_sites.forum.forum_site.wsgi:application``.

Masthead runs as Django middleware (settings.MIDDLEWARE); ``identity_client.django.wrap(application)``
is the alternative for projects that prefer wrapping the WSGI application.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_sites.forum.forum_site.settings")
application = get_wsgi_application()
