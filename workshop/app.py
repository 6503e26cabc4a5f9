"""The app factory: ``create_app`` is the only place an app is built.

Tests, ``run.py`` and ``flask --app workshop`` all call it. It
validates the prompt library (packs, cards) and refuses to build an app from a bad one, but
has no other side effects: no migrations, no demo data, no background tasks.
"""

from __future__ import annotations

import errno
import logging
from pathlib import Path
from typing import Any

import click
import engineio.json
import engineio.packet
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import web
from .config import PACKAGE, ROOT, Config
from .domain.redaction.lexicon import lexicon
from .domain.safeguarding import parse_rules
from .extensions import csrf, db, migrate, socketio
from .library import load_library
from .messagequeue import REDIS_SCHEMES, redis_manager
from .realtime import Publisher
from .services.participation import Screener, compiled_checker
from .shutdown import Drain
from .web.validation import SocketJSON

# Importing ``web`` (above) registers the Socket.IO handlers (``web.sockets``) before any
# init_app: @socketio.on keeps a handler for every future app only while the SocketIO object has
# no server yet. Imported after the first init_app, they would be bound to that app's server
# alone, and every later app (each test) would get none. The package ``__init__`` imports none
# of this, so the pure domain still imports without the web layer.

__all__ = ["StartupError", "create_app", "socketio"]

SOCKET_MAX_BYTES = 16 * 1024


class StartupError(click.ClickException):
    """The app cannot start for a reason the person running it can fix; the message says how.

    A ``click.ClickException``, so ``flask --app workshop ...`` prints the sentence, not a traceback.
    """


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the app from a config class (default ``Config``) or a mapping of overrides."""
    try:
        if isinstance(config, dict):
            settings = Config.from_env()
            settings.update(config)
        else:
            settings = (config or Config).from_env()
    except ValueError as exc:
        raise StartupError(str(exc)) from None
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(Path(settings["INSTANCE_DIR"]).resolve()),
    )
    app.config.update(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_secret_key(Path(app.instance_path) / "secret_key")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)

    library = load_library(app.config["PROMPTS_DIR"])
    app.extensions["cg_library"] = library

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE / "migrations"))
    csrf.init_app(app)

    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "gevent"),
        message_queue=None,
        client_manager=_client_manager(app),
        max_http_buffer_size=SOCKET_MAX_BYTES,
        json=SocketJSON,  # huge numbers and broken packets: a plain refusal, never a traceback
        # One event at a time per socket, in order (web/fairshare.py): a socket flooding the
        # server queues behind itself, not in front of every other phone.
        async_handlers=False,
        ping_interval=25,
        ping_timeout=20,
    )
    # SocketJSON is for Socket.IO packets only. python-socketio hands it to Engine.IO too, whose
    # packets rely on json.loads raising for plain text (the "probe" of a WebSocket upgrade).
    engineio.packet.Packet.json = engineio.json
    app.wsgi_app = ClosedDuringUpgrade(app.wsgi_app)  # type: ignore[method-assign]
    if app.config["PROXY_HOPS"]:
        # Behind nginx: trust its X-Forwarded-For/-Proto, so rate limits see each client's
        # address (not the proxy's) and the Socket.IO same-origin check sees https.
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    rules = parse_rules(library.safeguarding) if library.safeguarding else []
    compiled_checker(tuple(rules))  # compile now: a bad pattern stops the app here, not mid-workshop
    lexicon()  # load the redactor's name lists now (once per process), not on the first comment
    app.extensions["cg_screener"] = Screener(rules)
    app.extensions["cg_publisher"] = Publisher(app, float(app.config["PUSH_INTERVAL"]))
    app.extensions["cg_drain"] = Drain()

    # <int:...> in every route: at most 2**31 - 1, so a huge id is a 404, not a database overflow.
    app.url_map.converters["int"] = IdConverter
    web.register(app)
    logging.getLogger("engineio.server").setLevel(logging.WARNING)
    logging.getLogger("socketio.server").setLevel(logging.WARNING)
    return app


class ClosedDuringUpgrade:
    """Report a phone that went away mid WebSocket upgrade as a reset connection, not a crash.

    engine.io's WSGI WebSocket raises a bare ``OSError()`` (no errno) when the browser has
    already closed the socket it is upgrading; gevent's server then fails on ``ex.args[0]``
    and logs a traceback for what is an ordinary goodbye (seen under load, when a page is left
    while its socket upgrades). Re-raised as ``ConnectionResetError`` (ECONNRESET), which the
    server already treats as a client that hung up.
    """

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: Any, start_response: Any) -> Any:
        try:
            return self.wsgi_app(environ, start_response)
        except OSError as exc:
            if exc.args:
                raise
            raise ConnectionResetError(errno.ECONNRESET, "the client closed the connection") from None


def read_secret_key(path: Path) -> str:
    """Return the secret key kept in ``path`` (``python run.py`` writes it the first time)."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise StartupError(
            f"There is no secret key yet. Run `python run.py` once (it makes one in {path}), "
            "or set WORKSHOP_SECRET_KEY."
        ) from None
    except OSError as exc:
        raise StartupError(f"The secret key in {path} cannot be read ({exc.strerror}).") from None
    if len(key) < 32:
        raise StartupError(f"The secret key in {path} is too short. Delete the file and run `python run.py` again.")
    return key


def _client_manager(app: Flask) -> Any:
    """Return the Redis client manager when several processes share a message queue, else None (one process)."""
    url = app.config["MESSAGE_QUEUE"]
    if not url:
        return None
    if not url.startswith(REDIS_SCHEMES):
        raise StartupError("WORKSHOP_MESSAGE_QUEUE must be a Redis URL, such as redis://127.0.0.1:6379/0.")
    return redis_manager(url, app.config["MESSAGE_QUEUE_CHANNEL"], int(app.config["REDIS_POOL_SIZE"]))


class IdConverter(IntegerConverter):
    """An ``int`` URL part that fits a database integer column."""

    def __init__(
        self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def _tune_sqlite(app: Flask) -> None:
    """Give SQLite a lock timeout; pragmas are set on every new connection (below)."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {"timeout": 15, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Use WAL with synchronous=NORMAL (about twice the write rate) and enforce foreign keys."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
