"""The record's shapes: the plain input rows a service loads, and the frozen output whose
``as_dict()`` is the JSON record (``docs/record-schema.json``). No logic beyond conversion;
building the record from the rows is ``domain.records``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from typing import Any

# --------------------------------------------------------------------------- input rows


@dataclass(frozen=True)
class ConsultationIn:
    id: int
    title: str
    organisation: str
    description: str
    k: int
    retention_days: int
    created_at: datetime | None = None
    finalised_at: datetime | None = None
    published_at: datetime | None = None
    keep_comments: bool = False  # keep approved, re-screened comments after the retention period


@dataclass(frozen=True)
class UseCaseIn:
    id: int
    title: str
    position: int
    version: int
    library_id: str | None = None


@dataclass(frozen=True)
class PackIn:
    id: str
    title: str
    participation_level: str | None = None


@dataclass(frozen=True)
class WorkshopIn:
    id: int
    title: str
    pack_id: str
    pack_version: int
    status: str = "ended"
    moderation: str = "pre"
    started_at: datetime | None = None
    ended_at: datetime | None = None
    withdrew: int = 0
    # One person, one voice: how joining was protected, who was expected, what was voided.
    protection: str = "open"
    expected: int | None = None
    join_cap: int | None = None
    voided: tuple[tuple[int, str], ...] = ()  # (phones voided, the facilitator's reason)


@dataclass(frozen=True)
class StepIn:
    id: int
    workshop_id: int
    position: int
    key: str  # the workshop's step key, e.g. "position@2"
    kind: str  # info | card | prompt
    prompt_type: str | None
    use_case_id: int | None
    content: Mapping[str, Any]  # the frozen wording, with content["card"] for use-case steps


@dataclass(frozen=True)
class ParticipantIn:
    key: int  # pairs answers only; never leaves this module
    workshop_id: int
    role: str | None
    consented: bool = True
    assisted: bool = False
    language: str = "en"


@dataclass(frozen=True)
class AnswerIn:
    participant: int
    step_id: int
    key: str | None  # the stored categorical key: "consent", "4", "care,protect"
    ground: str | None = None  # an objection's chosen value or setting fact


@dataclass(frozen=True)
class CommentIn:
    """An *approved* comment, condition or objection reason (already redacted)."""

    id: int
    step_id: int
    kind: str  # comment | condition | objection
    text: str
    values: tuple[str, ...] = ()
    me_too: int = 0


@dataclass(frozen=True)
class RegisterIn:
    id: int
    use_case_id: int | None
    kind: str  # condition | concern
    text: str
    classification: str | None = None
    owner: str = ""
    response: str = ""
    status: str = "open"
    decline_reason: str = ""
    sources: tuple[int, ...] = ()  # comment ids merged into the item


@dataclass(frozen=True)
class ModerationIn:
    action: str
    reason: str | None
    count: int


@dataclass(frozen=True)
class RecordInput:
    consultation: ConsultationIn
    use_cases: Sequence[UseCaseIn]
    workshops: Sequence[WorkshopIn]
    steps: Sequence[StepIn]
    participants: Sequence[ParticipantIn]
    answers: Sequence[AnswerIn]
    comments: Sequence[CommentIn] = ()
    register: Sequence[RegisterIn] = ()
    moderation: Sequence[ModerationIn] = ()
    packs: Mapping[str, PackIn] = field(default_factory=dict)


# --------------------------------------------------------------------------- output values


def _plain(value: Any) -> Any:
    """Turn dataclasses, tuples and mappings into JSON-ready dicts and lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _AsDict:
    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _plain(self)
        return result


@dataclass(frozen=True)
class Count(_AsDict):
    count: int | None  # None when hidden (0 < count < k)
    display: str  # "12", "0" or "fewer than 5"


@dataclass(frozen=True)
class GroupCount(_AsDict):
    label: str
    count: int | None
    display: str
    merged: tuple[str, ...] = ()


@dataclass(frozen=True)
class Groups(_AsDict):
    total: Count
    suppressed: bool
    groups: tuple[GroupCount, ...]


@dataclass(frozen=True)
class OptionResult(_AsDict):
    key: str
    label: str
    count: int | None  # None when the question's answers are hidden


@dataclass(frozen=True)
class GroupResult(_AsDict):
    label: str
    merged: tuple[str, ...]
    answered: int  # the group's size: people in it who answered the question (at least k)
    options: tuple[OptionResult, ...]


@dataclass(frozen=True)
class Breakdown(_AsDict):
    possible: bool
    groups: tuple[GroupResult, ...]


@dataclass(frozen=True)
class Asked(_AsDict):
    step_key: str
    title: str
    text: str
    question: str
    workshops: tuple[int, ...]


@dataclass(frozen=True)
class Question(_AsDict):
    id: str
    key: str
    prompt_type: str
    phase: str | None
    asked: tuple[Asked, ...]
    answered: Count
    hidden: bool
    multiple: bool
    mean: float | None
    options: tuple[OptionResult, ...]
    by_role: Breakdown
    by_workshop: Breakdown


@dataclass(frozen=True)
class StepAnswered(_AsDict):
    question_id: str
    key: str
    prompt_type: str
    question: str
    answered: Count


@dataclass(frozen=True)
class Move(_AsDict):
    before: str
    after: str
    count: int


@dataclass(frozen=True)
class Movement(_AsDict):
    paired: Count
    moves: tuple[Move, ...]  # empty when hidden


@dataclass(frozen=True)
class CommentOut(_AsDict):
    id: int
    kind: str
    step_key: str
    question: str
    text: str
    values: tuple[str, ...]
    me_too: int
    register_items: tuple[int, ...]


@dataclass(frozen=True)
class Objections(_AsDict):
    grounds: tuple[OptionResult, ...]  # counts None when the positions are hidden
    reasons: tuple[CommentOut, ...]


@dataclass(frozen=True)
class Participation(_AsDict):
    joined: Count
    consented: Count
    steps: tuple[StepAnswered, ...]


@dataclass(frozen=True)
class ConsentRecord(_AsDict):
    participation: Participation
    positions: Question | None
    before: Question | None
    movement: Movement | None
    conditions: tuple[CommentOut, ...]
    objections: Objections


@dataclass(frozen=True)
class ConcernRecord(_AsDict):
    values: tuple[Question, ...]
    stages: tuple[Question, ...]
    scales: tuple[Question, ...]
    choices: tuple[Question, ...]
    comment_values: tuple[OptionResult, ...]
    comments: tuple[CommentOut, ...]


@dataclass(frozen=True)
class CardShown(_AsDict):
    version: int | None
    workshops: tuple[int, ...]
    card: Mapping[str, Any]


@dataclass(frozen=True)
class UseCaseRecord(_AsDict):
    id: int
    title: str
    current_version: int
    library_id: str | None
    workshops: tuple[int, ...]
    cards_shown: tuple[CardShown, ...]
    consent: ConsentRecord
    concern: ConcernRecord


@dataclass(frozen=True)
class StepShown(_AsDict):
    position: int
    kind: str
    key: str
    prompt_type: str | None
    use_case_id: int | None
    content: Mapping[str, Any]


@dataclass(frozen=True)
class ShownSequence(_AsDict):
    id: str
    workshops: tuple[int, ...]
    steps: tuple[StepShown, ...]


@dataclass(frozen=True)
class WorkshopOut(_AsDict):
    id: int
    title: str
    pack_id: str
    pack_version: int
    status: str
    moderation: str
    started_at: str | None
    ended_at: str | None
    withdrew: int
    shown: str
    protection: str = "open"  # presence | invitation | open
    expected: int | None = None
    join_cap: int | None = None
    joined: str = ""  # as the record's by-workshop count shows it (small workshops merged)
    voided: tuple[VoidOut, ...] = ()


@dataclass(frozen=True)
class VoidOut(_AsDict):
    count: int
    reason: str


@dataclass(frozen=True)
class PackOut(_AsDict):
    id: str
    version: int
    title: str
    participation_level: str | None
    workshops: tuple[int, ...]


@dataclass(frozen=True)
class Methods(_AsDict):
    packs: tuple[PackOut, ...]
    workshop_count: int
    first_date: str | None
    last_date: str | None
    k_threshold: int
    retention_days: int
    # The project team's choice: True keeps approved comments that pass a fresh redaction
    # screen after the retention period; False removes all free text then.
    comments_kept_after_retention: bool = False


@dataclass(frozen=True)
class ConsultationParticipation(_AsDict):
    joined: Count
    consented: Count
    withdrew: int
    by_role: Groups
    by_workshop: Groups
    # How people took part (own device or assisted) and in which language: counted apart,
    # never linked to what anyone said.
    by_way: Groups
    by_language: Groups


@dataclass(frozen=True)
class RegisterOut(_AsDict):
    id: int
    use_case_id: int | None
    use_case_title: str | None
    kind: str
    text: str
    classification: str | None
    owner: str
    response: str
    status: str
    decline_reason: str
    sources: tuple[int, ...]
    me_too: int


@dataclass(frozen=True)
class ModerationOut(_AsDict):
    action: str
    reason: str | None
    count: int


@dataclass(frozen=True)
class ConsultationOut(_AsDict):
    id: int
    title: str
    organisation: str
    description: str
    created_at: str | None
    finalised_at: str | None
    published_at: str | None


@dataclass(frozen=True)
class ConsultationRecord(_AsDict):
    record_version: str
    consultation: ConsultationOut
    methods: Methods
    participation: ConsultationParticipation
    workshops: tuple[WorkshopOut, ...]
    shown: tuple[ShownSequence, ...]
    use_cases: tuple[UseCaseRecord, ...]
    general_comments: tuple[CommentOut, ...]
    register: tuple[RegisterOut, ...]
    moderation: tuple[ModerationOut, ...]


# --------------------------------------------------------------------------- helpers
