"""Template context: the identity URL, app id and the Masthead user of the request."""

from django.conf import settings

from identity_client.django import get_user


def masthead(request):
    return {"identity_url": settings.IDENTITY_URL, "app_id": settings.MASTHEAD["app_id"],
            "masthead_user": get_user(request),
            # non-empty when mounted under a path (demo_sites/dispatch.py)
            "script_root": request.META.get("SCRIPT_NAME", "").rstrip("/")}
