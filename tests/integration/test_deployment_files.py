"""The deployment files the docs point at exist, parse and work: gunicorn.conf.py, compose.yaml, /healthz.

compose.yaml is checked by parsing only: no container engine runs on the machines this suite
runs on. gunicorn is started for real with the documented config.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import free_port, get, make_app, run_init, wait_until
from workshop.config import ENV_SETTINGS
from workshop.extensions import db
from workshop.models import Facilitator
from workshop.services.accounts import create_facilitator

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_name_only_files_that_exist() -> None:
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for name in ("gunicorn.conf.py", "compose.yaml", "docs/nginx.conf"):
        assert name in deployment
        assert (ROOT / name).is_file(), name


def test_compose_file_runs_the_locked_app_against_postgres_and_redis() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "redis", "app"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    app = services["app"]
    command = " ".join(app["command"])
    assert "--require-hashes -r requirements.txt" in command
    assert "python run.py --init" in command and "gunicorn -c gunicorn.conf.py run:app" in command
    env = app["environment"]
    assert (
        env["WORKSHOP_DATABASE_URL"].startswith("postgresql+psycopg://") and "@db:5432/" in env["WORKSHOP_DATABASE_URL"]
    )
    assert env["WORKSHOP_MESSAGE_QUEUE"] == "redis://redis:6379/0"
    assert {k for k in env if k.startswith("WORKSHOP_")} <= set(ENV_SETTINGS), "compose sets a variable the app ignores"
    # Published on the host's loopback only: HTTPS in front before anyone reaches it.
    assert all(str(port).startswith("127.0.0.1:") for port in app["ports"])
    assert {"db", "redis"} <= set(app["depends_on"])


@pytest.mark.slow
def _health(port: int, proc: subprocess.Popen[bytes], log: Path) -> tuple[int, bytes] | None:
    assert proc.poll() is None, "gunicorn stopped:\n" + log.read_text()
    try:
        return get(f"http://127.0.0.1:{port}/healthz", timeout=10)
    except OSError:
        return None


def test_gunicorn_with_the_documented_config_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    env.update(WORKSHOP_INSTANCE_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    init = run_init(env)
    assert init.returncode == 0 and "database up to date" in init.stdout, init.stdout + init.stderr
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "run:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        status, body = wait_until(
            lambda: _health(port, proc, log),
            90,
            "gunicorn answers /healthz",
            last=lambda: log.read_text()[-2000:],
        )
        assert status == 200
        assert b'"database":"ok"' in body.replace(b" ", b"")
        text = log.read_text()
        assert "gevent" in text.lower(), text
        assert not re.search(r"127\.0\.0\.1:\d+ - ", text), "an access log line (client address) was written"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, log.read_text()


def test_the_documented_sqlite_backup_copies_a_live_database_and_restores(tmp_path: Path) -> None:
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    code = re.search(r'python3 -c "([^"]+)"', deployment).group(1)
    live = tmp_path / "live.sqlite3"
    app = make_app(f"sqlite:///{live}")
    with app.app_context():
        db.create_all()
        create_facilitator(db.session, "alex", "correct horse battery")
        db.session.commit()
        # The app still has the database open, in WAL mode, with the row not yet checkpointed.
        assert (tmp_path / "live.sqlite3-wal").stat().st_size > 0
        backup = tmp_path / "backup.sqlite3"
        subprocess.run([sys.executable, "-c", code, str(live), str(backup)], check=True, timeout=60)
        db.session.remove()
        db.engine.dispose()
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    (restored_dir / "workshop.sqlite3").write_bytes(backup.read_bytes())
    restored = make_app(f"sqlite:///{restored_dir / 'workshop.sqlite3'}")
    with restored.app_context():
        assert [f.name for f in db.session.scalars(db.select(Facilitator))] == ["alex"]
        db.session.remove()
        db.engine.dispose()
