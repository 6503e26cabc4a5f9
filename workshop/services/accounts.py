"""Facilitator accounts: creation, and login with throttling after repeated failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Facilitator
from . import DbSession, Refused

MIN_PASSWORD = 10
# A fixed hash to compare against when the name is unknown, so timing does not reveal names.
# werkzeug's scrypt defaults (N=2**15, r=8, p=1): about 85 ms a hash, on purpose. The test
# suite lowers the cost factor (still scrypt) so hundreds of logins do not take minutes.
HASH_METHOD = "scrypt"
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=HASH_METHOD)


def create_facilitator(db: DbSession, name: str, password: str) -> Facilitator:
    """Create a facilitator with a scrypt-hashed password."""
    name = name.strip()
    if not name or len(name) > 80:
        raise Refused("A facilitator name must be 1 to 80 characters.")
    if len(password) < MIN_PASSWORD:
        raise Refused(f"The password must be at least {MIN_PASSWORD} characters.")
    if db.scalar(select(Facilitator).where(Facilitator.name == name)):
        raise Refused(f"There is already a facilitator called {name}.")
    facilitator = Facilitator(name=name, password_hash=generate_password_hash(password, method=HASH_METHOD))
    db.add(facilitator)
    db.flush()
    return facilitator


def set_password(db: DbSession, facilitator: Facilitator, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Refused(f"The password must be at least {MIN_PASSWORD} characters.")
    facilitator.password_hash = generate_password_hash(password, method=HASH_METHOD)
    facilitator.failed_logins = 0
    facilitator.locked_until = None


class LoginThrottled(Refused):
    """Too many failed attempts for this account."""


def authenticate(
    db: DbSession,
    name: str,
    password: str,
    *,
    max_failures: int = 5,
    lock_minutes: int = 15,
    now: datetime | None = None,
) -> Facilitator | None:
    """Return the facilitator if the password is right; count failures and lock after too many."""
    now = now or datetime.now(UTC)
    facilitator = db.scalar(select(Facilitator).where(Facilitator.name == name.strip()))
    if facilitator is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if facilitator.locked_until and facilitator.locked_until > now:
        minutes = max(1, int((facilitator.locked_until - now).total_seconds() // 60) + 1)
        raise LoginThrottled(f"Too many wrong passwords. Please wait {minutes} minutes and try again.")
    if check_password_hash(facilitator.password_hash, password):
        facilitator.failed_logins = 0
        facilitator.locked_until = None
        return facilitator
    facilitator.failed_logins += 1
    if facilitator.failed_logins >= max_failures:
        facilitator.failed_logins = 0
        facilitator.locked_until = now + timedelta(minutes=lock_minutes)
    return None
