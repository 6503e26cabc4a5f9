"""Fixtures for the real-browser tests: the real app server and Debian's Chromium.

``live_server`` runs ``python run.py`` through the suite's one launcher
(tests/support/server.py): a free port, its own SQLite file, the demo password and join code
it prints, ``/healthz`` waited for. The ``browser`` fixture launches /usr/bin/chromium through
Playwright (never a downloaded browser). Without Chromium the tests are skipped, except in CI
(``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import LiveServer, run_server
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, need_chromium


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    need_chromium()
    with run_server(tmp_path_factory.mktemp("live"), WORKSHOP_PUSH_INTERVAL="0.1") as server:
        assert server.password and server.join_code, f"no demo password or join code printed:\n{server.log()}"
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_chromium()
    from playwright.sync_api import expect, sync_playwright

    from .cg_browser import WAIT

    # Every expect() waits as long as the longest single thing may take on a busy machine.
    expect.set_options(timeout=WAIT)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
