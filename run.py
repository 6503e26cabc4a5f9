"""Run Common Ground on one machine: ``python run.py [--host H] [--port P]``.

On an empty database this migrates, makes a demo consultation with a ready workshop and a
facilitator ``demo`` with a random password, and prints where to log in and join.
Also the WSGI target for gunicorn's gevent worker: ``gunicorn -k gevent -w 1 run:app``.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
from pathlib import Path  # noqa: E402

from workshop import create_app, socketio  # noqa: E402

INSTANCE = Path(__file__).resolve().parent / "instance"


def _secret_key() -> None:
    """Keep one secret key in instance/ so phones stay joined across restarts."""
    if os.environ.get("WORKSHOP_SECRET_KEY"):
        return
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    os.environ["WORKSHOP_SECRET_KEY"] = path.read_text().strip()


_secret_key()
INSTANCE.mkdir(exist_ok=True)
app = create_app()


def prepare() -> list[str]:
    """Bring the database up to date; on an empty one, make the demo. Return lines to print."""
    from flask_migrate import upgrade

    from workshop.extensions import db
    from workshop.services.demo import is_empty, seed_demo

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


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Common Ground on this machine.")
    parser.add_argument("--host", default=app.config["HOST"])
    parser.add_argument("--port", type=int, default=app.config["PORT"])
    args = parser.parse_args()
    lines = prepare()
    base = f"http://{args.host}:{args.port}"
    print("Common Ground is starting.")
    for line in lines:
        if line.startswith("__JOIN__"):
            print(f"Join URL:         {base}/j/{line[8:]}")
        else:
            print(line)
    print(f"Log in at:        {base}/login")
    print("Press Ctrl+C to stop.", flush=True)
    # Fewer, later garbage collections: full collections paused the server for 100-500 ms.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    _stop_on_sigterm()
    socketio.run(app, host=args.host, port=args.port, log_output=False)
    print("Common Ground has stopped.", flush=True)


def _stop_on_sigterm() -> None:
    """On SIGTERM, finish and acknowledge the answers in flight, tell every screen, then exit."""
    import signal

    import gevent

    from workshop.shutdown import stop_gracefully

    def stop_server() -> None:
        server = getattr(socketio, "wsgi_server", None)
        if server is not None:
            server.stop(timeout=1)

    def on_sigterm() -> None:
        print("Stopping: finishing the answers in flight…", flush=True)
        gevent.spawn(stop_gracefully, app, stop_server)

    gevent.signal_handler(signal.SIGTERM, on_sigterm)


if __name__ == "__main__":
    main()
