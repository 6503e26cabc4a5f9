"""Error pages: plain English for people, full context in the log for us."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..services import NotFound

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    403: ("You cannot do that", "Please go back and try again."),
    404: ("Page not found", "Check the address, or go back to the start."),
    405: ("That did not work", "Please go back and try again."),
    413: ("That was too much to send", "Please send something shorter."),
    429: ("Too many tries", "Please wait a minute and try again."),
    500: ("Sorry, something went wrong on our side", "Your answers so far are safe. Please try again in a moment."),
}


def _page(code: int, title: str | None = None, detail: str | None = None) -> Any:
    default_title, default_detail = MESSAGES.get(code, MESSAGES[400])
    wants_json = request.accept_mimetypes.best == "application/json"
    if wants_json:
        return {"error": title or default_title, "detail": detail or default_detail}, code
    return render_template("error.html", code=code, title=title or default_title, detail=detail or default_detail), code


def register(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(_exc: NotFound) -> Any:
        db.session.rollback()
        return _page(404)

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError) -> Any:
        db.session.rollback()
        return _page(
            400, "This form had expired", "Nothing was changed. Please go back, reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        db.session.rollback()
        return _page(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        db.session.rollback()
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _page(500)
