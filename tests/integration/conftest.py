"""Fixtures for the integration tests (helpers live in ``tests.support``)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.support import Factory, Live


@pytest.fixture
def owner(auth: Any) -> int:
    """A facilitator, logged in on the ``client``."""
    fid = auth.create()
    assert auth.login().status_code == 302
    return fid


@pytest.fixture
def live(app: Flask, owner: int, factory: Factory) -> Live:
    """A ready workshop (default pack, one card, moderation after showing) owned by ``owner``."""
    return factory.workshop(owner)
