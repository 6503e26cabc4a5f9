"""Shared fixtures, after the Flask tutorial: ``app``, ``client``, ``runner``, ``auth``, plus ``factory``.

Each test gets its own app and database (tests/support/app.py: a fresh SQLite file, or a
fresh PostgreSQL schema when WORKSHOP_TEST_DATABASE_URL is set). Tests never push a global
app context. Helpers are imported from ``tests.support``, never from this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import workshop.services.accounts as _accounts
from tests.support import Auth, Factory, fresh_database, make_app
from workshop.extensions import db

# Still scrypt, with a smaller cost factor: the production cost (about 85 ms a hash) would add
# minutes to a suite that logs in hundreds of times. Nothing here tests the cost itself.
_accounts.HASH_METHOD = "scrypt:1024:8:1"
_accounts._DUMMY_HASH = _accounts.generate_password_hash("not-a-real-password", method=_accounts.HASH_METHOD)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database(tmp_path) as url:
        yield url


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


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> Auth:
    return Auth(app, client)


@pytest.fixture
def factory(app: Flask) -> Factory:
    """The data factory (tests/support/factory.py) for this test's app."""
    return Factory(app)
