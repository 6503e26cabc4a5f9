"""The web adapters: one blueprint per audience, the Socket.IO handlers, and the command line.

Adapters translate HTTP requests, socket events and commands into service calls, and each
owns its transaction (run the service, commit, publish). Views, one home each:
``auth`` (log in and out), ``facilitator``, ``participant``, ``projector``, ``exports`` (a
package: record, register), ``public``, ``assisted``, ``moderation``, ``room`` (joining
settings, invitations, tablets, voiding), ``sockets`` and ``cli``.

Views never import one another. What two of them share is infrastructure, and lives in one
of these shared modules (or below, in ``services``, ``realtime`` and ``domain``):

* ``auth``: only its login guard (``login_required``, ``current_facilitator``, ``is_local``);
* ``forms``: the WTForms, and reading a posted answer (``payload_from_form``);
* ``links``: the join and projector links;
* ``control``: running a facilitator's control (the console's socket event and its form);
* ``rendering``: a record made into files (the export routes and the ``export`` command);
* ``ratelimit``, ``hooks`` and ``errors``: limits, request hooks and template helpers, error pages;
* ``fairshare``: how fast one phone or socket may send (token buckets), so none slows the rest;
* ``validation``: the one early check of every request and socket payload, and safe redirects;
* ``localonly``: keeping the facilitator's pages and console socket off plain-HTTP Wi-Fi
  (``facilitator_reachable``) and the Secure-cookie session.

``tests/unit/test_house.py`` checks this list against the imports.
"""

from __future__ import annotations

from flask import Flask

from ..config import PACKAGE
from ..extensions import babel

# ``sockets`` is imported for its @socketio.on handlers (see workshop/app.py for why this is early).
from . import (  # noqa: F401
    assisted,
    auth,
    errors,
    exports,
    facilitator,
    fairshare,
    localonly,
    moderation,
    participant,
    projector,
    public,
    room,
    sockets,
    validation,
)
from .cli import register_cli
from .hooks import locale, register_web


def register(app: Flask) -> None:
    """Attach every blueprint, error handler, request hook and command to ``app``."""
    app.register_blueprint(auth.bp)
    app.register_blueprint(facilitator.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(projector.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(assisted.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(room.bp)
    localonly.register(app)
    errors.register(app)
    validation.register(app)
    fairshare.register(app)
    register_web(app)
    babel.init_app(app, locale_selector=locale, default_translation_directories=str(PACKAGE / "translations"))
    register_cli(app)
