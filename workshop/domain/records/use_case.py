"""One use case's consent and concern records, from the steps, answers and comments about it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..vocabulary import OBJECTION_GROUNDS, POSITIONS, VALUES
from .questions import (
    NO_GROUND,
    NO_GROUND_LABEL,
    Context,
    asked_by_wording,
    build_question,
    comment_out,
    count,
    is_lifecycle,
    latest_answers,
    wording_of,
)
from .shapes import (
    AnswerIn,
    CardShown,
    CommentIn,
    CommentOut,
    ConcernRecord,
    ConsentRecord,
    Move,
    Movement,
    Objections,
    OptionResult,
    Participation,
    Question,
    RecordInput,
    StepAnswered,
    StepIn,
    UseCaseIn,
    UseCaseRecord,
)


def use_case_record(
    uc: UseCaseIn,
    steps: Sequence[StepIn],
    data: RecordInput,
    answers_by_step: Mapping[int, list[AnswerIn]],
    comments_by_step: Mapping[int, list[CommentIn]],
    register_of: Mapping[int, list[int]],
    workshop_label: Mapping[int, str],
) -> UseCaseRecord:
    k = data.consultation.k
    workshop_ids = tuple(sorted({s.workshop_id for s in steps}))
    people = {p.key: p for p in data.participants if p.workshop_id in workshop_ids}
    ctx = Context(k, people, dict(workshop_label))
    ordered = sorted(steps, key=lambda s: (workshop_ids.index(s.workshop_id), s.position))
    prompts = [s for s in ordered if s.kind == "prompt" and s.prompt_type]

    # Cards as shown, by version.
    cards: dict[Any, tuple[list[int], Mapping[str, Any]]] = {}
    for s in ordered:
        card = s.content.get("card")
        if isinstance(card, Mapping):
            entry = cards.setdefault(card.get("version"), ([], card))
            if s.workshop_id not in entry[0]:
                entry[0].append(s.workshop_id)
    cards_shown = tuple(
        CardShown(v if isinstance(v, int) else None, tuple(sorted(w)), dict(c))
        for v, (w, c) in sorted(cards.items(), key=lambda i: (i[0] is None, i[0] or 0))
    )

    def pairs(step_list: Iterable[StepIn]) -> list[tuple[StepIn, AnswerIn]]:
        return [(s, a) for s in step_list for a in answers_by_step.get(s.id, ()) if a.participant in people]

    # Positions: one final answer per person, and the "before" answers kept apart.
    final_steps = [s for s in prompts if s.prompt_type == "position" and s.content.get("phase") != "before"]
    before_steps = [s for s in prompts if s.prompt_type == "position" and s.content.get("phase") == "before"]
    final = latest_answers(pairs(final_steps))
    before = latest_answers(pairs(before_steps))
    positions = before_q = None
    if final_steps:
        positions = build_question(
            f"{uc.id}:positions",
            "position",
            "position",
            None,
            asked_by_wording(final_steps),
            final_steps[0].content,
            [(p, a.key) for p, a in sorted(final.items())],
            ctx,
        )
    if before_steps:
        before_q = build_question(
            f"{uc.id}:positions-before",
            "position-before",
            "position",
            "before",
            asked_by_wording(before_steps),
            before_steps[0].content,
            [(p, a.key) for p, a in sorted(before.items())],
            ctx,
        )
    movement = None
    if final_steps and before_steps:
        paired = [(before[p].key or "", final[p].key or "") for p in final if p in before]
        paired_count = count(len(paired), k)
        moves: tuple[Move, ...] = ()
        if paired_count.count is not None:
            tallied = Counter(paired)
            order = list(POSITIONS)
            moves = tuple(
                Move(b, a, n)
                for (b, a), n in sorted(
                    tallied.items(),
                    key=lambda i: (
                        order.index(i[0][0]) if i[0][0] in order else 99,
                        order.index(i[0][1]) if i[0][1] in order else 99,
                    ),
                )
            )
        movement = Movement(paired_count, moves)

    # Objections: the grounds chosen by those whose final position is "object".
    objectors = [a for a in final.values() if a.key == "object"]
    hidden = positions is None or positions.hidden
    ground_counts = Counter(a.ground if a.ground in OBJECTION_GROUNDS else NO_GROUND for a in objectors)
    grounds = tuple(
        OptionResult(g, label, None if hidden else ground_counts.get(g, 0))
        for g, label in [*OBJECTION_GROUNDS.items(), (NO_GROUND, NO_GROUND_LABEL)]
    )

    # Every other prompt: one question per distinct wording.
    groups: dict[tuple[Any, ...], list[StepIn]] = {}
    for s in prompts:
        if s.prompt_type != "position":
            groups.setdefault(wording_of(s), []).append(s)
    values_q: list[Question] = []
    stages_q: list[Question] = []
    scales_q: list[Question] = []
    choices_q: list[Question] = []
    # (order of the first step, entry): the participation list follows the order shown.
    answered_steps: list[tuple[int, StepAnswered]] = []
    if positions is not None:
        answered_steps.append(
            (
                ordered.index(final_steps[0]),
                StepAnswered(positions.id, positions.key, "position", positions.asked[0].question, positions.answered),
            )
        )
    if before_q is not None:
        answered_steps.append(
            (
                ordered.index(before_steps[0]),
                StepAnswered(before_q.id, before_q.key, "position", before_q.asked[0].question, before_q.answered),
            )
        )
    seen_ids: Counter[str] = Counter()
    for ident, group in groups.items():
        base, ptype = ident[0], group[0].prompt_type or ""
        seen_ids[base] += 1
        qid = f"{uc.id}:{base}" + (f"-{seen_ids[base]}" if seen_ids[base] > 1 else "")
        rows = pairs(group)
        if ptype == "text":
            answered_steps.append(
                (
                    ordered.index(group[0]),
                    StepAnswered(
                        qid,
                        base,
                        ptype,
                        str(group[0].content.get("question", "")),
                        count(len({a.participant for _, a in rows}), k),
                    ),
                )
            )
            continue
        latest = latest_answers(rows)
        q = build_question(
            qid,
            base,
            ptype,
            group[0].content.get("phase"),
            asked_by_wording(group),
            group[0].content,
            [(p, a.key) for p, a in sorted(latest.items())],
            ctx,
        )
        answered_steps.append(
            (ordered.index(group[0]), StepAnswered(qid, base, ptype, q.asked[0].question, q.answered))
        )
        if ptype == "values":
            values_q.append(q)
        elif ptype == "scale":
            scales_q.append(q)
        elif ptype == "choice" and is_lifecycle([(o.key, o.label) for o in q.options]):
            stages_q.append(q)
        else:
            choices_q.append(q)

    # Approved comments, by kind.
    step_by_id = {s.id: s for s in steps}
    conditions: list[CommentOut] = []
    reasons: list[CommentOut] = []
    comments: list[CommentOut] = []
    for s in ordered:
        for c in comments_by_step.get(s.id, ()):
            out = comment_out(c, step_by_id[c.step_id], register_of)
            {"condition": conditions, "objection": reasons}.get(c.kind, comments).append(out)
    tags = Counter(v for c in (*reasons, *comments) for v in c.values)
    comment_values = tuple(OptionResult(v, label, tags.get(v, 0)) for v, label in VALUES.items())

    participation = Participation(
        count(len(people), k),
        count(sum(p.consented for p in people.values()), k),
        tuple(entry for _, entry in sorted(answered_steps, key=lambda i: i[0])),
    )
    consent = ConsentRecord(
        participation, positions, before_q, movement, tuple(conditions), Objections(grounds, tuple(reasons))
    )
    concern = ConcernRecord(
        tuple(values_q), tuple(stages_q), tuple(scales_q), tuple(choices_q), comment_values, tuple(comments)
    )
    return UseCaseRecord(uc.id, uc.title, uc.version, uc.library_id, workshop_ids, cards_shown, consent, concern)
