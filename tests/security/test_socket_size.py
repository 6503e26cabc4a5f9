"""Oversized socket messages on the real server: dropped by the transport, no server error.

The Flask-SocketIO test client skips the transport, so this test runs ``run.py`` in a
subprocess and talks to it with a real Socket.IO client, as a phone that joined over HTTP.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import socketio

from tests.support import csrf_from, run_server, wait_until
from workshop import SOCKET_MAX_BYTES

pytestmark = pytest.mark.slow


def _join(base: str, code: str) -> tuple[requests.Session, int]:
    session = requests.Session()
    token = csrf_from(session.get(f"{base}/j/{code}", timeout=10).text)
    page = session.post(f"{base}/j/{code}", data={"csrf_token": token}, timeout=10)
    assert page.ok
    live = session.get(f"{base}/w/{code}", timeout=10).text
    found = re.search(r'data-workshop="(\d+)"', live)
    assert found, "the phone did not reach its live page"
    return session, int(found.group(1))


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_oversized_socket_message_is_dropped_without_a_server_error(tmp_path: Path, transport: str) -> None:
    with run_server(tmp_path) as live:
        assert live.join_code, live.log()
        session, workshop = _join(live.base, live.join_code)
        auth = {"as": "phone", "workshop": workshop}

        phone = socketio.Client(http_session=session, reconnection=False)
        phone.connect(live.base, auth=auth, transports=[transport], wait_timeout=10)
        assert phone.call("sync", {}, timeout=10)["ok"] is True
        # Just under the limit: a plain refusal from the handler (text over 2000 characters).
        assert phone.call("preview", {"text": "y" * 4000}, timeout=10) == {"ok": False}

        # Over the limit: the server drops the message (and the connection), and answers nothing.
        with pytest.raises(
            (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError, socketio.exceptions.SocketIOError)
        ):
            phone.call("preview", {"text": "x" * (SOCKET_MAX_BYTES + 1024)}, timeout=5)
        wait_until(lambda: not phone.connected, 30, "the server has dropped the oversized connection")

        # The server is fine: healthy, and the same phone can connect again and carry on.
        again = socketio.Client(http_session=session, reconnection=False)
        again.connect(live.base, auth=auth, transports=[transport], wait_timeout=10)
        assert again.call("sync", {}, timeout=10)["ok"] is True
        again.disconnect()
        log = live.log()
        # No exception anywhere, and no error from our code. (With long-polling, Engine.IO notes
        # once, at ERROR level, that the dropped session's next poll found it closed: that is
        # the transport doing its job, not a failure.)
        assert "Traceback" not in log and "ERROR [workshop" not in log, log[-3000:]
        assert not re.search(r"\d+\.\d+\.\d+\.\d+ - - \[", log), "an access log with client addresses"
