"""Facilitator accounts: creation, passwords, and checking a login (throttling is in web/ratelimit)."""

from __future__ import annotations

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


def authenticate(db: DbSession, name: str, password: str) -> Facilitator | None:
    """Return the facilitator if the name and password match, else None (same work either way).

    There is no lock on the account: a lock that anyone could trigger from anywhere would let a
    stranger keep a facilitator out. Throttling is per (name, client address) pair, in the web
    layer (``web/ratelimit.login_wait``), and never touches the database.
    """
    facilitator = db.scalar(select(Facilitator).where(Facilitator.name == name.strip()))
    if facilitator is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if check_password_hash(facilitator.password_hash, password):
        return facilitator
    return None
