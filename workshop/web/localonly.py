"""Keep the facilitator's pages off a room's Wi-Fi unless the connection is encrypted.

On a room's own network the app serves phones over plain HTTP, where anyone on the Wi-Fi
could read a facilitator's password and session cookie. So, unless HTTPS is configured
(``WORKSHOP_PUBLIC_URL`` starts with ``https://``, or a trusted proxy says the request came
over HTTPS), facilitator pages and the console's socket answer only to the laptop itself
(127.0.0.1 or ::1). Everyone else gets a plain page saying to use the laptop. A shared tablet
is enrolled with a one-time code instead of a login (see ``web/room.py``).

The client address is read the way the rate limits read it (``ratelimit.client_address``):
through a reverse proxy on the same machine, the proxy's own view of the client, so nobody
on the Wi-Fi counts as "the laptop" just because the proxy is.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import Flask, current_app, has_request_context, render_template, request
from flask.sessions import SecureCookieSessionInterface

from . import ratelimit

# Blueprints a facilitator uses (the participant, projector and public pages stay open).
FACILITATOR_BLUEPRINTS = frozenset({"auth", "facilitator", "exports", "assisted", "moderation", "room"})

TITLE = "Please use the laptop running the workshop"
DETAIL = (
    "The facilitator's pages only open on the laptop itself, because this network is not "
    "encrypted and a password sent over it could be read by others. If you are the facilitator, "
    "use the laptop running Common Ground. To set up a shared tablet, use the tablet code shown "
    "on the console."
)


def https_configured() -> bool:
    """True when the app is set up to be reached over HTTPS."""
    return str(current_app.config.get("PUBLIC_URL") or "").lower().startswith("https://")


def from_this_machine() -> bool:
    address = ratelimit.client_address()
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def facilitator_reachable() -> bool:
    """True if facilitator pages may answer this request."""
    return request.is_secure or https_configured() or from_this_machine()


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions: Secure whenever HTTPS is configured or the request used it, and
    not decoded again for every socket event.

    Flask-SocketIO copies the cookie's session when a socket connects and swaps that copy in
    for every later event, so decoding (and checking the signature of) the cookie on each
    event is wasted work; for a flood of refused events it was most of the cost (see
    ``fairshare``).
    """

    def open_session(self, app: Flask, request: Any) -> Any:
        if "saved_session" in request.environ:
            return self.session_class()  # replaced at once by this socket's own copy
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        if str(app.config.get("PUBLIC_URL") or "").lower().startswith("https://"):
            return True
        return has_request_context() and request.is_secure


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()

    def _guard() -> Any:
        if request.blueprint in FACILITATOR_BLUEPRINTS and not facilitator_reachable():
            return render_template("error.html", code=403, title=TITLE, detail=DETAIL), 403
        return None

    # First of all the request hooks: before the CSRF check reads a posted form.
    app.before_request_funcs.setdefault(None, []).insert(0, _guard)
