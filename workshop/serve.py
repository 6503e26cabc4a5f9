"""Serve Common Ground on one machine: ``python run.py`` in a checkout, ``common-ground`` when installed.

gevent patches the standard library first, before Flask, SQLAlchemy or ssl are imported
(the package ``__init__`` imports none of them, so importing this module is early enough).
On an empty database this migrates, makes a demo consultation with a ready workshop and a
facilitator ``demo`` with a random password, and prints where to log in and join.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from .app import create_app  # noqa: E402
from .config import Config  # noqa: E402
from .extensions import db, socketio  # noqa: E402
from .services.demo import is_empty, seed_demo  # noqa: E402
from .shutdown import stop_gracefully  # noqa: E402


def ensure_secret_key() -> None:
    """Make the instance folder and, the first time, the secret key kept in it.

    Phones stay joined across restarts, and ``flask --app workshop ...`` commands read the same
    key (``create_app`` reads it; only the server entry writes it).
    """
    folder = Path(Config.from_env()["INSTANCE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if os.environ.get("WORKSHOP_SECRET_KEY") or path.exists():
        return
    # Created with owner-only permissions from the start: never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(48))


def build_app() -> Flask:
    """Make sure the secret key exists, then build the app."""
    ensure_secret_key()
    return create_app()


def prepare(app: Flask) -> list[str]:
    """Bring the database up to date; on an empty one, make the demo. Return lines to print."""
    with app.app_context():
        upgrade()
        if not is_empty(db.session):
            return [
                "Database ready. (The demo was made the first time; reset its password with:",
                "  flask --app workshop facilitator password demo)",
            ]
        facilitator, password, workshop = seed_demo(db.session, app.extensions["cg_library"])
        db.session.commit()
        return [
            f"Demo facilitator: {facilitator.name}",
            f"Password:         {password}",
            f"Join code:        {workshop.join_code}",
            "__JOIN__" + workshop.join_code,
        ]


def main(app: Flask | None = None) -> None:
    """Parse ``--host``/``--port``, prepare the database, print the links and serve until stopped."""
    app = app or build_app()
    parser = argparse.ArgumentParser(description="Run Common Ground on this machine.")
    parser.add_argument("--host", default=app.config["HOST"])
    parser.add_argument("--port", type=int, default=app.config["PORT"])
    parser.add_argument(
        "--init",
        action="store_true",
        help="only make the secret key and bring the database up to date, then stop (no demo, no server)",
    )
    args = parser.parse_args()
    if args.init:
        with app.app_context():
            upgrade()
        os.write(1, f"Secret key kept in {app.instance_path}; database up to date.\n".encode())
        return
    lines = prepare(app)
    base = f"http://{args.host}:{args.port}"
    out = [
        "Common Ground is starting.",
        *(f"Join URL:         {base}/j/{line[8:]}" if line.startswith("__JOIN__") else line for line in lines),
        f"Log in at:        {base}/login",
        "Press Ctrl+C to stop.",
    ]
    # The console is this program's interface: these lines are for the person who started it.
    os.write(1, ("\n".join(out) + "\n").encode())
    # Fewer, later garbage collections: full collections paused the server for 100-500 ms.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    _stop_on_sigterm(app)
    socketio.run(app, host=args.host, port=args.port, log_output=False)
    os.write(1, b"Common Ground has stopped.\n")


def _stop_on_sigterm(app: Flask) -> None:
    """On SIGTERM, finish and acknowledge the answers in flight, tell every screen, then exit."""

    def stop_server() -> None:
        server = getattr(socketio, "wsgi_server", None)
        if server is not None:
            server.stop(timeout=1)

    def on_sigterm() -> None:
        os.write(1, "Stopping: finishing the answers in flight…\n".encode())
        gevent.spawn(stop_gracefully, app, stop_server)

    gevent.signal_handler(signal.SIGTERM, on_sigterm)
