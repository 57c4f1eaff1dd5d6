"""A Content-Security-Policy that lets the bar load from the identity origin and nothing else run."""

from django.conf import settings


def content_security_policy(get_response):
    identity = settings.IDENTITY_URL
    policy = (f"default-src 'self'; script-src 'self' {identity}; connect-src 'self' {identity}; "
              f"img-src 'self' {identity} https: data:; style-src 'self' {identity}; "
              "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'")

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    return middleware
