"""Debian's Chromium for Playwright: where it is, how it is started, and what happens without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_chromium() -> None:
    """Skip the test without /usr/bin/chromium; in CI (``CI=true``) fail instead."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)
