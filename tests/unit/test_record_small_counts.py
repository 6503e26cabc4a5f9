"""Which counts in the record can be smaller than k: exactly the ones the report lists.

The report's "Small groups" section says no role, workshop or other group of fewer than k
people is shown on its own, and then names the other counts that can be small (how many
chose each answer once k answered, withdrawals, voided joins, "me too"s, register support,
value tags, moderation decisions). This test builds a record full of small numbers and walks
every number in it, so a new small count cannot reach the record without the report saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workshop.domain.records import (
    AnswerIn,
    CommentIn,
    ConsultationIn,
    ParticipantIn,
    RecordInput,
    StepIn,
    UseCaseIn,
    WorkshopIn,
    build_record,
)
from workshop.domain.records.shapes import ModerationIn, RegisterIn

K = 5
CARD = {"title": "Triage score", "summary": "A score.", "version": 2, "id": 10}
# Numbers that are not counts of people: ids, versions, settings, order.
NOT_COUNTS = {
    "id",
    "k_threshold",
    "retention_days",
    "version",
    "pack_version",
    "position",
    "workshop_count",
    "current_version",
    "expected",
    "join_cap",
}
# The counts the report says can be smaller than k, by where they sit in the record, and the
# words of the report's "Small groups" section that name them.
MAY_BE_SMALL = {
    "options[].count": "how many people chose each answer or reason for objecting, once at least {{ k }} people",
    "grounds[].count": "how many people chose each answer or reason for objecting, once at least {{ k }} people",
    "moves[].count": "how many people chose each answer or reason for objecting, once at least {{ k }} people",
    "participation.withdrew": "how many people took back their answers",
    "workshops[].withdrew": "how many people took back their answers",
    "voided[].count": "how many joins were voided",
    "comments[].me_too": 'how many "me too"s a comment got',
    "conditions[].me_too": 'how many "me too"s a comment got',
    "reasons[].me_too": 'how many "me too"s a comment got',
    "register[].me_too": 'how many comments and "me too"s a register item has',
    "comment_values[].count": "how many comments were tagged with each value",
    "moderation[].count": "how often each moderation decision was made",
}
REPORT = Path(__file__).resolve().parents[2] / "templates" / "exports" / "_report_body.html"
# Where a count of people choosing an answer needs at least k answered to be shown.
NEEDS_K_ANSWERED = ("options[].count", "grounds[].count", "moves[].count")


def _small_record() -> dict[str, Any]:
    """Six parents, five social workers, two carers; one condition, one objection, one withdrawal, one void."""
    steps = [
        StepIn(1, 1, 0, "position@1", "prompt", "position", 10, {"question": "Can you live with it?", "card": CARD}),
        StepIn(2, 1, 1, "comment@1", "prompt", "text", 10, {"question": "Anything else?", "card": CARD}),
    ]
    roles = ["Parent"] * 6 + ["Social worker"] * 5 + ["Carer"] * 2
    people = [ParticipantIn(n, 1, role) for n, role in enumerate(roles, 1)]
    answers = [AnswerIn(1, 1, "object", "care"), AnswerIn(2, 1, "conditions")]
    answers += [AnswerIn(n, 1, "consent") for n in range(3, len(roles) + 1)]
    data = RecordInput(
        ConsultationIn(1, "Riverside", "Riverside Council", "", K, 365),
        [UseCaseIn(10, "Triage score", 1, 3)],
        [WorkshopIn(1, "Evening", "three-tier", 1, withdrew=1, voided=((2, "a burst of joins"),))],
        steps,
        people,
        answers,
        comments=[
            CommentIn(1, 1, "condition", "Only if families are told.", me_too=1),
            CommentIn(2, 1, "objection", "It could be unfair.", values=("care",), me_too=2),
            CommentIn(3, 2, "comment", "Ask us again next year.", values=("respect",), me_too=3),
        ],
        register=[RegisterIn(1, 10, "condition", "Tell families about the score.", sources=(1,))],
        moderation=[ModerationIn("shown", None, 1)],
    )
    return build_record(data).as_dict()


def _numbers(value: Any, path: str = "", question: Any = None) -> Iterator[tuple[str, int, Any]]:
    """Every whole number in the record: (its path with list positions as [], value, nearest question)."""
    if isinstance(value, dict):
        question = value if "answered" in value or "paired" in value else question
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}" if path else key, question)
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, int):  # a list of whole numbers is a list of ids
                yield from _numbers(item, f"{path}[]", question)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield path, value, question


def _answered(question: dict[str, Any]) -> int:
    """How many answered: a question's count ({"count", "display"}), or a breakdown group's number."""
    answered = question["answered"] if "answered" in question else question["paired"]
    return answered if isinstance(answered, int) else int(answered["count"] or 0)


def test_every_count_under_k_is_one_the_report_names() -> None:
    record = _small_record()
    small: dict[str, str] = {}
    for path, value, question in _numbers(record):
        if path.rsplit(".", 1)[-1] in NOT_COUNTS or not 0 < value < K:
            continue
        kind = next((tail for tail in MAY_BE_SMALL if path.endswith(tail)), None)
        assert kind is not None, f"{path} = {value}: a count under {K} the report's Small groups section does not name"
        if kind == "grounds[].count":  # shown only with the positions they are reasons for
            question = record["use_cases"][0]["consent"]["positions"]
        if kind in NEEDS_K_ANSWERED:
            assert question is not None and _answered(question) >= K, path
        small[kind] = path
    # The record really holds each kind the report names, so this test can fail.
    for kind in ("options[].count", "grounds[].count", "participation.withdrew", "voided[].count"):
        assert kind in small, kind
    for kind in ("me_too", "comment_values[].count", "moderation[].count"):
        assert any(kind in found for found in small), kind


def test_the_report_names_each_count_that_can_be_small() -> None:
    report = " ".join(REPORT.read_text(encoding="utf-8").split())
    for where, words in MAY_BE_SMALL.items():
        assert words in report, where


def test_a_group_of_fewer_than_k_is_never_counted_on_its_own() -> None:
    """Groups (roles, workshops, ways of taking part, languages) hold at least k, merged if need be."""
    found = list(_groups(_small_record()))
    assert found
    for label, _merged, shown in found:
        assert shown is None or shown >= K, label
        assert label != "Carer", "the two carers are never a group of their own"
    assert any("Carer" in merged for _, merged, _ in found)


def _groups(value: Any) -> Iterator[tuple[str, list[str], int | None]]:
    """Every group count: a breakdown's ``answered`` or a participation table's ``count``."""
    if isinstance(value, dict):
        if "label" in value and "merged" in value:
            yield value["label"], value["merged"], value.get("answered", value.get("count"))
        for item in value.values():
            yield from _groups(item)
    elif isinstance(value, list):
        for item in value:
            yield from _groups(item)
