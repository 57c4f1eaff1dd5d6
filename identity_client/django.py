"""Django adapter. Either wrap the WSGI application (``wsgi.py``)::

    application = identity_client.django.wrap(get_wsgi_application())

or add ``"identity_client.django.MastheadMiddleware"`` to ``MIDDLEWARE`` (before ``CsrfViewMiddleware``;
the hand-over endpoint has its own origin and JSON checks). Both put the user in ``request.META``;
read it with :func:`get_user`. Options come from ``settings.MASTHEAD = {...}``, then ``MASTHEAD_*`` env.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .config import options_from_env
from .core import Masthead, Response
from .user import User
from .wsgi import AUTH_KEY, CONFIG_KEY, ERROR_KEY, USER_KEY
from .wsgi import MastheadMiddleware as WSGIMiddleware
from .wsgi import _request, unauthorized_response


def _options(**options: Any) -> dict[str, Any]:
    return options_from_env(**{**getattr(settings, "MASTHEAD", {}), **options})


def wrap(application: Callable, **options: Any) -> WSGIMiddleware:
    """Wrap Django's WSGI application with the Masthead WSGI middleware."""
    return WSGIMiddleware(application, **_options(**options))


def _django_response(response: Response) -> HttpResponse:
    result = HttpResponse(response.body, status=response.status)
    for name, value in response.headers:
        if name.lower() == "set-cookie":
            continue
        result.headers[name] = value
    for name, value in response.headers:
        if name.lower() == "set-cookie":
            # Keep our exact Set-Cookie line; Django's cookie jar would re-encode it.
            result.cookies.load(value)
    return result


class MastheadMiddleware:
    """Django middleware form: authenticate into ``request.META`` and serve the hand-over path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.masthead = Masthead(**_options())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        environ = request.META
        if USER_KEY not in environ:  # not already done by wrap()
            auth = self.masthead.authenticate(_request(environ))
            environ.update({USER_KEY: auth.user, AUTH_KEY: auth.method, ERROR_KEY: auth.error,
                            CONFIG_KEY: self.masthead})
        if self.masthead.serves(request.path_info):
            incoming = _request(environ)
            refusal = self.masthead.handover_refusal(incoming)
            if refusal is not None:
                return _django_response(refusal)
            return _django_response(self.masthead.handover(incoming, request.body))
        return self.get_response(request)


def get_user(request: HttpRequest) -> User | None:
    """The signed-in user of ``request``, or None."""
    return request.META.get(USER_KEY)


def unauthorized(request: HttpRequest) -> HttpResponse:
    """The 401 JSON response for ``request``."""
    return _django_response(unauthorized_response(request.META))


def user_required(view: Callable) -> Callable:
    """Decorate a JSON view: 401 JSON when nobody is signed in."""
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if get_user(request) is None:
            return unauthorized(request)
        return view(request, *args, **kwargs)
    return wrapper
