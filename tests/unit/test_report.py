"""What the report prints beside the numbers (``workshop.domain.report``): charts and the top comments."""

from __future__ import annotations

from typing import Any

import pytest

from workshop.domain.report import REPORT_COMMENT_LIMIT, question_chart, top_comments


def _comment(cid: int, me_too: int) -> dict[str, Any]:
    return {"id": cid, "me_too": me_too, "text": f"comment {cid}"}


@pytest.mark.parametrize(
    ("support", "limit", "shown", "more"),
    [
        ([0, 5, 2], None, [2, 3, 1], 0),  # most "me too" first
        ([1, 1, 1], 2, [1, 2], 1),  # ties in id order, the rest counted
        ([3, 0], 5, [1, 2], 0),
        ([], 3, [], 0),
    ],
)
def test_top_comments_most_supported_first(support: list[int], limit: int | None, shown: list[int], more: int) -> None:
    comments = [_comment(i + 1, n) for i, n in enumerate(support)]
    printed, left = top_comments(comments, limit)
    assert [c["id"] for c in printed] == shown
    assert left == more


def test_report_limit_is_the_documented_twenty() -> None:
    assert REPORT_COMMENT_LIMIT == 20


def _question(**changes: Any) -> dict[str, Any]:
    question = {
        "key": "scale-trust",
        "hidden": False,
        "answered": {"count": 7},
        "multiple": False,
        "mean": None,
        "asked": [{"question": "Do you trust it?"}],
        "options": [{"key": "yes", "label": "Yes", "count": 4}, {"key": "no", "label": "No", "count": 3}],
    }
    return {**question, **changes}


def test_question_chart_draws_the_counts_with_its_title() -> None:
    svg = question_chart(_question(), "q1", 5)
    assert svg.startswith("<svg") and 'id="q1-title"' in svg
    assert "Do you trust it?" in svg and "Yes: 4" in svg and "No: 3" in svg


@pytest.mark.parametrize(
    "question",
    [None, _question(hidden=True), _question(answered={"count": 0})],
    ids=["missing", "hidden under k", "nobody answered"],
)
def test_question_chart_draws_nothing_it_may_not_show(question: dict[str, Any] | None) -> None:
    assert question_chart(question, "q", 5) == ""


def test_question_chart_draws_nothing_under_k_even_if_the_record_says_shown() -> None:
    # The chart goes through the same release rule as the projector: 7 answers, k = 8.
    assert question_chart(_question(), "q", 8) == ""
    assert question_chart(_question(), "q", 7).startswith("<svg")


def test_question_chart_falls_back_to_the_key_without_wording() -> None:
    assert "scale-trust" in question_chart(_question(asked=[]), "q", 5)
