"""Free text removed from a stored record after the retention period (domain.records.free_text)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from workshop.domain.records import RECORD_VERSION, free_texts, upgraded, without_free_text


def _comment(cid: int, text: str) -> dict[str, Any]:
    return {
        "id": cid,
        "kind": "comment",
        "step_key": "s",
        "question": "q",
        "text": text,
        "values": [],
        "me_too": 0,
        "register_items": [],
    }


def _record(kept: bool | None) -> dict[str, Any]:
    """A record with a comment in each of the four places comments live (``kept`` None: version 1.0)."""
    methods: dict[str, Any] = {"k_threshold": 5, "retention_days": 30}
    if kept is not None:
        methods["comments_kept_after_retention"] = kept
    return {
        "record_version": "1.0" if kept is None else RECORD_VERSION,
        "methods": methods,
        "use_cases": [
            {
                "consent": {
                    "conditions": [_comment(1, "condition one")],
                    "objections": {"grounds": [], "reasons": [_comment(2, "reason two")]},
                },
                "concern": {
                    "comment_values": [{"key": "care", "count": 3}],
                    "comments": [_comment(3, "comment three")],
                },
            }
        ],
        "general_comments": [_comment(4, "general four")],
        "register": [{"id": 9, "text": "The team's words", "sources": [1, 3], "me_too": 2}],
    }


ALL = ["condition one", "reason two", "comment three", "general four"]


def test_free_texts_finds_every_place_comments_live() -> None:
    assert sorted(free_texts(_record(True))) == sorted(ALL)


@pytest.mark.parametrize(
    ("kept", "keep", "left"),
    [
        (False, None, []),
        # The record says the team chose not to keep comments: none stay, whatever the screen says.
        (False, lambda entry: True, []),
        (True, None, []),  # no screen: nothing is kept (fails closed)
        (True, lambda entry: True, ALL),
        (True, lambda entry: entry["id"] % 2 == 1, ["condition one", "comment three"]),
        (None, lambda entry: True, []),  # a 1.0 record predates the choice: not kept
    ],
)
def test_without_free_text(kept: bool | None, keep: Any, left: list[str]) -> None:
    record = _record(kept)
    before = copy.deepcopy(record)
    out = without_free_text(record, keep)
    assert sorted(free_texts(out)) == sorted(left)
    assert record == before  # the input is not changed
    assert out["record_version"] == RECORD_VERSION
    assert out["methods"]["comments_kept_after_retention"] is bool(kept)
    # Counts and the team's register wording stay.
    assert out["use_cases"][0]["concern"]["comment_values"] == [{"key": "care", "count": 3}]
    assert out["register"] == before["register"]


def test_upgraded_adds_the_choice_to_a_version_1_0_record() -> None:
    out = upgraded(_record(None))
    assert out["record_version"] == RECORD_VERSION
    assert out["methods"]["comments_kept_after_retention"] is False
    assert sorted(free_texts(out)) == sorted(ALL)  # upgrading alone removes nothing
    assert upgraded(_record(True)) == _record(True)
