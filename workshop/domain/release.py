"""What a public screen may show of a question's answers: the one way the projector and phones get a tally.

The projector and the phones are seen by everyone in the room. While fewer than ``k`` people
(the consultation's ``k_threshold``) have answered a question, a count, bar, percentage or
table of their answers would tell the room what two or three people it can see chose. So:

* while ``0 < answered < k`` a public screen shows only "fewer than k answered": no count of
  answers, no tally, no chart and no chart table (:attr:`Released.tally` is ``None``);
* with nobody yet, it shows "0" and nothing else;
* from ``k`` answers on, the whole tally is shown, even when everyone gave the same answer:
  that is the finding, and it is a statement about at least ``k`` people.

The people counted are the people who answered that question: "I'd rather not say" is an
answer, a skipped question is not. The total is shown through the one suppression rule
(:func:`workshop.domain.suppression.suppress`), so it reads exactly as the record does.

Counts tied to one question (the "me too"s on its comments) follow the same answers:
:meth:`Released.count` gives them back only once the question's answers are shown.

**Results that move live.** Once results are on the big screen they could follow each new
answer, and then whoever sits beside someone would see which bar grew when they pressed. So
the big screen's results move in steps (:func:`released_live`): the results shown are kept
(``services.live`` stores them), and new ones replace them only once at least ``k`` people's
answers differ from the shown ones (new answers, changed answers and answers taken back all
count; an answer changed and changed back does not). Until then the screen keeps the earlier
results and says how many answers they are from. The number of people who have answered is
always live: it says nothing about what anyone chose.

The console is the facilitator's own screen and keeps exact live numbers; it never calls this.
Every public surface does: ``services.live`` builds the projector's payload and page from a
:class:`Released`, and :func:`workshop.domain.charts.bar_chart_svg` draws only a
:class:`Released` value, so a chart cannot be drawn from a raw tally by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .suppression import suppress
from .tally import Tally

__all__ = ["Released", "moves", "released_live", "released_tally"]


@dataclass(frozen=True)
class Released:
    """A tally as a public screen may show it (see the module docstring)."""

    k: int
    answered: int | None  # None while 0 < answered < k
    answered_display: str  # "12", "0" or "fewer than 5"
    tally: Tally | None  # None while fewer than k have answered
    # When the results shown are earlier ones (see released_live): how many answers they are from.
    results_of: int | None = None

    @property
    def hidden(self) -> bool:
        """True while the answers may not be shown (fewer than k answered, nobody included)."""
        return self.tally is None

    @property
    def notice(self) -> str | None:
        """What a screen says instead of the answers, or None when they are shown."""
        if self.hidden:
            return f"Results show once {self.k} people have answered."
        if self.results_of is not None:
            return (
                f"These results are from {self.results_of} answers. They change only after {self.k} more "
                "people answer or change their answer, so this screen never shows what one person chose."
            )
        return None

    def count(self, n: int) -> int | None:
        """A count tied to this question (e.g. its "me too"s): given only once its answers are shown."""
        return None if self.hidden else n

    def as_dict(self) -> dict[str, Any]:
        """The public payload: what the projector's ``tally`` event carries."""
        return {
            "answered": self.answered,
            "answered_display": self.answered_display,
            "hidden": self.hidden,
            "k": self.k,
            "notice": self.notice,
            "results_of": self.results_of,
            "results": self.tally.as_dict() if self.tally is not None else None,
        }


def released_tally(counted: Tally, k: int) -> Released:
    """Release a question's tally for a public screen: nothing of it while fewer than ``k`` answered."""
    total = suppress({}, k, total=counted.answered)
    if counted.answered < k:
        return Released(k, total.total, total.total_display, None)
    return Released(k, counted.answered, total.total_display, counted)


def moves(shown_total: int | None, differing: int, k: int) -> bool:
    """Whether counts a screen showed may be replaced: nothing of them was shown (none yet, or
    fewer than ``k`` in all, which no screen breaks down), or at least ``k`` people differ."""
    return shown_total is None or shown_total < k or differing >= k


def released_live(current: Tally, k: int, shown: Tally | None, differing: int) -> tuple[Released, bool]:
    """What the big screen shows of revealed results that may still be changing.

    ``shown`` is the tally last shown (None if none yet) and ``differing`` how many people's
    answers differ from it now (new, changed or taken back). Returns what to show, and whether
    ``current`` is now shown (so the caller stores it as the new ``shown``). New results replace
    the shown ones only when ``differing >= k``; with fewer than ``k`` answers nothing is shown.
    """
    if isinstance(differing, bool) or not isinstance(differing, int) or differing < 0:
        raise ValueError(f"differing must be a non-negative integer, not {differing!r}")
    now = released_tally(current, k)
    if now.hidden:
        return now, False
    if shown is None or moves(shown.answered, differing, k):
        return now, True  # nothing shown yet (a tally under k never is), or enough has changed
    if differing == 0:
        return now, False  # the same answers as those shown
    earlier = released_tally(shown, k)
    return replace(now, tally=earlier.tally, results_of=shown.answered), False
