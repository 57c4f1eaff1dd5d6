"""The application factory."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import api, cors, limits, pages, security, services
from .assets import asset_dir
from .config import Config
from .errors import ApiError
from .registry import Registry
from .security import CsrfFailed
from .store import SQLiteStore, Store

try:  # The bar engineer's module; the API must run before it exists.
    from . import bar_assets
except ImportError:
    bar_assets = None

#: The repository's public assets (family stylesheet, icons, the bar's built files).
STATIC_DIR = asset_dir("static")
MAX_CONTENT_LENGTH = 64 * 1024
log = logging.getLogger("identity_api")


def create_app(config: Config | None = None, *, store: Store | None = None) -> Flask:
    """Build an identity API from ``config`` (default: :meth:`Config.from_env`) and an optional store."""
    config = config or Config.from_env()
    config.validate()
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        MAX_FORM_MEMORY_SIZE=MAX_CONTENT_LENGTH,
        DEBUG=config.debug,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        TEMPLATES_AUTO_RELOAD=config.development,
    )
    if config.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies)
    store = store or SQLiteStore(config.database)
    services.init_app(app, services.Services(config, store, Registry(store, config.origin,
                                                                      config.registry_ttl)))
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.jinja_env.globals["csrf_token"] = security.csrf_token
    app.jinja_env.globals["config_origin"] = config.origin
    app.jinja_env.globals["development"] = config.development
    security.init_app(app)
    cors.init_app(app)
    limits.init_app(app)
    _register_error_handlers(app)
    if bar_assets is not None:
        bar_assets.init_app(app)
    return app


def _is_api() -> bool:
    """JSON errors for the API and the health check, HTML pages elsewhere."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def _error_response(status: int, code: str, message: str) -> Response:
    if _is_api():
        return api.json_response({"error": code, "message": message}, status)
    return pages.render("message.html", status, title=message, text=None, action=None)


HTML_MESSAGES = {
    400: "That request didn't make sense.",
    403: "That isn't allowed.",
    404: "There's nothing here.",
    405: "That method isn't allowed here.",
    413: "That request is too large.",
    415: "That kind of request isn't supported.",
    429: "Too many attempts. Wait a moment and try again.",
}


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return api.json_response({"error": error.code, "message": error.message}, error.status)

    @app.errorhandler(CsrfFailed)
    def csrf_failed(error: CsrfFailed):
        log.info("csrf refused path=%s reason=%s", request.path, error)
        if _is_api():
            return api.json_response({"error": "csrf", "message": "Cross-site request refused."}, 403)
        return pages.render("message.html", 403, title="This form has expired",
                            text="Go back, reload the page and try again.", action=None)

    @app.errorhandler(429)
    def too_many(error):
        response = _error_response(429, "rate_limited", HTML_MESSAGES[429])
        response.headers["Retry-After"] = str(limits.retry_after(error))
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code >= 500:
            return internal_error(error)
        code = (error.name or "error").lower().replace(" ", "_")
        message = HTML_MESSAGES.get(error.code, error.name) if not _is_api() else error.description
        response = _error_response(error.code, code, message or "Request refused.")
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        original = getattr(error, "original_exception", None) or error
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
        if _is_api():
            return api.json_response({"error": "internal_error", "message": "Something went wrong."}, 500)
        return Response(render_template("message.html", current=None, title="Something went wrong",
                                        text="Please try again in a moment.", action=None),
                        status=500, mimetype="text/html")
