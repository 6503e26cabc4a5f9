"""Wait for a condition, with a deadline: the one way a test waits for something.

A test never sleeps a fixed time (STYLE.md): it names the state it needs and waits for
exactly that, failing with a sentence that says what never happened and what was seen
last. The only sleeps in the suite are the poll intervals below.

``wait_until`` is for ordinary code (the default pause is ``time.sleep``; a browser test
passes ``pause=in_page(page)`` so Playwright keeps delivering events while it waits).
``wait_until_async`` is the same contract for asyncio code, woken early by an
``asyncio.Event`` when the thing it watches changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

INTERVAL = 0.05  # seconds between two looks at a condition


class WaitTimeout(AssertionError):
    """A condition did not hold in time (an AssertionError, so pytest reports a failure)."""


def _failure(message: str, timeout: float, last: Callable[[], Any] | None) -> WaitTimeout:
    text = f"timed out after {timeout:g} s waiting until {message}"
    if last is not None:
        try:
            text += f"; last seen: {last()!r}"
        except Exception as exc:  # describing the failure must not hide it
            text += f"; (could not describe the last state: {exc!r})"
    return WaitTimeout(text)


def wait_until(
    condition: Callable[[], T],
    timeout: float,
    message: str,
    *,
    last: Callable[[], Any] | None = None,
    interval: float = INTERVAL,
    pause: Callable[[float], None] | None = None,
) -> T:
    """Return the first true value of ``condition()``; raise :class:`WaitTimeout` after ``timeout`` s.

    ``message`` completes "timed out waiting until ...", so write it as the state wanted
    ("the server has dropped the connection"). ``last`` describes what was seen instead.
    The condition is always tried once more at the deadline, so a slow machine that gets
    there just in time passes.
    """
    sleep = pause or time.sleep
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            raise _failure(message, timeout, last)
        sleep(min(interval, left))  # the poll interval of a deadline-bound wait


def in_page(page: Any) -> Callable[[float], None]:
    """A pause for :func:`wait_until` that lets a Playwright page deliver its events meanwhile."""
    return lambda seconds: page.wait_for_timeout(seconds * 1000)


async def wait_until_async(
    condition: Callable[[], T],
    timeout: float,
    message: str,
    *,
    changed: asyncio.Event | None = None,
    last: Callable[[], Any] | None = None,
    interval: float = INTERVAL,
) -> T:
    """Like :func:`wait_until`, inside an event loop; ``changed`` wakes it as soon as something happens."""
    deadline = time.monotonic() + timeout
    while True:
        if changed is not None:
            changed.clear()
        value = condition()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            raise _failure(message, timeout, last)
        if changed is None:
            await asyncio.sleep(min(interval, left))  # the poll interval of a deadline-bound wait
        else:
            with contextlib.suppress(TimeoutError):  # the deadline check above decides
                await asyncio.wait_for(changed.wait(), left)
