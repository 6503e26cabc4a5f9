"""Migrations bring a database made by the last release up to date without losing anything.

``tests/data/release-0.1.0.sqlite.sql`` is a dump (``sqlite3 .dump``) of a database made by the
0.1.0 release (schema revision ``3e39cf11457a``): the demo consultation, seven participants with
roles and answers to the position question, conditions and an objection. Every later migration
must carry it forward: the same rows, readable through today's models and services.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from tests.support import make_app
from workshop.config import PACKAGE
from workshop.extensions import db
from workshop.models import Comment, Participant, Response, Workshop, WorkshopStep
from workshop.services.participation import step_tally

DUMP = Path(__file__).resolve().parents[1] / "data" / "release-0.1.0.sqlite.sql"
RELEASE_REVISION = "3e39cf11457a"
TABLES = ("facilitator", "consultation", "use_case", "workshop", "workshop_step", "participant", "response", "comment")


def _counts(con: sqlite3.Connection) -> dict[str, int]:
    return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}  # noqa: S608 - fixed names


def test_a_release_database_upgrades_to_head_with_every_row(tmp_path: Path) -> None:
    path = tmp_path / "release.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(DUMP.read_text(encoding="utf-8"))
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == RELEASE_REVISION
    before = _counts(con)
    con.close()
    assert before["response"] == 7 and before["participant"] == 7 and before["comment"] == 3

    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade(directory=str(PACKAGE / "migrations"))
        head = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_current_head()
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        for table, count in before.items():
            assert db.session.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar() == count, table  # noqa: S608
        # Today's models and services read the old rows.
        workshop = db.session.scalars(select(Workshop)).one()
        assert {p.role for p in db.session.scalars(select(Participant))} <= set(workshop.roles)
        step = db.session.scalar(
            select(WorkshopStep).where(WorkshopStep.workshop_id == workshop.id, WorkshopStep.prompt_type == "position")
        )
        tally = step_tally(db.session, step)
        assert tally.answered == 7
        assert {o.key: o.count for o in tally.options if o.count} == {
            "consent": 2,
            "conditions": 1,
            "object": 2,
            "unsure": 1,
            "pass": 1,
        }
        assert db.session.scalar(select(func.count()).select_from(Response)) == 7
        texts = sorted(c.text for c in db.session.scalars(select(Comment)))
        assert "only if a social worker always checks the score" in texts
        db.session.remove()
        db.engine.dispose()
