"""Record breakdowns are sized by who answered each question (record version 2.0), worked by hand.

Two workshops discuss one card; a scale question is asked only in the second. Everyone who
joined the first is a parent or a social worker too, so sized by who *joined*, "Parent"
would be a group of 8 whose column holds the answers of the 2 parents actually asked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from workshop.domain.records import (
    RECORD_VERSION,
    AnswerIn,
    ConsultationIn,
    ParticipantIn,
    RecordInput,
    StepIn,
    UseCaseIn,
    WorkshopIn,
    build_record,
)
from workshop.domain.records.upgrade import upgrade_record

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "record-schema.json").read_text())
CARD = {"title": "Triage score", "summary": "A score.", "version": 2, "id": 10}
SCALE = {"type": "scale", "labels": ["a", "b", "c", "d", "e"], "card": CARD}


def _record(
    only_here: dict[str, list[str]], k: int = 5, *, position: str = "object", check: bool = True
) -> dict[str, Any]:
    """Workshop 1: 6 parents and 5 social workers answer the position question. Workshop 2: the
    people in ``only_here`` (role -> scale answers; "" joined but skipped) answer a scale question
    asked only there, and the position question too."""
    steps = [
        StepIn(1, 1, 0, "position@1", "prompt", "position", 10, {"question": "Can you live with it?", "card": CARD}),
        StepIn(2, 2, 0, "position@1", "prompt", "position", 10, {"question": "Can you live with it?", "card": CARD}),
        StepIn(3, 2, 1, "extra@1", "prompt", "scale", 10, {"question": "Only asked here?", **SCALE}),
    ]
    people: list[ParticipantIn] = []
    answers: list[AnswerIn] = []
    for role, n in (("Parent", 6), ("Social worker", 5)):
        for _ in range(n):
            people.append(ParticipantIn(len(people) + 1, 1, role))
            answers.append(AnswerIn(len(people), 1, "consent"))
    for role, given in only_here.items():
        for value in given:
            people.append(ParticipantIn(len(people) + 1, 2, role))
            answers.append(AnswerIn(len(people), 2, position))
            if value:
                answers.append(AnswerIn(len(people), 3, value))
    data = RecordInput(
        ConsultationIn(1, "Riverside", "Riverside Council", "", k, 365),
        [UseCaseIn(10, "Triage score", 1, 3)],
        [WorkshopIn(1, "Evening", "three-tier", 1), WorkshopIn(2, "Morning", "three-tier", 1)],
        steps,
        people,
        answers,
    )
    out = build_record(data).as_dict()
    if check:
        jsonschema.validate(out, SCHEMA)
    return out


def _extra(record: dict[str, Any]) -> dict[str, Any]:
    [question] = record["use_cases"][0]["concern"]["scales"]
    return question


def _groups(breakdown: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], int]]:
    return {g["label"]: (tuple(g["merged"]), g["answered"]) for g in breakdown["groups"]}


def test_a_role_two_people_answered_is_not_shown_though_eight_joined() -> None:
    record = _record({"Parent": ["1", "1"], "Social worker": ["5"] * 5})
    q = _extra(record)
    assert q["answered"] == {"count": 7, "display": "7"}
    # Parent 2 < k is merged; "Other roles" of 2 would be the parents themselves, so the
    # social workers are merged too: one group, no breakdown.
    assert _groups(q["by_role"]) == {"Other roles": (("Parent", "Social worker"), 7)}
    assert {o["key"]: o["count"] for o in q["by_role"]["groups"][0]["options"]}["1"] == 2
    # The workshop breakdown is sized the same way: only Morning answered.
    assert _groups(q["by_workshop"]) == {"Morning": ((), 7)}
    # The position question, asked in both, still shows both roles (8 and 10 answered it).
    positions = record["use_cases"][0]["consent"]["positions"]
    assert _groups(positions["by_role"]) == {"Parent": ((), 8), "Social worker": ((), 10)}


def test_two_people_answered_shows_nothing_but_fewer_than_k() -> None:
    q = _extra(_record({"Parent": ["1", ""], "Social worker": ["5", "", "", ""]}))
    assert q["answered"] == {"count": None, "display": "fewer than 5"} and q["hidden"]
    assert q["by_role"] == q["by_workshop"] == {"possible": False, "groups": []}
    assert all(o["count"] is None for o in q["options"])


def test_skipping_is_not_answering_but_rather_not_say_is() -> None:
    # 5 parents joined the second workshop and 4 answered the scale question: the one who
    # skipped it does not count, so the parents (4 < k) are merged.
    q = _extra(_record({"Parent": ["1", "1", "2", "3", ""], "Social worker": ["5"] * 6}))
    assert _groups(q["by_role"]) == {"Other roles": (("Parent", "Social worker"), 10)}
    # "I'd rather not say" is an answer: 5 parents who said it make the parents 11 here.
    record = _record({"Parent": [""] * 5}, position="pass")
    positions = record["use_cases"][0]["consent"]["positions"]
    assert _groups(positions["by_role"])["Parent"] == ((), 11)
    parents = next(g for g in positions["by_role"]["groups"] if g["label"] == "Parent")
    assert {o["key"]: o["count"] for o in parents["options"]}["pass"] == 5


@pytest.mark.parametrize("k", [2, 3, 5])
def test_every_group_in_every_breakdown_has_k_who_answered(k: int) -> None:
    for parents in range(0, 7):
        for workers in range(0, 7):
            record = _record({"Parent": ["2"] * parents, "Social worker": ["4"] * workers}, k=k, check=False)
            for q in (_extra(record), record["use_cases"][0]["consent"]["positions"]):
                for breakdown in (q["by_role"], q["by_workshop"]):
                    assert all(g["answered"] >= k for g in breakdown["groups"]), (parents, workers, breakdown)
                    assert sum(g["answered"] for g in breakdown["groups"]) in (0, q["answered"]["count"])


# --------------------------------------------------------------------------- older stored records


def _old_group(label: str, joined: int, answered: int, merged: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "label": label,
        "merged": list(merged),
        "joined": {"count": joined, "display": str(joined)},
        "answered": answered,
        "options": [{"key": "consent", "label": "I can live with this", "count": answered}],
    }


def _old_record(*groups: dict[str, Any]) -> dict[str, Any]:
    return {
        "record_version": "1.0",
        "methods": {"k_threshold": 5},
        "use_cases": [{"consent": {"positions": {"by_role": {"possible": True, "groups": list(groups)}}}}],
    }


def test_an_older_record_keeps_a_breakdown_only_when_it_is_as_safe_by_who_answered() -> None:
    kept = upgrade_record(
        _old_record(_old_group("Parent", 9, 6), _old_group("Other roles", 7, 7, ("Carer", "Manager")))
    )
    assert kept is not None and kept["record_version"] == RECORD_VERSION
    groups = kept["use_cases"][0]["consent"]["positions"]["by_role"]["groups"]
    assert [(g["label"], g["answered"]) for g in groups] == [("Parent", 6), ("Other roles", 7)]
    assert all("joined" not in g for g in groups)
    withdrawn = {"possible": False, "groups": []}
    for unsafe in (
        _old_record(_old_group("Parent", 8, 2), _old_group("Social worker", 10, 5)),  # 2 parents answered
        _old_record(_old_group("Parent", 9, 6), _old_group("Other roles", 7, 6, ("Carer", "Manager"))),
    ):
        upgraded = upgrade_record(unsafe)
        assert upgraded is not None
        assert upgraded["use_cases"][0]["consent"]["positions"]["by_role"] == withdrawn
    assert upgrade_record({"record_version": "0.9"}) is None
