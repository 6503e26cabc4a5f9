"""Command-line tools: facilitator accounts, the demo, and ``run.py``'s first-run preparation."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.support import make_app
from workshop.config import ROOT
from workshop.extensions import db
from workshop.models import Consultation, Facilitator, UseCase, Workshop, WorkshopStep
from workshop.services.accounts import authenticate

GOOD = "a long enough password"


def _facilitators(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {f.name: f.password_hash for f in db.session.scalars(select(Facilitator))}


def test_create_reads_the_password_from_stdin(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["facilitator", "create", "sam"], input=GOOD + "\n")
    assert result.exit_code == 0, result.output
    assert "Facilitator sam created" in result.output
    assert GOOD not in result.output
    hashes = _facilitators(app)
    assert hashes["sam"].startswith("scrypt:")
    assert GOOD not in hashes["sam"]
    with app.app_context():
        assert authenticate(db.session, "sam", GOOD) is not None


def test_create_refuses_a_short_password(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["facilitator", "create", "sam"], input="short\n")
    assert result.exit_code != 0
    assert "The password must be at least 10 characters." in result.output
    assert "short" not in result.output.replace("The password must be at least", "")
    assert "Traceback" not in result.output
    assert _facilitators(app) == {}


def test_create_refuses_an_empty_password(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["facilitator", "create", "sam"], input="")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert _facilitators(app) == {}


def test_create_refuses_a_duplicate_name(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["facilitator", "create", "sam"], input=GOOD + "\n").exit_code == 0
    before = _facilitators(app)
    other = "another good password"
    result = runner.invoke(args=["facilitator", "create", "sam"], input=other + "\n")
    assert result.exit_code != 0
    assert "There is already a facilitator called sam." in result.output
    assert other not in result.output
    assert _facilitators(app) == before


def test_password_sets_a_new_password(app: Flask, runner: Any) -> None:
    runner.invoke(args=["facilitator", "create", "sam"], input=GOOD + "\n")
    new = "a brand new password"
    result = runner.invoke(args=["facilitator", "password", "sam"], input=new + "\n")
    assert result.exit_code == 0, result.output
    assert "Password changed for sam." in result.output
    assert new not in result.output
    with app.app_context():
        assert authenticate(db.session, "sam", GOOD) is None
        assert authenticate(db.session, "sam", new) is not None


def test_wrong_passwords_never_lock_the_account(app: Flask, runner: Any) -> None:
    runner.invoke(args=["facilitator", "create", "sam"], input=GOOD + "\n")
    with app.app_context():
        for _ in range(8):
            assert authenticate(db.session, "sam", "wrong password here") is None
        db.session.commit()
        assert db.session.scalar(select(Facilitator.locked_until)) is None
        assert authenticate(db.session, "sam", GOOD) is not None


def test_password_refuses_short_and_unknown(app: Flask, runner: Any) -> None:
    runner.invoke(args=["facilitator", "create", "sam"], input=GOOD + "\n")
    before = _facilitators(app)
    result = runner.invoke(args=["facilitator", "password", "sam"], input="tiny\n")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert "tiny" not in result.output
    result = runner.invoke(args=["facilitator", "password", "nobody"], input=GOOD + "\n")
    assert result.exit_code != 0
    assert "There is no facilitator called nobody." in result.output
    assert _facilitators(app) == before


def test_list_shows_names_in_order(runner: Any) -> None:
    for name in ("zoe", "amir", "kit"):
        runner.invoke(args=["facilitator", "create", name], input=GOOD + "\n")
    result = runner.invoke(args=["facilitator", "list"])
    assert result.exit_code == 0
    assert result.output.split() == ["amir", "kit", "zoe"]
    assert GOOD not in result.output


def test_demo_on_an_empty_database(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    match = re.search(r"Demo facilitator: (\S+)\s+password: (\S+)\s+join code: ([A-Z0-9]{6})", result.output)
    assert match, result.output
    name, password, code = match.groups()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 1
        consultation = db.session.scalar(select(Consultation))
        assert len([u for u in consultation.use_cases if not u.archived]) == 6
        assert len({u.library_id for u in consultation.use_cases}) == 6
        workshops = db.session.scalars(select(Workshop)).all()
        assert len(workshops) == 1
        assert workshops[0].status == "ready"
        assert workshops[0].join_code == code
        assert db.session.scalar(select(func.count()).select_from(WorkshopStep)) > 0
        assert authenticate(db.session, name, password) is not None


def test_demo_refuses_a_database_that_is_not_empty(app: Flask, runner: Any, auth: Any) -> None:
    auth.create()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "only made on an empty one" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0
        assert db.session.scalar(select(func.count()).select_from(UseCase)) == 0


def _prepare(db_url: str, tmp_path: Path) -> str:
    """Import run.py in a fresh interpreter and call ``prepare(app)`` (the server is not started)."""
    env = {
        **os.environ,
        "WORKSHOP_DATABASE_URL": db_url,
        "WORKSHOP_SECRET_KEY": "prepare-test-key",
        "PYTHONPATH": str(ROOT),
    }
    code = "import run\nfrom workshop.serve import prepare\nfor line in prepare(run.app):\n    print(line)\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_run_prepare_migrates_and_makes_the_demo_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'first-run.sqlite3'}"
    first = _prepare(db_url, tmp_path)
    login = re.search(r"Demo facilitator: (\S+)", first)
    password = re.search(r"Password:\s+(\S+)", first)
    code = re.search(r"Join code:\s+([A-Z0-9]{6})", first)
    assert login and password and code, first
    assert login.group(1) == "demo"

    app = make_app(db_url)
    with app.app_context():
        assert db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar()
        assert authenticate(db.session, "demo", password.group(1)) is not None
        assert db.session.scalar(select(Workshop.join_code)) == code.group(1)
        db.session.remove()
        db.engine.dispose()

    second = _prepare(db_url, tmp_path)
    assert "Database ready" in second
    assert password.group(1) not in second
    assert "Password:" not in second
