"""Use cases: ``fn(db_session, ...) -> value``. Services never commit and never read the
request, the session or ``current_app``: the route or socket handler owns the transaction.
"""

from __future__ import annotations


class NotFound(LookupError):
    """The thing does not exist, or the caller may not see it (we never say which)."""


class Refused(ValueError):
    """A request we understood and will not carry out. The message is plain English."""
