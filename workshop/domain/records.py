"""The consultation's record: consent and concern records per use case, and the conditions register.

Pure: the input is plain rows (:class:`RecordInput`) a service loaded from the database; the
output is a frozen :class:`ConsultationRecord` whose ``as_dict()`` is the JSON record
described by ``docs/record-schema.json``. The same value feeds the JSON, CSV, HTML and PDF
exports, so the four can never disagree.

Design decisions:

* **One suppression rule.** Every count that could single out a small group goes through
  :mod:`workshop.domain.suppression` and nothing else. A total under ``k`` (people who
  joined, people who answered a question) is shown as "fewer than k" and its breakdown is
  withheld. Breakdowns by role use ``suppress_table`` with the respondents per role taken as
  the people who *joined* the workshops that discussed the use case: that base is the same
  for every question about the use case, so the same roles are hidden everywhere and one
  question's breakdown cannot be subtracted from another's. Workshops are treated the same
  way (a workshop with fewer than ``k`` people is merged into "Other workshops").
* **Positions are one per person.** Each person's position on a use case is their answer to
  the last position question of their workshop that is not a "before" question; "before"
  answers are kept apart and paired with the final ones to show how views moved.
* **Same wording, same question.** Answers from several workshops are combined when the
  step, its type and its exact wording match; otherwise they stay separate questions, so the
  record never mixes answers to different wordings (the final position, asked in different
  words by different packs, is the exception: every wording used is listed with it).
* **Comments are never tied to a person, a role or a workshop**: only approved comments
  appear, with their "me too" counts. Participant keys are used for pairing only and never
  leave this module.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .record_types import (
    AnswerIn,
    Asked,
    Breakdown,
    CardShown,
    CommentIn,
    CommentOut,
    ConcernRecord,
    ConsentRecord,
    ConsultationIn,
    ConsultationOut,
    ConsultationParticipation,
    ConsultationRecord,
    Count,
    GroupCount,
    GroupResult,
    Groups,
    Methods,
    ModerationIn,
    ModerationOut,
    Move,
    Movement,
    Objections,
    OptionResult,
    PackIn,
    PackOut,
    ParticipantIn,
    Participation,
    Question,
    RecordInput,
    RegisterIn,
    RegisterOut,
    ShownSequence,
    StepAnswered,
    StepIn,
    StepShown,
    UseCaseIn,
    UseCaseRecord,
    VoidOut,
    WorkshopIn,
    WorkshopOut,
    _plain,
)
from .suppression import suppress, suppress_table
from .tally import option_labels
from .vocabulary import LIFECYCLE, NO_ROLE, OBJECTION_GROUNDS, POSITIONS, VALUES

RECORD_VERSION = "1.0"
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


def _workshop_labels(workshops: Iterable[WorkshopIn]) -> dict[int, str]:
    items = list(workshops)
    seen = Counter(w.title for w in items)
    return {w.id: (w.title if seen[w.title] == 1 else f"{w.title} (workshop {w.id})") for w in items}


def _sorted_counts(labels: Iterable[str]) -> dict[str, int]:
    """Count labels, in label order, so groups are listed the same way in every export."""
    return dict(sorted(Counter(labels).items()))


def _base_key(step_key: str) -> str:
    return step_key.split("@", 1)[0]


def _options(prompt_type: str, content: Mapping[str, Any]) -> list[tuple[str, str]]:
    return option_labels(prompt_type, content)


def _is_lifecycle(options: Sequence[tuple[str, str]]) -> bool:
    return bool(options) and {k for k, _ in options} == set(LIFECYCLE)


@dataclass
class _Context:
    k: int
    participants: dict[int, ParticipantIn]
    role_totals: dict[str, int]
    workshop_totals: dict[str, int]
    workshop_label: dict[int, str]


def _breakdown(
    answers: Sequence[tuple[int, str | None]],
    option_keys: Sequence[tuple[str, str]],
    totals: Mapping[str, int],
    group_of: Any,
    other_label: str,
    k: int,
) -> Breakdown:
    rows: dict[str, dict[str, int]] = {g: {key: 0 for key, _ in option_keys} for g in totals}
    answered: Counter[str] = Counter()
    for participant, key in answers:
        group = group_of(participant)
        answered[group] += 1
        for part in (key or "").split(","):
            if part in rows[group]:
                rows[group][part] += 1
    table = suppress_table(rows, k, other_label=other_label, role_totals=totals)
    if not table or all(not s.cells for s in table.values()):
        return Breakdown(False, ())
    labels = dict(option_keys)
    groups = []
    for label, result in table.items():
        members = result.merged_roles or (label,)
        groups.append(
            GroupResult(
                label,
                tuple(result.merged_roles),
                Count(result.total, result.total_display),
                sum(answered[m] for m in members),
                tuple(OptionResult(c.label, labels.get(c.label, c.label), c.count) for c in result.cells),
            )
        )
    return Breakdown(True, tuple(groups))


def _question(
    qid: str,
    key: str,
    prompt_type: str,
    phase: str | None,
    asked: Sequence[Asked],
    content: Mapping[str, Any],
    answers: Sequence[tuple[int, str | None]],
    ctx: _Context,
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
        by_role = _breakdown(
            answers, option_keys, ctx.role_totals, lambda p: role_label(ctx.participants[p].role), OTHER_ROLES, ctx.k
        )
        by_workshop = _breakdown(
            answers,
            option_keys,
            ctx.workshop_totals,
            lambda p: ctx.workshop_label[ctx.participants[p].workshop_id],
            OTHER_WORKSHOPS,
            ctx.k,
        )
    return Question(
        qid, key, prompt_type, phase, tuple(asked), answered, hidden, multiple, mean, options, by_role, by_workshop
    )


def _asked(steps: Sequence[StepIn]) -> tuple[Asked, ...]:
    """Group steps by wording: one entry per distinct (key, title, text, question)."""
    grouped: dict[tuple[str, str, str, str], list[int]] = {}
    for s in steps:
        c = s.content
        ident = (s.key, str(c.get("title", "")), str(c.get("text", "")), str(c.get("question", "")))
        grouped.setdefault(ident, [])
        if s.workshop_id not in grouped[ident]:
            grouped[ident].append(s.workshop_id)
    return tuple(Asked(k, t, x, q, tuple(sorted(w))) for (k, t, x, q), w in grouped.items())


def _wording(step: StepIn) -> tuple[Any, ...]:
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


def _comment_out(c: CommentIn, step: StepIn, register_of: Mapping[int, list[int]]) -> CommentOut:
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


def _latest(answer_rows: Iterable[tuple[StepIn, AnswerIn]]) -> dict[int, AnswerIn]:
    """Each participant's answer to the latest step they answered."""
    best: dict[int, tuple[int, AnswerIn]] = {}
    for step, answer in answer_rows:
        held = best.get(answer.participant)
        if held is None or step.position > held[0]:
            best[answer.participant] = (step.position, answer)
    return {p: a for p, (_, a) in best.items()}


# --------------------------------------------------------------------------- the build


def _use_case_record(
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
    ctx = _Context(
        k,
        people,
        _sorted_counts(role_label(p.role) for p in people.values()),
        _sorted_counts(workshop_label[p.workshop_id] for p in people.values()),
        dict(workshop_label),
    )
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
    final = _latest(pairs(final_steps))
    before = _latest(pairs(before_steps))
    positions = before_q = None
    if final_steps:
        positions = _question(
            f"{uc.id}:positions",
            "position",
            "position",
            None,
            _asked(final_steps),
            final_steps[0].content,
            [(p, a.key) for p, a in sorted(final.items())],
            ctx,
        )
    if before_steps:
        before_q = _question(
            f"{uc.id}:positions-before",
            "position-before",
            "position",
            "before",
            _asked(before_steps),
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
            groups.setdefault(_wording(s), []).append(s)
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
        latest = _latest(rows)
        q = _question(
            qid,
            base,
            ptype,
            group[0].content.get("phase"),
            _asked(group),
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
        elif ptype == "choice" and _is_lifecycle([(o.key, o.label) for o in q.options]):
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
            out = _comment_out(c, step_by_id[c.step_id], register_of)
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


def _groups(counts: Mapping[str, int], k: int, other_label: str) -> Groups:
    shown = suppress(counts, k, other_label=other_label)
    return Groups(
        Count(shown.total, shown.total_display),
        shown.suppressed,
        tuple(GroupCount(c.label, c.count, c.display, c.merged) for c in shown.cells),
    )


def build_record(data: RecordInput) -> ConsultationRecord:
    """Build a consultation's record from its stored rows (see the module docstring)."""
    c = data.consultation
    k = c.k
    workshops = sorted(data.workshops, key=lambda w: w.id)
    workshop_label = _workshop_labels(workshops)
    steps_by_workshop: dict[int, list[StepIn]] = defaultdict(list)
    for s in data.steps:
        steps_by_workshop[s.workshop_id].append(s)
    for items in steps_by_workshop.values():
        items.sort(key=lambda s: s.position)
    step_by_id = {s.id: s for s in data.steps}

    # What people were shown: identical sequences of wording are listed once.
    sequences: dict[tuple[Any, ...], tuple[str, list[int], tuple[StepShown, ...]]] = {}
    shown_of: dict[int, str] = {}
    for w in workshops:
        shown = tuple(
            StepShown(s.position, s.kind, s.key, s.prompt_type, s.use_case_id, dict(s.content))
            for s in steps_by_workshop.get(w.id, [])
        )
        ident = tuple(repr(_plain(x)) for x in shown)
        if ident not in sequences:
            sequences[ident] = (f"S{len(sequences) + 1}", [], shown)
        sequences[ident][1].append(w.id)
        shown_of[w.id] = sequences[ident][0]
    shown_out = tuple(ShownSequence(sid, tuple(ws), st) for sid, ws, st in sequences.values())

    answers_by_step: dict[int, list[AnswerIn]] = defaultdict(list)
    for a in data.answers:
        answers_by_step[a.step_id].append(a)
    comments_by_step: dict[int, list[CommentIn]] = defaultdict(list)
    for cm in sorted(data.comments, key=lambda x: x.id):
        if cm.step_id in step_by_id:
            comments_by_step[cm.step_id].append(cm)
    register_of: dict[int, list[int]] = defaultdict(list)
    for item in data.register:
        for source in item.sources:
            register_of[source].append(item.id)

    steps_by_use_case: dict[int, list[StepIn]] = defaultdict(list)
    for s in data.steps:
        if s.use_case_id is not None:
            steps_by_use_case[s.use_case_id].append(s)
    use_cases = tuple(
        _use_case_record(
            uc, steps_by_use_case[uc.id], data, answers_by_step, comments_by_step, register_of, workshop_label
        )
        for uc in sorted(data.use_cases, key=lambda u: (u.position, u.id))
        if steps_by_use_case.get(uc.id)
    )
    general = tuple(
        _comment_out(cm, s, register_of)
        for w in workshops
        for s in steps_by_workshop.get(w.id, [])
        if s.use_case_id is None
        for cm in comments_by_step.get(s.id, ())
    )

    approved = {cm.id: cm for cm in data.comments}
    titles = {u.id: u.title for u in data.use_cases}
    register = tuple(
        RegisterOut(
            r.id,
            r.use_case_id,
            titles.get(r.use_case_id) if r.use_case_id else None,
            r.kind,
            r.text,
            r.classification,
            r.owner,
            r.response,
            r.status,
            r.decline_reason,
            tuple(sorted(s for s in r.sources if s in approved)),
            sum(approved[s].me_too for s in r.sources if s in approved),
        )
        for r in sorted(data.register, key=lambda r: r.id)
    )

    packs: dict[tuple[str, int], list[int]] = {}
    for w in workshops:
        packs.setdefault((w.pack_id, w.pack_version), []).append(w.id)
    pack_info = dict(data.packs) if data.packs else {}
    packs_out = tuple(
        PackOut(
            pid,
            version,
            pack_info[pid].title if pid in pack_info else pid,
            pack_info[pid].participation_level if pid in pack_info else None,
            tuple(ws),
        )
        for (pid, version), ws in packs.items()
    )
    starts = [w.started_at for w in workshops if w.started_at]
    ends = [w.ended_at or w.started_at for w in workshops if w.ended_at or w.started_at]
    methods = Methods(
        packs_out,
        len(workshops),
        iso(min(starts)) if starts else None,
        iso(max(d for d in ends if d)) if ends else None,
        k,
        c.retention_days,
    )

    people = [p for p in data.participants if p.workshop_id in workshop_label]
    participation = ConsultationParticipation(
        count(len(people), k),
        count(sum(p.consented for p in people), k),
        sum(w.withdrew for w in workshops),
        _groups(_sorted_counts(role_label(p.role) for p in people), k, OTHER_ROLES),
        _groups(_sorted_counts(workshop_label[p.workshop_id] for p in people), k, OTHER_WORKSHOPS),
        _groups(_sorted_counts(WAYS[p.assisted] for p in people), k, "Other ways"),
        _groups(_sorted_counts(LANGUAGE_NAMES.get(p.language, p.language) for p in people), k, "Other languages"),
    )
    joined_of = {g.label: g.display for g in participation.by_workshop.groups}
    workshops_out = tuple(
        WorkshopOut(
            w.id,
            w.title,
            w.pack_id,
            w.pack_version,
            w.status,
            w.moderation,
            iso(w.started_at),
            iso(w.ended_at),
            w.withdrew,
            shown_of[w.id],
            protection=w.protection,
            expected=w.expected,
            join_cap=w.join_cap,
            joined=joined_of.get(workshop_label[w.id], f"counted in {OTHER_WORKSHOPS.lower()}"),
            voided=tuple(VoidOut(n, why) for n, why in w.voided),
        )
        for w in workshops
    )
    moderation = tuple(
        ModerationOut(m.action, m.reason, m.count)
        for m in sorted(data.moderation, key=lambda m: (m.action, m.reason or ""))
        if m.count
    )
    consultation = ConsultationOut(
        c.id, c.title, c.organisation, c.description, iso(c.created_at), iso(c.finalised_at), iso(c.published_at)
    )
    return ConsultationRecord(
        RECORD_VERSION,
        consultation,
        methods,
        participation,
        workshops_out,
        shown_out,
        use_cases,
        general,
        register,
        moderation,
    )


# The shapes are part of this module's interface (callers write ``records.ParticipantIn``).
__all__ = [
    "RECORD_VERSION",
    "AnswerIn",
    "Asked",
    "Breakdown",
    "CardShown",
    "CommentIn",
    "CommentOut",
    "ConcernRecord",
    "ConsentRecord",
    "ConsultationIn",
    "ConsultationOut",
    "ConsultationParticipation",
    "ConsultationRecord",
    "Count",
    "GroupCount",
    "GroupResult",
    "Groups",
    "Methods",
    "ModerationIn",
    "ModerationOut",
    "Move",
    "Movement",
    "Objections",
    "OptionResult",
    "PackIn",
    "PackOut",
    "ParticipantIn",
    "Participation",
    "Question",
    "RecordInput",
    "RegisterIn",
    "RegisterOut",
    "ShownSequence",
    "StepAnswered",
    "StepIn",
    "StepShown",
    "UseCaseIn",
    "UseCaseRecord",
    "VoidOut",
    "WorkshopIn",
    "WorkshopOut",
    "build_record",
]
