"""Forum URLs."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("", include("demo_sites.forum.board.urls")),
    # The demo serves its two static files itself (no collectstatic step, no extra server).
    re_path(r"^static/(?P<path>[\w.-]+)$", serve, {"document_root": settings.STATIC_ROOT}),
]
