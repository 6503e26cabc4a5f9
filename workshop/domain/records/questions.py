"""One question's results: counts, the breakdowns by role and by workshop, and the wording asked.

The helpers every part of the record shares live here too: the one way a total is shown
(``count``, through the one suppression rule), labels, and grouping steps by wording.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..suppression import suppress, suppress_table
from ..tally import option_labels
from ..vocabulary import LIFECYCLE, NO_ROLE
from .shapes import (
    AnswerIn,
    Asked,
    Breakdown,
    CommentIn,
    CommentOut,
    Count,
    GroupResult,
    OptionResult,
    ParticipantIn,
    Question,
    StepIn,
    WorkshopIn,
)

OTHER_ROLES = "Other roles"
OTHER_WORKSHOPS = "Other workshops"
NO_GROUND = "none"
NO_GROUND_LABEL = "No reason chosen"

WAYS = {False: "On their own device", True: "Assisted (paper form or shared tablet)"}
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh"}


def iso(moment: datetime | None) -> str | None:
    """Return an ISO 8601 time in UTC with seconds, or None."""
    if moment is None:
        return None
    return moment.replace(microsecond=0).isoformat()


def count(n: int, k: int) -> Count:
    """Show a total, or "fewer than k" when it is under k (through the one suppression rule)."""
    shown = suppress({}, k, total=n)
    return Count(shown.total, shown.total_display)


def role_label(role: str | None) -> str:
    return role or NO_ROLE


def workshop_labels(workshops: Iterable[WorkshopIn]) -> dict[int, str]:
    items = list(workshops)
    seen = Counter(w.title for w in items)
    return {w.id: (w.title if seen[w.title] == 1 else f"{w.title} (workshop {w.id})") for w in items}


def sorted_counts(labels: Iterable[str]) -> dict[str, int]:
    """Count labels, in label order, so groups are listed the same way in every export."""
    return dict(sorted(Counter(labels).items()))


def _base_key(step_key: str) -> str:
    return step_key.split("@", 1)[0]


def _options(prompt_type: str, content: Mapping[str, Any]) -> list[tuple[str, str]]:
    return option_labels(prompt_type, content)


def is_lifecycle(options: Sequence[tuple[str, str]]) -> bool:
    return bool(options) and {k for k, _ in options} == set(LIFECYCLE)


@dataclass
class Context:
    """What every question of one use case is counted against."""

    k: int
    participants: dict[int, ParticipantIn]
    workshop_label: dict[int, str]


def _breakdown(
    answers: Sequence[tuple[int, str | None]],
    option_keys: Sequence[tuple[str, str]],
    group_of: Any,
    other_label: str,
    k: int,
) -> Breakdown:
    """Break one question's answers down by group, each group sized by the people who answered it.

    Who joined does not matter here: a question asked in only some workshops (or skipped by
    most of a role) must not show a role that two people answered as if it were the whole
    role. Every answer counts ("I'd rather not say" too); a skipped question does not.
    """
    rows: dict[str, dict[str, int]] = {}
    answered: Counter[str] = Counter()
    for participant, key in answers:
        group = group_of(participant)
        answered[group] += 1
        row = rows.setdefault(group, {key: 0 for key, _ in option_keys})
        for part in (key or "").split(","):
            if part in row:
                row[part] += 1
    ordered = dict(sorted(rows.items()))
    table = suppress_table(ordered, k, other_label=other_label, role_totals={g: answered[g] for g in ordered})
    if not table or all(not s.cells for s in table.values()):
        return Breakdown(False, ())
    labels = dict(option_keys)
    groups = []
    for label, result in table.items():
        assert result.total is not None  # a group shown, or merged, holds at least k answers
        groups.append(
            GroupResult(
                label,
                tuple(result.merged_roles),
                result.total,
                tuple(OptionResult(c.label, labels.get(c.label, c.label), c.count) for c in result.cells),
            )
        )
    return Breakdown(True, tuple(groups))


def build_question(
    qid: str,
    key: str,
    prompt_type: str,
    phase: str | None,
    asked: Sequence[Asked],
    content: Mapping[str, Any],
    answers: Sequence[tuple[int, str | None]],
    ctx: Context,
) -> Question:
    option_keys = _options(prompt_type, content)
    answered = count(len(answers), ctx.k)
    hidden = answered.count is None
    per_key: Counter[str] = Counter()
    for _participant, stored in answers:
        for part in (stored or "").split(","):
            if part:
                per_key[part] += 1
    options = tuple(OptionResult(o, label, None if hidden else per_key.get(o, 0)) for o, label in option_keys)
    mean = None
    if prompt_type == "scale" and answers and not hidden:
        mean = round(sum(int(o) * n for o, n in per_key.items() if o.isdigit()) / len(answers), 2)
    multiple = prompt_type == "values" or (prompt_type == "choice" and bool(content.get("multiple")))
    if hidden or not answers:
        by_role = by_workshop = Breakdown(False, ())
    else:
        by_role = _breakdown(answers, option_keys, lambda p: role_label(ctx.participants[p].role), OTHER_ROLES, ctx.k)
        by_workshop = _breakdown(
            answers,
            option_keys,
            lambda p: ctx.workshop_label[ctx.participants[p].workshop_id],
            OTHER_WORKSHOPS,
            ctx.k,
        )
    return Question(
        qid, key, prompt_type, phase, tuple(asked), answered, hidden, multiple, mean, options, by_role, by_workshop
    )


def asked_by_wording(steps: Sequence[StepIn]) -> tuple[Asked, ...]:
    """Group steps by wording: one entry per distinct (key, title, text, question)."""
    grouped: dict[tuple[str, str, str, str], list[int]] = {}
    for s in steps:
        c = s.content
        ident = (s.key, str(c.get("title", "")), str(c.get("text", "")), str(c.get("question", "")))
        grouped.setdefault(ident, [])
        if s.workshop_id not in grouped[ident]:
            grouped[ident].append(s.workshop_id)
    return tuple(Asked(k, t, x, q, tuple(sorted(w))) for (k, t, x, q), w in grouped.items())


def wording_of(step: StepIn) -> tuple[Any, ...]:
    c = step.content
    opts = tuple((o.get("key"), o.get("label")) for o in c.get("options", []) or [])
    return (
        _base_key(step.key),
        step.prompt_type,
        c.get("phase"),
        c.get("title"),
        c.get("text"),
        c.get("question"),
        opts,
        tuple(c.get("labels", []) or []),
        bool(c.get("multiple")),
        bool(c.get("tag_values")),
    )


def comment_out(c: CommentIn, step: StepIn, register_of: Mapping[int, list[int]]) -> CommentOut:
    return CommentOut(
        c.id,
        c.kind,
        step.key,
        str(step.content.get("question", "")),
        c.text,
        tuple(c.values),
        c.me_too,
        tuple(sorted(register_of.get(c.id, ()))),
    )


def latest_answers(answer_rows: Iterable[tuple[StepIn, AnswerIn]]) -> dict[int, AnswerIn]:
    """Each participant's answer to the latest step they answered."""
    best: dict[int, tuple[int, AnswerIn]] = {}
    for step, answer in answer_rows:
        held = best.get(answer.participant)
        if held is None or step.position > held[0]:
            best[answer.participant] = (step.position, answer)
    return {p: a for p, (_, a) in best.items()}
