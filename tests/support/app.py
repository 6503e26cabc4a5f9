"""Apps and databases for tests: one app per test, on its own database, never a global context.

By default a test's database is a fresh SQLite file; when ``WORKSHOP_TEST_DATABASE_URL``
points at PostgreSQL, it is a fresh schema there instead (dropped afterwards).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text

from workshop import create_app
from workshop.config import TestConfig

PG_URL = os.environ.get("WORKSHOP_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """The URL of an empty database for one test: a SQLite file in ``folder``, or a PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{folder / 'test.sqlite3'}"
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def make_app(database_url: str, **overrides: Any) -> Flask:
    """The real app on ``database_url`` with the test settings (CSRF off unless overridden)."""
    settings = TestConfig.from_env()
    settings.update({"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False, **overrides})
    return create_app(settings)


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)
