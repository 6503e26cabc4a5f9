"""gunicorn settings for Common Ground: one gevent worker per process (see docs/deployment.md).

Run one gunicorn per port, each with its own ``-b``:
    gunicorn -c gunicorn.conf.py -b 127.0.0.1:8001 run:app
Several processes share workshops through Redis (``WORKSHOP_MESSAGE_QUEUE``) behind nginx with
sticky routing. ``run:app`` lets gevent patch the standard library before anything else loads.
"""

import gc

wsgi_app = "run:app"
# One worker: a phone's Socket.IO session must stay on the process that holds it.
workers = 1
worker_class = "gevent"
# gunicorn's default of 1,000 would refuse the 1,001st phone; raise the open-file limit to match.
worker_connections = 10000
# Override with -b (or GUNICORN_CMD_ARGS="--bind ..."), one port per process.
bind = "127.0.0.1:8000"
# On SIGTERM, answers in flight get this long to be stored and acknowledged.
graceful_timeout = 10
timeout = 60
# No access log: request lines carry client addresses, which this app never logs.
accesslog = None
errorlog = "-"
loglevel = "info"


def post_worker_init(worker):
    """Freeze start-up objects and collect less often: full collections paused busy workers 100-500 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
