"""Test support: the one live-server launcher, the one data factory and the one wait function.

- :mod:`tests.support.waits`: ``wait_until(condition, timeout, message)`` (and its asyncio twin).
- :mod:`tests.support.server`: ``run_server(folder, ...)`` runs ``python run.py`` on a free port.
- :mod:`tests.support.factory`: ``Factory(app)`` makes facilitators, workshops, phones, answers.
- :mod:`tests.support.app`: ``make_app``, ``fresh_database``, ``csrf_from``.
- :mod:`tests.support.claims`: the privacy claims registry and the text of every place it covers.
- :mod:`tests.support.chromium`: where Debian's Chromium is, and skipping without it.

tests/README.md says which tests use what.
"""

from .app import csrf_from, fresh_database, make_app
from .factory import PASSWORD, Auth, Factory, Live, answer, participant_token, receipt_code, received
from .server import ROOT, LiveServer, free_port, get, run_init, run_server, server_env, start_server
from .waits import WaitTimeout, in_page, wait_until, wait_until_async

__all__ = [
    "PASSWORD",
    "ROOT",
    "Auth",
    "Factory",
    "Live",
    "LiveServer",
    "WaitTimeout",
    "answer",
    "csrf_from",
    "free_port",
    "get",
    "fresh_database",
    "in_page",
    "run_init",
    "make_app",
    "participant_token",
    "receipt_code",
    "received",
    "run_server",
    "server_env",
    "start_server",
    "wait_until",
    "wait_until_async",
]
