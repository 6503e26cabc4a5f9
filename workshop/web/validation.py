"""One early check of everything a client sends, before any route or socket handler sees it.

Design decision: crafted input is refused in one place, not field by field. Every HTTP
request passes :func:`check_request` (a ``before_request`` hook): the path, the query string
and a form body must be valid UTF-8, hold no control characters (a form may hold line breaks
and tabs, a path or query string may not) and no number longer than any id or count we use.
Anything else gets the plain 400 page and changes nothing. Every socket event's arguments pass
:func:`payload_ok` (called by the one wrapper every handler in ``sockets.py`` is registered
through): only JSON-like values, nested a few levels at most, with the same rules for text and
numbers that fit a database integer.

Redirect targets (``next=``, the language and easy-read switches) go through
:func:`is_local` / :func:`safe_target`: only a path on this site.

What is left for the fields themselves is meaning (is this a known position, a real step),
which the services and the pure domain check with their own plain messages.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, abort, request

# No id, count or scale in the app has more digits than this; 400 digits only overflow drivers.
MAX_DIGITS = 18
# Integers a socket payload may carry (a step number, a comment id): a database integer.
MAX_INT = 2**31
MAX_DEPTH = 4
MAX_ITEMS = 200
MAX_QUERY = 4096
# A typed form value may also hold tabs and line breaks (a textarea sends \r\n).


# Control characters (C0, DEL, C1), lone surrogates, line/paragraph separators and U+FFFD
# (what invalid UTF-8 decodes to): one compiled pattern, so checking is C-speed.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffd]")
_BAD_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffd]")
_HUGE = re.compile(rf"\s*[+-]?\d{{{MAX_DIGITS + 1},}}\s*")


def text_ok(value: str, *, multiline: bool = False) -> bool:
    """True for text with no control characters, lone surrogates or huge bare numbers."""
    if (_BAD if multiline else _BAD_LINE).search(value):
        return False
    return not _HUGE.fullmatch(value)


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _urlencoded_ok(raw: bytes) -> bool:
    """Every name and value in an ``a=1&b=2`` string is valid UTF-8 once percent-decoded."""
    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            if not _utf8(unquote_to_bytes(piece.replace(b"+", b" "))):
                return False
    return True


def request_ok() -> bool:
    """True if the current request's path, query and form are all acceptable."""
    path = request.environ.get("PATH_INFO", "")
    try:
        raw_path = path.encode("latin-1")  # WSGI gives the path's bytes as latin-1
    except UnicodeEncodeError:
        return False
    if not _utf8(raw_path) or not text_ok(request.path):
        return False
    query = request.query_string
    if len(query) > MAX_QUERY or not _urlencoded_ok(query):
        return False
    for key, value in request.args.items(multi=True):
        if not text_ok(key) or not text_ok(value):
            return False
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        # cache=True: the form is parsed from these same bytes afterwards.
        if request.mimetype == "application/x-www-form-urlencoded" and not _urlencoded_ok(
            request.get_data(cache=True, parse_form_data=False)
        ):
            return False
        for key, value in request.form.items(multi=True):
            if not text_ok(key) or not text_ok(value, multiline=True):
                return False
    return True


def check_request() -> None:
    """Refuse crafted input with the plain 400 page before any view runs."""
    if not request_ok():
        abort(400)


def payload_ok(value: Any, depth: int = 0) -> bool:
    """True for a socket argument made of plain JSON values we can safely hand to a handler."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_INT < value < MAX_INT
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) < MAX_INT
    if isinstance(value, str):
        return len(value) <= 20_000 and text_ok(value, multiline=True)
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list):
        return len(value) <= MAX_ITEMS and all(payload_ok(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return len(value) <= MAX_ITEMS and all(
            isinstance(k, str) and len(k) <= 64 and text_ok(k) and payload_ok(v, depth + 1) for k, v in value.items()
        )
    return False  # bytes (binary attachments) and anything else no handler expects


MALFORMED = "\x00malformed"  # an event name no handler has: a broken packet is simply ignored


def _int_or_nan(digits: str) -> float | int:
    """A JSON integer, or NaN if it is absurdly long (the handlers then refuse it plainly)."""
    return int(digits) if len(digits) <= 30 else math.nan


class SocketJSON:
    """The JSON module Socket.IO decodes packets with (``socketio.init_app(json=...)``).

    Socket.IO's own decoder raises on integers over 100 digits and on malformed JSON, and the
    server logs that with a traceback before any handler can answer. Here a huge integer
    becomes NaN, which :func:`payload_ok` refuses with a plain acknowledgement, and a packet
    that is not JSON at all becomes an event nobody handles.
    """

    @staticmethod
    def dumps(*args: Any, **kwargs: Any) -> str:
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(data: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_int", _int_or_nan)
        try:
            return json.loads(data, *args, **kwargs)
        except (ValueError, RecursionError):
            return [MALFORMED]


def is_local(target: str | None) -> bool:
    """True for a path on this site: never ``//host``, a scheme, a backslash or a control character."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or not target.isprintable():
        return False  # browsers drop tabs and newlines and read "\\" as "/", so "/\t/x" is "//x"
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_target(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``."""
    return target if target is not None and is_local(target) else default


def register(app: Flask) -> None:
    """Run :func:`check_request` before every request, ahead of the app's other hooks."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
