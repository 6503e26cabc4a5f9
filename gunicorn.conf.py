"""gunicorn settings for Common Ground: one gevent worker per process (see docs/deployment.md).

Run one gunicorn per port, each with its own ``-b``:
    gunicorn -c gunicorn.conf.py -b 127.0.0.1:8001 run:app
Several processes share workshops through Redis (``WORKSHOP_MESSAGE_QUEUE``) behind nginx with
sticky routing. ``run:app`` lets gevent patch the standard library before anything else loads.
On SIGTERM each worker stops gracefully (``workshop/shutdown.py``): it stops taking new
answers, finishes and acknowledges those in flight, tells every phone it is restarting,
closes the sockets and exits, well inside ``graceful_timeout``.
"""

import gc
import signal

import gevent

wsgi_app = "run:app"
# One worker: a phone's Socket.IO session must stay on the process that holds it.
workers = 1
worker_class = "gevent"
# gunicorn's default of 1,000 would refuse the 1,001st phone; raise the open-file limit to match.
worker_connections = 10000
# Override with -b (or GUNICORN_CMD_ARGS="--bind ..."), one port per process.
bind = "127.0.0.1:8000"
# Seconds a worker has to finish after SIGTERM; our own drain takes at most WORKSHOP_STOP_TIMEOUT.
graceful_timeout = 15
timeout = 60
# No access log: request lines carry client addresses, which this app never logs.
accesslog = None
errorlog = "-"
loglevel = "info"


def post_worker_init(worker):
    """Tune the garbage collector, and replace the worker's SIGTERM handling with a graceful drain."""
    # Freeze start-up objects and collect less often: full collections paused busy workers 100-500 ms.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)

    # Imported here, in the worker: the app (and so gevent's patching) is loaded by then.
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
