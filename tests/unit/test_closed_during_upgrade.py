"""A phone leaving mid WebSocket upgrade is a reset connection for the server, not a traceback."""

from __future__ import annotations

import errno
from typing import Any

import pytest

from workshop.app import ClosedDuringUpgrade


def _raising(exc: BaseException) -> Any:
    def app(environ: Any, start_response: Any) -> Any:
        raise exc

    return app


def test_a_bare_oserror_becomes_a_connection_reset() -> None:
    with pytest.raises(ConnectionResetError) as caught:
        ClosedDuringUpgrade(_raising(OSError()))({}, None)
    assert caught.value.args[0] == errno.ECONNRESET  # gevent's server ignores this errno quietly


@pytest.mark.parametrize("exc", [OSError(errno.EIO, "disk"), ValueError("bad"), ConnectionResetError(errno.EPIPE, "x")])
def test_other_errors_pass_through_unchanged(exc: BaseException) -> None:
    with pytest.raises(type(exc)) as caught:
        ClosedDuringUpgrade(_raising(exc))({}, None)
    assert caught.value is exc


def test_answers_pass_through() -> None:
    assert ClosedDuringUpgrade(lambda environ, start: [b"ok"])({}, None) == [b"ok"]
