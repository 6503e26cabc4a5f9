"""Every ``flask --app workshop ...`` command the docs name works after ``python run.py``.

A newcomer runs ``python run.py`` once, then the commands the README and docs give, with no
extra environment variable: they must all find the secret key ``run.py`` kept, and fail with a
plain sentence (never a traceback) when they truly cannot run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import start_server

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

pytestmark = pytest.mark.slow


def _env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    env.update(WORKSHOP_INSTANCE_DIR=str(instance), FLASK_SKIP_DOTENV="1", PYTHONUNBUFFERED="1")
    return env


def _flask(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "workshop", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _run_py_once(instance: Path, env: dict[str, str]) -> str:
    """Start ``python run.py`` as a newcomer would (no secret key given), wait until it serves, stop it."""
    server_env = {**env, "WORKSHOP_DATABASE_URL": f"sqlite:///{instance / 'workshop.sqlite3'}"}
    server = start_server(instance.parent, server_env, name="newcomer")
    try:
        server.wait_healthy()
        return server.log(lines=10_000)
    finally:
        server.stop()


def _documented_subcommands() -> set[str]:
    """The first word after ``flask --app workshop`` everywhere the docs name a command."""
    found: set[str] = set()
    for doc in DOCS:
        found |= set(re.findall(r"flask --app workshop ([a-z][a-z-]*)", doc.read_text(encoding="utf-8")))
    return found


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    assert result.returncode == 0, out
    return out


def test_without_a_key_the_commands_say_what_to_do(tmp_path: Path) -> None:
    result = _flask(_env(tmp_path / "instance"), "facilitator", "list")
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in out
    assert "There is no secret key yet. Run `python run.py` once" in out


def test_every_documented_command_runs_after_run_py(tmp_path: Path) -> None:
    env = _env(tmp_path / "instance")
    started = _run_py_once(tmp_path / "instance", env)
    assert "Demo facilitator: demo" in started
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0  # owner-only

    tried: set[str] = set()

    def flask(*args: str, stdin: str = "") -> str:
        tried.add(args[0])
        return _ok(_flask(env, *args, stdin=stdin))

    password = "a-long-enough-password-123\n" * 2
    assert "Facilitator alex created" in flask("facilitator", "create", "alex", stdin=password)
    assert "Password changed for demo" in flask("facilitator", "password", "demo", stdin=password)
    assert "alex" in flask("facilitator", "list").split()
    flask("db", "upgrade")
    record = tmp_path / "record.zip"
    flask("export", "1", "--format", "json", "--output", str(record))
    flask("export", "1", "--format", "csv", "--output", str(tmp_path / "tables.zip"))
    flask("export", "1", "--format", "pdf", "--output", str(tmp_path / "report.pdf"))
    assert record.stat().st_size > 0 and (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    flask("verify-export", str(record))
    flask("purge", "--dry-run")
    flask("purge")
    # The demo is made only on an empty database: a plain refusal, not a traceback.
    refused = _flask(env, "demo")
    assert refused.returncode != 0 and "Traceback" not in refused.stdout + refused.stderr
    assert "only made on an empty one" in refused.stdout + refused.stderr
    tried.add("demo")

    missing = _documented_subcommands() - tried
    assert not missing, f"documented but not tried here: {sorted(missing)}"
