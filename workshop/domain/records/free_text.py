"""Free text in a stored record, after the retention period.

Design decision: the record is handled as the plain JSON dict it is stored and exported as, so
one function cleans a record built now and a snapshot stored months ago by an earlier
version alike. Free text in a record is the approved comments (conditions, objection reasons,
concern comments and general comments). After the retention period they all go, unless the
project team chose to keep them; then only those the caller's fresh screen passes stay. The
register is the team's own words and is not touched here (withdrawal handles wording copied
from a comment, see ``services/participation.py``).

Older records are upgraded on the way: a 1.0 record predates the choice, so it says comments
were not kept, and after the retention period its comments go.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .upgrade import upgrade_record

# Decides whether one comment entry (a dict with ``id``, ``kind`` and ``text``) may stay.
KeepComment = Callable[[Mapping[str, Any]], bool]


def comment_lists(record: Mapping[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Yield every list of comment entries in a record (the lists themselves, to edit in place)."""
    for use_case in record.get("use_cases", []):
        consent = use_case.get("consent", {})
        yield consent.setdefault("conditions", [])
        yield consent.setdefault("objections", {}).setdefault("reasons", [])
        yield use_case.get("concern", {}).setdefault("comments", [])
    if isinstance(record, dict):
        yield record.setdefault("general_comments", [])


def free_texts(record: Mapping[str, Any]) -> list[str]:
    """Return every comment's text in a record."""
    return [str(entry.get("text", "")) for entries in comment_lists(copy.deepcopy(dict(record))) for entry in entries]


def upgraded(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of a stored record in the current format (unknown versions unchanged)."""
    out = upgrade_record(record)
    return out if out is not None else copy.deepcopy(dict(record))


def without_free_text(record: Mapping[str, Any], keep: KeepComment | None = None) -> dict[str, Any]:
    """Return a copy of the record with its comments removed, except those ``keep`` passes.

    With ``keep`` None every comment goes. The record's statement of the team's choice is
    taken from the record itself: a record that says comments are not kept keeps none,
    whatever ``keep`` says.
    """
    out = upgraded(record)
    if not out.get("methods", {}).get("comments_kept_after_retention", False):
        keep = None
    for entries in comment_lists(out):
        entries[:] = [entry for entry in entries if keep is not None and keep(entry)]
    return out
