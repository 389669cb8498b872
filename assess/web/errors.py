"""Error pages in the service's own layout (GOV.UK patterns), and JSON errors for the API.

A page names what went wrong in plain words and offers a way on; it never shows a traceback,
a file path or an exception's text. Where a view aborts with a message of its own (for example
"The form expired..."), that message is shown: views write those for the people reading them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from assess.registers.entries import size_words
from assess.web.helpers import FORM_EXPIRED


@dataclass(frozen=True)
class ErrorPage:
    title: str
    advice: str


PAGES = {
    400: ErrorPage(
        "Sorry, there is a problem with what was sent",
        "Go back, check what you entered and try again.",
    ),
    403: ErrorPage(
        "You cannot view this page",
        "Your role does not include this page. If you need it for your work, ask an "
        "administrator of assess.",
    ),
    404: ErrorPage(
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you copied "
        "the whole address. It may also be something your role or your teams cannot see.",
    ),
    405: ErrorPage(
        "Sorry, there is a problem with what was sent",
        "This page cannot be used that way. Go back and use the page's own buttons and links.",
    ),
    409: ErrorPage(
        "Someone else changed this at the same time",
        "Nothing you sent was saved. Go back, reload the page to see the latest, and try again.",
    ),
    429: ErrorPage(
        "Too many attempts",
        "Wait a few minutes, then try again.",
    ),
    500: ErrorPage(
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you sent may have been saved: check before you enter it "
        "again. If it keeps happening, tell the service's administrator the time it happened.",
    ),
}


CHART_PENDING = ErrorPage(
    "This chart is being prepared",
    "Charts are drawn in the background after the figures change. Try again in a minute: the "
    "page the chart belongs to has a table with the same numbers.",
)


def chart_pending():
    """A chart download asked for before the renderer has drawn it: try again shortly."""
    page = render_template("error.html", page=CHART_PENDING, message=None)
    return page, 503, {"Retry-After": "60"}


def page_for(code: int) -> ErrorPage:
    """The page for a status; an unlisted 4xx reads as a problem with what was sent."""
    return PAGES.get(code) or (PAGES[400] if 400 <= code < 500 else PAGES[500])


def own_message(error: HTTPException) -> str | None:
    """The message a view gave `abort`, or None where werkzeug's default text would show."""
    if isinstance(error, CSRFError):  # a stale or missing token: the page was open too long
        return FORM_EXPIRED
    description = error.description
    return description if description and description != type(error).description else None


def http_error(error: HTTPException):
    code = error.code or 500
    message = own_message(error) if code < 500 else None
    if request.path.startswith("/api/"):
        return jsonify(error=message or page_for(code).title), code
    headers = [h for h in error.get_headers(request.environ) if h[0] != "Content-Type"]
    return render_template("error.html", page=page_for(code), message=message), code, headers


def too_large(error: HTTPException):
    """A request over MAX_CONTENT_LENGTH, refused before its body is read: the limits, and
    what to do."""
    return render_template(
        "too_large.html",
        limit=size_words(current_app.config["MAX_CONTENT_LENGTH"]),
        import_limit=size_words(current_app.config["IMPORT_MAX_BYTES"]),
    ), 413


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(413, too_large)
    # Unhandled exceptions reach here as a 500 wrapping the original (logged by Flask).
    app.register_error_handler(InternalServerError, http_error)
