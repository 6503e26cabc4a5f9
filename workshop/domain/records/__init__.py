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
  the people who *answered that question* ("I'd rather not say" is an answer, a skipped
  question is not), never the people who joined: a question asked in only some of the
  workshops that discussed a use case would otherwise show a role "of 8" that two people
  answered. Workshops are treated the same way (a workshop where fewer than ``k`` people
  answered is merged into "Other workshops"). Two questions can therefore hide different
  roles; each breakdown is safe on its own, and no two tables hold the same question's
  answers for different sets of roles (``docs/records.md``, "Known limits").
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

The package, by concern: ``shapes`` (the input rows and the frozen output), ``questions`` (one
question's counts and breakdowns, and the helpers every part shares), ``use_case`` (one use
case's consent and concern records), ``build`` (the whole record) and ``free_text`` (comments
removed from a stored record after the retention period). Callers import from the
package: ``from workshop.domain.records import build_record, ParticipantIn``.
"""

from __future__ import annotations

from .build import RECORD_VERSION, build_record
from .free_text import free_texts, upgraded, without_free_text
from .questions import iso
from .shapes import (
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
)

# The shapes are part of this package's interface (callers write ``records.ParticipantIn``).
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
    "free_texts",
    "iso",
    "upgraded",
    "without_free_text",
]
