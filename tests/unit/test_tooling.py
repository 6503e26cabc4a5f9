"""The project's own checks: ruff (lint and format) clean, mypy strict on the pure domain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint_is_clean() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_is_strictly_typed() -> None:
    # The domain is pure code (STYLE.md); --follow-imports=silent keeps the check to it.
    result = _run("mypy", "--follow-imports=silent", "workshop/domain")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
