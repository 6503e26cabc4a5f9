"""The web adapters: one blueprint per audience, the Socket.IO handlers, forms, errors and CLI.

Adapters translate HTTP, socket events and commands into service calls. They never import one
another's views; what two adapters share lives in ``forms``, ``auth`` (the login guard),
``hooks`` or below them in ``services``.
"""

from __future__ import annotations

from flask import Flask

from ..config import ROOT
from ..extensions import babel
from . import assisted, auth, errors, exports, facilitator, fairshare, moderation, participant, projector, validation
from .cli import register_cli
from .hooks import locale, register_web


def register(app: Flask) -> None:
    """Attach every blueprint, error handler, request hook and command to ``app``."""
    app.register_blueprint(auth.bp)
    app.register_blueprint(facilitator.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(projector.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(exports.public_bp)
    app.register_blueprint(assisted.bp)
    app.register_blueprint(moderation.bp)
    errors.register(app)
    validation.register(app)
    fairshare.register(app)
    register_web(app)
    babel.init_app(app, locale_selector=locale, default_translation_directories=str(ROOT / "workshop" / "translations"))
    register_cli(app)
    exports.register_cli(app)
    moderation.register_cli(app)
