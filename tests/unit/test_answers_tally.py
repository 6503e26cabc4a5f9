"""Answer validation and counting, with plain values."""

from __future__ import annotations

from typing import Any

import pytest

from workshop.domain.answers import AnswerError, check_answer
from workshop.domain.charts import bar_chart_svg, describe
from workshop.domain.release import released_tally
from workshop.domain.tally import tally
from workshop.domain.vocabulary import TEXT_MAX

CHOICE = {"options": [{"key": "stop", "label": "Stop"}, {"key": "pause", "label": "Pause"}], "multiple": True}
SINGLE = {"options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}], "multiple": False}
SCALE = {"labels": ["n", "l", "s", "q", "v"]}


@pytest.mark.parametrize(
    ("ptype", "content", "payload", "key"),
    [
        ("position", {}, {"position": "consent"}, "consent"),
        ("position", {}, {"position": "pass"}, "pass"),
        ("position", {}, {"position": "object"}, "object"),
        ("position", {}, {"position": "object", "ground": "care", "reason": "Harms trust"}, "object"),
        ("position", {}, {"position": "conditions", "conditions": ["Only if checked", ""]}, "conditions"),
        ("position", {}, {"position": "conditions", "conditions": "Only if families are told"}, "conditions"),
        ("scale", SCALE, {"scale": "4"}, "4"),
        ("scale", SCALE, {"scale": 1}, "1"),
        ("choice", CHOICE, {"choices": ["pause", "stop"]}, "stop,pause"),
        ("choice", SINGLE, {"choices": "b"}, "b"),
        ("values", {}, {"values": ["protect", "care", "care"]}, "care,protect"),
        ("text", {"tag_values": True}, {"text": "  Too   risky ", "values": ["care"]}, None),
    ],
)
def test_good_answers(ptype: str, content: dict[str, Any], payload: dict[str, Any], key: str | None) -> None:
    assert check_answer(ptype, content, payload).key == key


def test_free_text_is_collected_for_screening() -> None:
    checked = check_answer("position", {}, {"position": "conditions", "conditions": ["A", "B "]})
    assert [(t.kind, t.text) for t in checked.texts] == [("condition", "A"), ("condition", "B")]
    checked = check_answer("position", {}, {"position": "object", "ground": "protect", "reason": "Unfair"})
    assert [(t.kind, t.text, t.values) for t in checked.texts] == [("objection", "Unfair", ("protect",))]
    assert checked.value == {"position": "object", "ground": "protect"}
    checked = check_answer("text", {"tag_values": True}, {"text": "Hi", "values": ["care"]})
    assert checked.texts[0].values == ("care",)


@pytest.mark.parametrize(
    ("ptype", "content", "payload", "message"),
    [
        ("position", {}, {"position": "maybe"}, "choose one"),
        ("position", {}, {}, "choose one"),
        ("position", {}, "consent", "could not read"),
        ("position", {}, {"position": "conditions", "conditions": ["", " "]}, "at least one condition"),
        ("position", {}, {"position": "conditions", "conditions": ["a", "b", "c", "d"]}, "at most 3"),
        ("position", {}, {"position": "conditions", "conditions": ["x" * (TEXT_MAX + 1)]}, "too long"),
        ("position", {}, {"position": "conditions", "conditions": [{"a": 1}]}, "not sent as text"),
        ("position", {}, {"position": "object", "ground": "anger"}, "reasons shown"),
        ("scale", SCALE, {"scale": "6"}, "1 to 5"),
        ("scale", SCALE, {"scale": "four"}, "1 to 5"),
        ("scale", SCALE, {"scale": True}, "1 to 5"),
        ("choice", CHOICE, {"choices": ["nope"]}, "options shown"),
        ("choice", CHOICE, {"choices": []}, "choose an option"),
        ("choice", SINGLE, {"choices": ["a", "b"]}, "just one"),
        ("values", {}, {"values": ["kindness"]}, "values shown"),
        ("values", {}, {"values": 5}, "values shown"),
        ("text", {}, {"text": "   "}, "write your comment"),
        ("text", {}, {"text": "x" * (TEXT_MAX + 1)}, "too long"),
        ("info", {}, {}, "does not take answers"),
    ],
)
def test_bad_answers_get_plain_messages(ptype: str, content: dict[str, Any], payload: Any, message: str) -> None:
    with pytest.raises(AnswerError) as caught:
        check_answer(ptype, content, payload)
    assert message in str(caught.value).lower()


def test_tally_counts_multi_choice_keys() -> None:
    counted = tally("choice", CHOICE, {"stop,pause": 2, "stop": 3, "pause": 1})
    assert counted.answered == 6
    assert [(o.key, o.count) for o in counted.options] == [("stop", 5), ("pause", 3)]
    assert counted.multiple


def test_tally_scale_mean_and_empty() -> None:
    counted = tally("scale", SCALE, {"1": 1, "5": 3})
    assert counted.mean == 4.0
    assert [o.count for o in counted.options] == [1, 0, 0, 0, 3]
    assert tally("scale", SCALE, {}).mean is None


def test_tally_position_order_and_text() -> None:
    counted = tally("position", {}, {"object": 2, "consent": 1})
    assert [o.key for o in counted.options] == ["consent", "conditions", "object", "unsure", "pass"]
    assert tally("text", {}, {None: 4}).answered == 4


def test_chart_is_accessible_svg_with_every_number() -> None:
    counted = released_tally(tally("position", {}, {"object": 2, "consent": 7}), 5)
    svg = bar_chart_svg(counted, "Can you live with <this>?")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "&lt;this&gt;" in svg and "<this>" not in svg
    text = describe(counted)
    assert "9 people answered" in text and "I object: 2" in text and "I can live with this: 7" in text
    assert describe(released_tally(tally("position", {}, {}), 5)) == "No answers yet."
