"""/healthz reports the Redis message queue when one is configured, and 503 when it stops answering.

Needs the local Redis (127.0.0.1:6379): without it the test skips, except in CI (``CI=true``).
"""

from __future__ import annotations

import os

import pytest
import redis
from flask import Flask

from tests.support import make_app
from workshop.extensions import db

REDIS_URL = os.environ.get("WORKSHOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = pytest.mark.services


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError) as exc:
        message = f"Redis is not running at {REDIS_URL} ({type(exc).__name__})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def _app(database_url: str, **overrides: object) -> Flask:
    app = make_app(database_url, **overrides)
    with app.app_context():
        db.create_all()
    return app


def test_healthz_reports_redis(redis_url: str, database_url: str) -> None:
    app = _app(database_url, MESSAGE_QUEUE=redis_url)
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    # The queue stops answering (a port nothing listens on): the probe says so, and 503.
    app.config["MESSAGE_QUEUE"] = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "unavailable"}


def test_healthz_without_a_queue_does_not_mention_redis(database_url: str) -> None:
    response = _app(database_url).test_client().get("/healthz")
    assert response.get_json() == {"status": "ok", "database": "ok"}
