"""Configuration classes.

Every setting has a default here and can be overridden by a ``WORKSHOP_*`` environment
variable (see ``ENV_SETTINGS``; the README's configuration table is checked against it by a
test). Values from the environment are cast to the type of the default.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent


def _checkout() -> Path | None:
    """Return the source checkout holding this package, or None when installed with pip."""
    top = PACKAGE.parent
    return top if (top / "templates").is_dir() and (top / "prompts").is_dir() else None


# Templates, static files and packs: beside the package in a checkout; inside it (copied there
# by the wheel build, see pyproject.toml) when installed with ``pip install .``.
ROOT = _checkout() or PACKAGE / "_assets"
# Writable files (SQLite database, secret key): ``instance/`` in the checkout, or in the
# current folder for an installed package, unless WORKSHOP_INSTANCE_DIR says otherwise.
INSTANCE = Path(os.environ.get("WORKSHOP_INSTANCE_DIR") or ((_checkout() or Path.cwd()) / "instance")).resolve()
SECRET_KEY_FILE = INSTANCE / "secret_key"

# environment variable -> (config key, description for the README)
ENV_SETTINGS: dict[str, tuple[str, str]] = {
    "WORKSHOP_DATABASE_URL": (
        "SQLALCHEMY_DATABASE_URI",
        "Database URL (SQLite file by default, or postgresql+psycopg://...)",
    ),
    "WORKSHOP_SECRET_KEY": (
        "SECRET_KEY",
        "Key that signs cookies. If unset, the one `run.py` made and keeps in `instance/secret_key` is used",
    ),
    "WORKSHOP_INSTANCE_DIR": (
        "INSTANCE_DIR",
        "Folder for the SQLite database and the secret key (default `instance/` in the checkout)",
    ),
    "WORKSHOP_MESSAGE_QUEUE": (
        "MESSAGE_QUEUE",
        "Redis URL for Socket.IO across several processes (empty: one process)",
    ),
    "WORKSHOP_HOST": ("HOST", "Address `run.py` listens on"),
    "WORKSHOP_PORT": ("PORT", "Port `run.py` listens on"),
    "WORKSHOP_SMALL_GROUP_K": (
        "SMALL_GROUP_K",
        "Smallest group size ever shown on its own (default for new consultations)",
    ),
    "WORKSHOP_RETENTION_DAYS": ("RETENTION_DAYS", "Days raw answers are kept (default for new consultations)"),
    "WORKSHOP_SESSION_HOURS": ("SESSION_HOURS", "Hours a facilitator stays logged in"),
    "WORKSHOP_PROMPTS_DIR": ("PROMPTS_DIR", "Folder holding packs and use-case cards"),
    "WORKSHOP_PUBLIC_URL": (
        "PUBLIC_URL",
        "Address phones use to reach the app, for the QR code (default: the request's own)",
    ),
    "WORKSHOP_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", "Send cookies over HTTPS only (turn on behind HTTPS)"),
    "WORKSHOP_PUSH_INTERVAL": ("PUSH_INTERVAL", "Seconds between live result updates to the console and projector"),
    "WORKSHOP_MESSAGE_QUEUE_CHANNEL": (
        "MESSAGE_QUEUE_CHANNEL",
        "Redis channel the processes of one deployment share (give each deployment its own)",
    ),
    "WORKSHOP_PROXY_HOPS": (
        "PROXY_HOPS",
        "Reverse proxies (such as nginx) in front of the app whose X-Forwarded headers to trust",
    ),
    "WORKSHOP_JOIN_BURST_LIMIT": (
        "JOIN_BURST_LIMIT",
        "Phone joins in any 10 seconds above which the console warns of a possible stuffed burst",
    ),
    "WORKSHOP_STOP_TIMEOUT": (
        "STOP_TIMEOUT",
        "Seconds a stopping server waits for answers in flight before it exits (SIGTERM)",
    ),
    "WORKSHOP_REDIS_POOL_SIZE": (
        "REDIS_POOL_SIZE",
        "Most Redis connections each process opens for Socket.IO messages (more senders wait their turn)",
    ),
}


class Config:
    """Defaults for running on one machine with the embedded SQLite database."""

    SECRET_KEY: str | None = None
    INSTANCE_DIR = str(INSTANCE)
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'workshop.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    MESSAGE_QUEUE = ""
    HOST = "127.0.0.1"
    PORT = 5000
    SMALL_GROUP_K = 5
    RETENTION_DAYS = 365
    SESSION_HOURS = 12
    PROMPTS_DIR = str(ROOT / "prompts")
    PUBLIC_URL = ""
    PUSH_INTERVAL = 0.1
    MESSAGE_QUEUE_CHANNEL = "common-ground"
    REDIS_POOL_SIZE = 20
    # A room scanning a QR code manages two or three joins a second at most.
    JOIN_BURST_LIMIT = 25
    STOP_TIMEOUT = 5.0
    STOP_QUIET = 0.3  # seconds with no answer arriving before a stopping server closes its sockets
    PROXY_HOPS = 0
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "cg_session"
    # A CSRF token lives as long as the session: workshops run for hours.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 64 * 1024
    TESTING = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> dict[str, Any]:
        """Return this class's settings with any ``WORKSHOP_*`` overrides applied."""
        environ = dict(os.environ if environ is None else environ)
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        for var, (key, _) in ENV_SETTINGS.items():
            if var in environ:
                settings[key] = _cast(environ[var], settings.get(key), var)
        moved = "WORKSHOP_INSTANCE_DIR" in environ and "WORKSHOP_DATABASE_URL" not in environ
        if (
            moved
            and settings["SQLALCHEMY_DATABASE_URI"] == cls.SQLALCHEMY_DATABASE_URI == Config.SQLALCHEMY_DATABASE_URI
        ):
            # The default SQLite file follows the instance folder.
            folder = Path(settings["INSTANCE_DIR"]).resolve()
            settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'workshop.sqlite3'}"
        settings["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=settings["SESSION_HOURS"])
        return settings


class TestConfig(Config):
    """Settings for the test suite: in-memory-like SQLite file per test, fixed key."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - the test suite only
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PUSH_INTERVAL = 0.0  # publish at once, so tests see updates without a background task


def _cast(raw: str, default: Any, var: str) -> Any:
    if isinstance(default, bool):
        if raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.strip().lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"{var} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{var} must be a whole number, not {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{var} must be a number, not {raw!r}") from None
    return raw
