"""Common Ground: live, consent-based consultation workshops on ML in children's social care.

The package itself imports nothing heavy: ``workshop.serve`` (the server entry) must be able to
let gevent patch the standard library before Flask, SQLAlchemy or ssl are imported. The app
factory lives in ``workshop.app``; ``from workshop import create_app`` (and ``flask --app
workshop``) reach it through the module ``__getattr__`` below; typed code imports it from
``workshop.app`` (a type-checking import here would pull the whole web layer into every check
of the pure domain).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["SOCKET_MAX_BYTES", "StartupError", "create_app", "socketio"]

_FROM = {"SOCKET_MAX_BYTES": "app", "StartupError": "app", "create_app": "app", "socketio": "extensions"}


def __getattr__(name: str) -> Any:
    """Import the app factory (and friends) on first use."""
    if name in _FROM:
        return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
