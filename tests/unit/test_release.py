"""What a public screen may show of a question's answers (``workshop.domain.release``).

While fewer than k people have answered, the projector and the phones get "fewer than k"
and nothing of the answers: no counts, no chart, no chart table, no "me too" counts. From k
answers on the whole tally is shown, a unanimous one too. The last tests check that every
public surface gets its tally through ``released_tally`` (and charts only from its result).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from workshop.domain.charts import bar_chart_svg, describe
from workshop.domain.release import Released, released_live, released_tally
from workshop.domain.tally import Tally, tally

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("k", [2, 3, 5, 10])
def test_fewer_than_k_answered_shows_nothing_of_the_answers(k: int) -> None:
    for answered in range(1, k):
        released = released_tally(tally("position", {}, {"object": answered}), k)
        assert released.hidden
        assert released.answered is None and released.answered_display == f"fewer than {k}"
        assert released.tally is None and released.count(3) is None
        payload = released.as_dict()
        assert payload["results"] is None and payload["answered"] is None and payload["hidden"] is True
        assert payload["notice"] == f"Results show once {k} people have answered."
        assert bar_chart_svg(released, "Q") == ""
        assert describe(released) == f"Fewer than {k} people answered, so the answers are not shown."


def test_nobody_yet_shows_zero_and_no_chart() -> None:
    released = released_tally(tally("scale", {}, {}), 5)
    assert released.hidden and released.answered == 0 and released.answered_display == "0"
    assert bar_chart_svg(released, "Q") == "" and describe(released) == "No answers yet."


@pytest.mark.parametrize("k", [2, 5])
def test_k_answers_are_shown_even_when_unanimous(k: int) -> None:
    released = released_tally(tally("position", {}, {"object": k}), k)
    assert not released.hidden and released.notice is None
    assert released.answered == k and released.answered_display == str(k)
    assert released.tally is not None
    assert {o.key: o.count for o in released.tally.options}["object"] == k
    assert released.count(1) == 1  # a "me too" count of 1 among k answers is a cell, not a group
    svg = bar_chart_svg(released, "Q")
    assert svg.startswith("<svg") and f"I object: {k}" in svg
    assert released.as_dict()["results"]["options"][2] == {"key": "object", "label": "I object", "count": k}


def test_rather_not_say_counts_as_an_answer() -> None:
    released = released_tally(tally("position", {}, {"pass": 3, "consent": 2}), 5)
    assert not released.hidden and released.answered == 5


def _calls(path: Path, name: str) -> list[int]:
    """Line numbers where ``path`` calls a function called ``name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def test_only_the_live_service_reads_a_raw_tally() -> None:
    """``step_tally`` (exact counts) is read only by ``services/live.py``, which releases it for public screens."""
    callers = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "workshop").rglob("*.py")
        if "migrations" not in p.parts and _calls(p, "step_tally")
    }
    assert callers == {"workshop/services/live.py"}


def test_charts_are_drawn_only_from_a_released_tally() -> None:
    """Type-checked (mypy strict on the domain), and checked here in case a caller builds its own value."""
    callers = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "workshop").rglob("*.py")
        if p.name != "charts.py" and _calls(p, "bar_chart_svg")
    }
    assert callers == {"workshop/web/projector.py", "workshop/domain/report.py"}
    for caller in callers:
        source = (ROOT / caller).read_text(encoding="utf-8")
        assert any(name + "(" in source for name in ("released_tally", "public_tally", "revealed_tally")), caller
    # Only released_tally builds a Released value.
    builders = {str(p.relative_to(ROOT)) for p in (ROOT / "workshop").rglob("*.py") if _calls(p, Released.__name__)}
    assert builders == {"workshop/domain/release.py"}


def test_released_live_moves_only_after_k_differ() -> None:
    """The big screen's results: first shown at k answers, then kept until k people's answers differ."""
    content = {"question": "Can you live with this?"}
    k = 3

    def t(**counts: int) -> Tally:
        return tally("position", content, dict(counts))

    first, store = released_live(t(consent=3), k, None, 0)
    assert store and first.tally == t(consent=3) and first.results_of is None
    # Fewer than k differ: the earlier results, with how many answers they are from.
    for differing in range(1, k):
        kept, store = released_live(t(consent=3, object=differing), k, t(consent=3), differing)
        assert not store and kept.tally == t(consent=3) and kept.results_of == 3
        assert kept.answered == 3 + differing  # how many answered is always live
        assert kept.notice is not None and "from 3 answers" in kept.notice
    moved, store = released_live(t(consent=3, object=3), k, t(consent=3), 3)
    assert store and moved.tally == t(consent=3, object=3) and moved.results_of is None
    # Nothing differs: the same results, nothing to store.
    same, store = released_live(t(consent=3), k, t(consent=3), 0)
    assert not store and same.tally == t(consent=3) and same.notice is None
    # Under k answered now: nothing of the answers, whatever was shown before.
    hidden, store = released_live(t(consent=2), k, t(consent=3), 1)
    assert hidden.hidden and not store
    # An earlier tally under k was never shown, so the first results of k or more are shown.
    shown, store = released_live(t(consent=4), k, t(consent=2), 2)
    assert store and shown.tally == t(consent=4)
    with pytest.raises(ValueError):
        released_live(t(consent=3), k, None, -1)
