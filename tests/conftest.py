"""Shared fixtures, after the Flask tutorial: ``app``, ``client``, ``runner``, ``auth``.

Each test gets its own app and database. By default that is a fresh SQLite file; when
WORKSHOP_TEST_DATABASE_URL points at PostgreSQL, each test gets a fresh schema there.
Tests never push a global app context.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

import workshop.services.accounts as _accounts  # noqa: E402
from workshop import create_app
from workshop.config import TestConfig
from workshop.extensions import db

# Still scrypt, with a smaller cost factor: the production cost (about 85 ms a hash) would add
# minutes to a suite that logs in hundreds of times. Nothing here tests the cost itself.
_accounts.HASH_METHOD = "scrypt:1024:8:1"
_accounts._DUMMY_HASH = _accounts.generate_password_hash("not-a-real-password", method=_accounts.HASH_METHOD)

PG_URL = os.environ.get("WORKSHOP_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _database_url(tmp_path: Any) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Any) -> Iterator[str]:
    yield from _database_url(tmp_path)


def make_app(database_url: str, **overrides: Any) -> Flask:
    settings = TestConfig.from_env()
    settings.update({"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False, **overrides})
    return create_app(settings)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


class Auth:
    """Log a facilitator in and out through the real login form."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client

    def create(self, name: str = "alex", password: str = "correct horse battery") -> int:
        from workshop.services.accounts import create_facilitator

        with self.app.app_context():
            facilitator = create_facilitator(db.session, name, password)
            db.session.commit()
            return facilitator.id

    def login(
        self, name: str = "alex", password: str = "correct horse battery", client: FlaskClient | None = None
    ) -> Any:
        return (client or self.client).post("/login", data={"name": name, "password": password})

    def logout(self) -> Any:
        return self.client.post("/logout")


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> Auth:
    return Auth(app, client)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)
