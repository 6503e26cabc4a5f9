"""Pack and card validation: every bad pack names its file, step and field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from workshop.domain.packs import PackError, parse_card, parse_pack, plan_steps

GOOD: dict[str, Any] = {
    "id": "mini",
    "version": 1,
    "title": "Mini pack",
    "description": "A small pack for tests.",
    "participation_level": "consult",
    "opening": [{"id": "hello", "kind": "info", "title": "Hello", "text": "Hi there.", "notes": "Say hello."}],
    "per_use_case": [
        {"id": "card", "kind": "card", "notes": "Read the card."},
        {
            "id": "where",
            "kind": "prompt",
            "type": "choice",
            "title": "Where",
            "question": "Where could it go wrong?",
            "options_from": "lifecycle",
            "multiple": True,
            "notes": "n",
        },
        {
            "id": "worry",
            "kind": "prompt",
            "type": "scale",
            "title": "Worry",
            "question": "How worried are you?",
            "labels": ["a", "b", "c", "d", "e"],
            "notes": "n",
        },
        {
            "id": "live-with",
            "kind": "prompt",
            "type": "position",
            "title": "Can you live with it?",
            "question": "Can you live with this?",
            "notes": "n",
            "phase": "before",
        },
    ],
    "closing": [],
}


def test_good_pack_parses_and_expands() -> None:
    pack = parse_pack(GOOD, "prompts/packs/mini.yaml")
    assert [s.id for s in pack.all_steps()] == ["hello", "card", "where", "worry", "live-with"]
    steps = plan_steps(pack, 2)
    assert [p.key for p in steps] == [
        "hello",
        "card@1",
        "where@1",
        "worry@1",
        "live-with@1",
        "card@2",
        "where@2",
        "worry@2",
        "live-with@2",
    ]
    assert steps[2].step.content()["options"][0] == {"key": "problem", "label": "Deciding what problem to solve"}


def _bad(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    target: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if value is KeyError:
        del target[int(last) if last.isdigit() else last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


BAD_PACKS = [
    # (path to change, new value, step named in the error, field named in the error)
    ("id", "Bad ID", None, "id"),
    ("version", 0, None, "version"),
    ("version", "one", None, "version"),
    ("title", KeyError, None, "title"),
    ("participation_level", "shout", None, "participation_level"),
    ("per_use_case", [], None, "per_use_case"),
    ("per_use_case", "card", None, "per_use_case"),
    ("colour", "red", None, "colour"),
    ("opening.0.kind", "video", "hello", "kind"),
    ("opening.0.kind", "card", "hello", "kind"),
    ("opening.0.notes", KeyError, "hello", "notes"),
    ("opening.0.text", "", "hello", "text"),
    ("per_use_case.1.type", "poll", "where", "type"),
    ("per_use_case.1.question", KeyError, "where", "question"),
    ("per_use_case.1.options_from", "stages", "where", "options_from"),
    ("per_use_case.1.multiple", "yes", "where", "multiple"),
    ("per_use_case.2.labels", ["a", "b"], "worry", "labels"),
    ("per_use_case.2.labels", ["a", "b", "c", "d", 5], "worry", "labels"),
    ("per_use_case.3.phase", "during", "live-with", "phase"),
    ("per_use_case.3.labels", ["a", "b", "c", "d", "e"], "live-with", "labels"),
    ("per_use_case.0.question", "Why?", "card", "question"),
    ("per_use_case.2.id", "where", "where", "id"),
    ("per_use_case.1.id", "Where Now", "per_use_case[2]", "id"),
]


@pytest.mark.parametrize(("path", "value", "step", "field"), BAD_PACKS)
def test_bad_pack_names_file_step_and_field(path: str, value: Any, step: str | None, field: str) -> None:
    with pytest.raises(PackError) as caught:
        parse_pack(_bad(path, value), "prompts/packs/mini.yaml")
    error = caught.value
    assert error.file == "prompts/packs/mini.yaml"
    assert error.field == field
    assert "prompts/packs/mini.yaml" in str(error)
    assert f"'{field}'" in str(error)
    if step:
        assert error.step is not None and step in error.step


def test_choice_options_are_checked() -> None:
    data = copy.deepcopy(GOOD)
    where = data["per_use_case"][1]
    del where["options_from"]
    where["options"] = [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}]
    with pytest.raises(PackError, match="used twice"):
        parse_pack(data, "x.yaml")
    where["options"] = [{"key": "a", "label": "A"}]
    with pytest.raises(PackError, match="2 to 12"):
        parse_pack(data, "x.yaml")
    where["options"] = [{"key": "a", "label": "A"}, {"key": "b"}]
    with pytest.raises(PackError, match="key and a label"):
        parse_pack(data, "x.yaml")


def test_not_a_mapping() -> None:
    with pytest.raises(PackError, match="mapping"):
        parse_pack(["a list"], "x.yaml")
    with pytest.raises(PackError, match="mapping"):
        parse_card("text", "c.yaml")


CARD = {
    "id": "c",
    "version": 2,
    "title": "T",
    "summary": "S",
    "benefit": "B",
    "computer_does": "C",
    "decision": "D",
    "data_used": "Da",
    "who_affected": "W",
    "wrong_false_alarm": "F",
    "wrong_missed": "M",
    "who_sees": "Ws",
    "challenge": "Ch",
}


def test_card_parses_with_optional_parallel() -> None:
    card = parse_card(CARD, "c.yaml")
    assert card.version == 2 and card.fields["parallel"] == ""


@pytest.mark.parametrize("missing", ["title", "summary", "wrong_missed", "challenge"])
def test_card_missing_field(missing: str) -> None:
    data = dict(CARD)
    del data[missing]
    with pytest.raises(PackError) as caught:
        parse_card(data, "c.yaml")
    assert caught.value.field == missing
