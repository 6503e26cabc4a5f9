"""The project's own checks: ruff (lint and format) clean; mypy strict on the domain and services."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from mypy.main import define_options

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint_is_clean() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_and_services_are_strictly_typed() -> None:
    # mypy's own --strict, not our config, so nothing in pyproject.toml can soften it.
    # --follow-imports=silent keeps the verdict to these two packages (STYLE.md).
    result = _run("mypy", "--strict", "--follow-imports=silent", "workshop/domain", "workshop/services")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_whole_package_type_checks_with_the_project_config() -> None:
    # Everything the services are called from (web adapters passing db.session, realtime,
    # the CLI) must agree with their signatures, and the strict override must hold.
    result = _run("mypy", "workshop")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_strict_override_spells_out_exactly_what_strict_means() -> None:
    """``strict = true`` in an override leaks to every module (python/mypy#11401), so the
    config lists the flags; they must be the ones this mypy's --strict turns on."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    (override,) = [o for o in config["overrides"] if "workshop.services.*" in o["module"]]
    assert {"workshop.domain.*", "workshop.services.*"} <= set(override["module"])
    assert all("strict" not in o for o in config["overrides"])
    _parser, _names, assignments = define_options()
    global_only = {"warn_redundant_casts"}  # mypy refuses it per module; it is set globally
    expected = {name: value for name, value in assignments if name not in global_only}
    listed = {name: value for name, value in override.items() if name != "module"}
    assert listed == expected
    assert all(config.get(name) is True for name in global_only)
