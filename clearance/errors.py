"""Error pages in the site's layout (HTML) or JSON, each with a correlation id."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: ("Not allowed", "You do not have permission to do that. If you think you should, "
          "ask your L&D team or an administrator."),
    404: ("Page not found", "There is nothing at this address. Check it, or start again from "
          "your home page."),
    405: ("Not allowed", "That action is not available here."),
    409: ("Already changed", "Someone changed this while you were working on it. "
          "Reload the page to see the latest version."),
    413: ("File too large", "What you sent is larger than this site accepts."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: ("Something went wrong", "An unexpected error happened. It has been logged; "
          "please try again in a moment."),
}


def wants_json() -> bool:
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def render_error(code: int, description: str | None = None) -> tuple[Any, int]:
    title, default_message = MESSAGES.get(code, (f"Error {code}", "The request failed."))
    message = description or default_message
    rid = g.get("request_id", "")
    if wants_json():
        return jsonify(error=title, message=message, status=code, correlation_id=rid), code
    return (
        render_template("errors/error.html", code=code, title=title, message=message,
                        correlation_id=rid),
        code,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        return render_error(400, "Your form expired or was sent from elsewhere. "
                                 "Go back, reload the page and send it again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        if code == 401:
            return render_error(401)
        description = getattr(exc, "clearance_message", None)
        if code == 409 and exc.description and exc.description != type(exc).description:
            description = exc.description
        response, status = render_error(code, description)
        if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response = app.make_response((response, status))
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response, status

    @app.errorhandler(Exception)
    def unhandled(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise exc
        app.logger.exception("unhandled error [%s]", g.get("request_id", ""))
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda e: render_error(500))
