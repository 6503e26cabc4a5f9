"""Alembic: one head, and ``upgrade`` on an empty database gives exactly the models' schema."""

from __future__ import annotations

import logging

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tests.support import make_app
from workshop.config import ROOT
from workshop.extensions import db

MIGRATIONS = ROOT / "workshop" / "migrations"


def test_single_head() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    heads = script.get_heads()
    assert len(heads) == 1, f"Alembic has {len(heads)} heads: {heads}. Merge them."
    # Every revision is reachable from the head down to the base.
    revisions = list(script.walk_revisions())
    assert revisions and revisions[-1].down_revision is None


def test_upgrade_on_an_empty_database_gives_the_models_schema(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            diff = compare_metadata(context, db.metadata)
            head = context.get_current_revision()
        assert diff == [], f"the migrations and the models differ: {diff}"
        assert head == ScriptDirectory(str(MIGRATIONS)).get_current_head()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()


def test_downgrade_to_base_removes_every_table(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        # And back up again: the migrations are repeatable.
        flask_migrate.upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()


def test_migrating_does_not_silence_the_apps_loggers(database_url: str) -> None:
    # Alembic's env.py configures logging from alembic.ini; it must not disable loggers that
    # already exist, or errors in socket handlers would go unlogged after ``python run.py``.
    app = make_app(database_url)
    ours = [logging.getLogger(name) for name in ("workshop.web.sockets", "workshop.web.errors", "workshop.realtime")]
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()
    assert [logger.name for logger in ours if logger.disabled] == []
