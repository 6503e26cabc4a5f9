"""Use cases: ``fn(db_session, ...) -> value``. Services never commit and never read the
request, the session or ``current_app``: the route or socket handler owns the transaction.

Every service takes its database session as a :data:`DbSession`: a SQLAlchemy ``Session``,
or Flask-SQLAlchemy's ``db.session``, the scoped proxy that adapters hold, which forwards each
call to the current request's (or greenlet's) ``Session``. Naming both keeps the type honest
without making every adapter unwrap the proxy; the type checker then proves each service
uses only what both of them offer.
"""

from __future__ import annotations

from typing import TypeAlias

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import Session, scoped_session

DbSession: TypeAlias = Session | scoped_session[FlaskSession]


class NotFound(LookupError):
    """The thing does not exist, or the caller may not see it (we never say which)."""


class Refused(ValueError):
    """A request we understood and will not carry out. The message is plain English."""
