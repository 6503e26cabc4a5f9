"""The whole consultation's record: methods, participation, workshops, use cases and the register."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..suppression import suppress
from .questions import (
    LANGUAGE_NAMES,
    OTHER_ROLES,
    OTHER_WORKSHOPS,
    WAYS,
    comment_out,
    count,
    iso,
    role_label,
    sorted_counts,
    workshop_labels,
)
from .shapes import (
    AnswerIn,
    CommentIn,
    ConsultationOut,
    ConsultationParticipation,
    ConsultationRecord,
    Count,
    GroupCount,
    Groups,
    Methods,
    ModerationOut,
    PackOut,
    RecordInput,
    RegisterOut,
    ShownSequence,
    StepIn,
    StepShown,
    VoidOut,
    WorkshopOut,
    _plain,
)
from .use_case import use_case_record

RECORD_VERSION = "2.0"


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
    workshop_label = workshop_labels(workshops)
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
        use_case_record(
            uc, steps_by_use_case[uc.id], data, answers_by_step, comments_by_step, register_of, workshop_label
        )
        for uc in sorted(data.use_cases, key=lambda u: (u.position, u.id))
        if steps_by_use_case.get(uc.id)
    )
    general = tuple(
        comment_out(cm, s, register_of)
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
        c.keep_comments,
    )

    people = [p for p in data.participants if p.workshop_id in workshop_label]
    participation = ConsultationParticipation(
        count(len(people), k),
        count(sum(p.consented for p in people), k),
        sum(w.withdrew for w in workshops),
        _groups(sorted_counts(role_label(p.role) for p in people), k, OTHER_ROLES),
        _groups(sorted_counts(workshop_label[p.workshop_id] for p in people), k, OTHER_WORKSHOPS),
        _groups(sorted_counts(WAYS[p.assisted] for p in people), k, "Other ways"),
        _groups(sorted_counts(LANGUAGE_NAMES.get(p.language, p.language) for p in people), k, "Other languages"),
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
