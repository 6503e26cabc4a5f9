"""Static analysis: bandit finds nothing of medium severity or above in the app's code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bandit_is_clean_at_medium_and_above() -> None:
    result = subprocess.run(  # nosec B603: a fixed command, no shell, no user input
        [sys.executable, "-m", "bandit", "-q", "-r", "workshop", "-ll"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
