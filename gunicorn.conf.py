"""gunicorn settings for Common Ground: ``gunicorn -c gunicorn.conf.py run:app``.

One gevent worker per process (Socket.IO needs sticky sessions across workers; run more
processes behind nginx with a Redis message queue instead, see docs/deployment.md).
On SIGTERM each worker stops gracefully (``workshop/shutdown.py``): it stops taking new
answers, finishes and acknowledges those in flight, tells every phone it is restarting,
closes the sockets and exits, well inside ``graceful_timeout``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gevent"
workers = 1
worker_connections = 5000
# Seconds a worker has to finish after SIGTERM; our own drain takes at most WORKSHOP_STOP_TIMEOUT.
graceful_timeout = 15
timeout = 60


def post_worker_init(worker):
    """Replace the worker's SIGTERM handling with a graceful drain, then let gunicorn finish."""
    import signal

    import gevent

    from workshop.shutdown import close_sockets, drain

    app = worker.wsgi  # run:app, the Flask app

    def finish() -> None:
        try:
            drain(app)
            close_sockets()
        finally:
            worker.alive = False  # gunicorn's loop now closes the listener and exits

    def on_sigterm(_sig, _frame):
        gevent.spawn(finish)

    signal.signal(signal.SIGTERM, on_sigterm)
