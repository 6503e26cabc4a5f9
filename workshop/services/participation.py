"""Taking part: joining a workshop, choosing a role, and answering.

One path for every way an answer arrives (socket event, plain form, assisted entry). Free
text is screened before it is stored: personal details are redacted (the original is never
stored) and possible disclosures of harm are held back and raised privately.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.engine import Connection

from ..domain.answers import AnswerError, check_answer
from ..domain.codes import new_receipt_code, new_token, normalise_join_code, receipt_code_forms, receipt_hash
from ..domain.redaction import Redacted, redact
from ..domain.safeguarding import Rule, SafeguardingChecker, SafeguardingResult, rules_from_phrases
from ..domain.tally import Tally, tally
from ..domain.vocabulary import NO_ROLE
from ..models import (
    Comment,
    MeToo,
    Participant,
    Response,
    SafeguardingAlert,
    WithdrawalCount,
    Workshop,
    WorkshopStep,
    utcnow,
)
from . import DbSession, NotFound, Refused
from .register import forget_wording


@lru_cache(maxsize=64)
def compiled_checker(rules: tuple[Rule, ...]) -> SafeguardingChecker:
    """Compile a rule set once per process (about 0.2 s for the shipped rules)."""
    return SafeguardingChecker(rules)


class Screener:
    """Redaction and safeguarding for free text, with per-workshop names and phrases."""

    def __init__(self, base_rules: Iterable[Rule]) -> None:
        self._base = tuple(base_rules)
        self._checker = lru_cache(maxsize=64)(self._build)

    def _build(self, phrases: tuple[str, ...]) -> SafeguardingChecker:
        return compiled_checker(self._base + tuple(rules_from_phrases(phrases)))

    def screen(self, text: str, names: Iterable[str], phrases: Iterable[str]) -> tuple[Redacted, SafeguardingResult]:
        checked = self._checker(tuple(phrases)).check(text)
        return redact(text, tuple(names)), checked


def find_workshop(db: DbSession, raw_code: str) -> Workshop:
    """Return the open workshop with this join code, or raise NotFound."""
    code = normalise_join_code(raw_code)
    if code is None:
        raise NotFound("code")
    found = db.scalar(select(Workshop).where(Workshop.join_code == code, Workshop.status != "ended"))
    if found is None:
        raise NotFound("code")
    return found


def find_own_workshop(db: DbSession, raw_code: str, tokens: Iterable[str]) -> tuple[Workshop, Participant] | None:
    """Return the workshop with this code (even ended) and the participant, if a token is theirs.

    A browser that already has a place in a workshop is not guessing its code: looking at its
    receipt, or at a workshop that has ended, must never count against a room's limits.
    """
    code = normalise_join_code(raw_code)
    wanted = [t for t in tokens if isinstance(t, str)][:50]
    if code is None or not wanted:
        return None
    row = db.execute(
        select(Workshop, Participant)
        .join(Participant, Participant.workshop_id == Workshop.id)
        .where(Workshop.join_code == code, Participant.token.in_(wanted))
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def join(
    db: DbSession, workshop: Workshop, *, language: str = "en", assisted: bool = False, allow_ended: bool = False
) -> tuple[Participant, str]:
    """Record consent to take part; return the new participant and their receipt code.

    ``allow_ended`` is for a facilitator typing in paper forms after the workshop.
    """
    if workshop.status == "ended" and not allow_ended:
        raise Refused("This workshop has ended, so you cannot join it now.")
    if not workshop.joining_open and not assisted:
        raise Refused("The facilitator has closed joining for this workshop.")
    while True:
        receipt = new_receipt_code()
        digest = receipt_hash(receipt)
        if db.scalar(select(Participant.id).where(Participant.receipt_hash == digest)) is None:
            break
    participant = Participant(
        workshop_id=workshop.id,
        token=new_token(),
        receipt_hash=digest,
        language=language,
        assisted=assisted,
        consented_at=utcnow(),
    )
    db.add(participant)
    db.flush()
    return participant, receipt


def get_participant(db: DbSession, workshop: Workshop, token: str | None) -> Participant | None:
    if not token:
        return None
    return db.scalar(select(Participant).where(Participant.token == token, Participant.workshop_id == workshop.id))


def set_role(db: DbSession, workshop: Workshop, participant: Participant, role: str | None) -> None:
    if role in (None, ""):
        participant.role = None
        return
    if role not in workshop.roles:
        raise Refused("Please choose a role from the list, or skip this question.")
    participant.role = role


@dataclass(frozen=True)
class Submitted:
    response_id: int
    duplicate: bool
    held_for_safeguarding: bool
    redacted: dict[str, int]
    pending_moderation: int


def _check_open(
    status: str, current_step: int, answering_open: bool, paused: bool, kind: str | None, position: int | None
) -> None:
    """Refuse an answer unless its step is the current one, a question, and open (one rule for every path)."""
    if status == "ended":
        raise Refused("This workshop has ended. Thank you for taking part.")
    if kind != "prompt":
        raise Refused("This question is not open for answers.")
    if position != current_step or not answering_open:
        raise Refused("This question is closed now, so your answer was not saved.")
    if paused:
        raise Refused("The workshop is on a break. Please try again when it starts again.")


def _open_step(workshop: Workshop, step: WorkshopStep | None) -> WorkshopStep:
    _check_open(
        workshop.status,
        workshop.current_step,
        workshop.answering_open,
        workshop.paused,
        step.kind if step is not None else None,
        step.position if step is not None else None,
    )
    assert step is not None
    return step


def _paper_step(workshop: Workshop, step: WorkshopStep | None) -> WorkshopStep:
    """A facilitator typing in a paper form may fill any question, until the record is final."""
    if step is None or step.kind != "prompt" or step.workshop_id != workshop.id:
        raise Refused("This step does not take answers.")
    if workshop.consultation.finalised_at is not None:
        raise Refused("The record is final, so no more answers can be added.")
    return step


# Built once: constructing a statement costs more than running it, and these run for every answer.
_ANSWER_CONTEXT = (
    select(Workshop, Participant, WorkshopStep)
    .select_from(Workshop)
    .outerjoin(Participant, Participant.id == bindparam("participant_id"))
    .outerjoin(
        WorkshopStep, (WorkshopStep.workshop_id == Workshop.id) & (WorkshopStep.position == bindparam("position"))
    )
    .where(Workshop.id == bindparam("workshop_id"))
)
_EXISTING_RESPONSE = select(Response).where(
    Response.participant_id == bindparam("participant_id"), Response.step_id == bindparam("step_id")
)
_RESPONSE_COMMENTS = select(Comment).where(Comment.response_id == bindparam("response_id"))


def answer_context(
    db: DbSession,
    workshop_id: int,
    participant_id: int,
    position: int,
) -> tuple[Workshop | None, Participant | None, WorkshopStep | None]:
    """Load a workshop, a participant and the workshop's step at ``position`` in one query (the answer hot path)."""
    row = db.execute(
        _ANSWER_CONTEXT, {"workshop_id": workshop_id, "participant_id": participant_id, "position": position}
    ).first()
    if row is None:
        return None, None, None
    return row[0], row[1], row[2]


class NotJoined(Refused):
    """The participant is gone (withdrew) or never belonged to this workshop."""


_W, _S, _P = Workshop.__table__, WorkshopStep.__table__, Participant.__table__
_R, _C = Response.__table__, Comment.__table__
# The live checks as plain columns (no ORM objects): the answer hot path reads these only.
_QUICK_CONTEXT = (
    select(
        _W.c.status,
        _W.c.current_step,
        _W.c.answering_open,
        _W.c.paused,
        _S.c.id.label("step_id"),
        _S.c.position,
        _S.c.kind,
        _S.c.prompt_type,
        _S.c.content,
        _P.c.id.label("participant_id"),
    )
    .select_from(
        _W.outerjoin(_S, (_S.c.workshop_id == _W.c.id) & (_S.c.position == bindparam("position"))).outerjoin(
            _P, (_P.c.id == bindparam("participant_id")) & (_P.c.workshop_id == _W.c.id)
        )
    )
    .where(_W.c.id == bindparam("workshop_id"))
)
_DELETE_RESPONSE_COMMENTS = delete(_C).where(_C.c.response_id == bindparam("response_id"))
# Insert an answer, or replace the participant's earlier one unless it is this very answer
# again (a resend then changes nothing and returns no row). Written as SQL that SQLite (3.35+)
# and PostgreSQL both speak, because SQLAlchemy's on_conflict_do_update construct cannot be
# cached and compiling it again for every answer cost a third of the handler's time.
_UPSERT = (
    text(
        "INSERT INTO response (participant_id, step_id, workshop_id, client_id, key, value, created_at, updated_at) "
        "VALUES (:participant_id, :step_id, :workshop_id, :client_id, :key, :value, :created_at, :updated_at) "
        "ON CONFLICT (participant_id, step_id) DO UPDATE SET client_id = excluded.client_id, "
        "key = excluded.key, value = excluded.value, updated_at = excluded.updated_at "
        "WHERE response.client_id <> excluded.client_id "
        "RETURNING id, created_at"
    )
    .bindparams(
        bindparam("value", type_=_R.c.value.type),
        bindparam("created_at", type_=_R.c.created_at.type),
        bindparam("updated_at", type_=_R.c.updated_at.type),
    )
    .columns(_R.c.id, _R.c.created_at)
)
UPSERT_DIALECTS = frozenset({"sqlite", "postgresql"})


class NeedsFullPath(Exception):
    """This answer carries free text (or the database has no upsert): use ``submit_answer``."""


def answer_quickly(
    conn: Connection,
    workshop_id: int,
    participant_id: int,
    position: int,
    client_id: object,
    payload: object,
) -> Submitted:
    """Store an answer from a phone: the hot path, with the same rules as ``submit_answer``.

    An answer without free text (most of them) is one read and one upsert on a plain
    connection whose transaction the caller owns, with no ORM objects. An answer with free text
    raises ``NeedsFullPath`` before writing anything, because its text must be redacted,
    screened and queued for moderation by ``submit_answer``.
    """
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        raise Refused("We could not read your answer. Please try again.")
    row = conn.execute(
        _QUICK_CONTEXT, {"workshop_id": workshop_id, "participant_id": participant_id, "position": position}
    ).first()
    if row is None or row.participant_id is None:
        raise NotJoined("You are no longer part of this workshop.")
    _check_open(row.status, row.current_step, row.answering_open, row.paused, row.kind, row.position)
    try:
        checked = check_answer(row.prompt_type or "", row.content, payload)
    except AnswerError as exc:
        raise Refused(str(exc)) from None
    if checked.texts or conn.dialect.name not in UPSERT_DIALECTS:
        raise NeedsFullPath
    now = utcnow()
    stored = conn.execute(
        _UPSERT,
        {
            "participant_id": participant_id,
            "step_id": row.step_id,
            "workshop_id": workshop_id,
            "client_id": client_id,
            "key": checked.key,
            "value": checked.value,
            "created_at": now,
            "updated_at": now,
        },
    ).first()
    if stored is None:
        return Submitted(0, True, False, {}, 0)
    if stored.created_at != now:
        # A changed answer: any conditions or reasons given with the old one go with it.
        conn.execute(_DELETE_RESPONSE_COMMENTS, {"response_id": stored.id})
    return Submitted(stored.id, False, False, {}, 0)


def submit_answer(
    db: DbSession,
    workshop: Workshop,
    participant: Participant,
    step: WorkshopStep | None,
    client_id: object,
    payload: object,
    screener: Screener,
    *,
    from_paper: bool = False,
) -> Submitted:
    """Store a participant's answer to the open step (the last one counts; a resend is a no-op)."""
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        raise Refused("We could not read your answer. Please try again.")
    step = _paper_step(workshop, step) if from_paper else _open_step(workshop, step)
    try:
        checked = check_answer(step.prompt_type or "", step.content, payload)
    except AnswerError as exc:
        raise Refused(str(exc)) from None
    existing = db.scalar(_EXISTING_RESPONSE, {"participant_id": participant.id, "step_id": step.id})
    if existing is not None and existing.client_id == client_id:
        return Submitted(existing.id, True, False, {}, 0)
    now = utcnow()
    if existing is None:
        response = Response(
            participant_id=participant.id,
            step_id=step.id,
            workshop_id=workshop.id,
            client_id=client_id,
            key=checked.key,
            value=checked.value,
            created_at=now,
            updated_at=now,
        )
        db.add(response)
        db.flush()
    else:
        response = existing
        response.client_id, response.key, response.value, response.updated_at = (
            client_id,
            checked.key,
            checked.value,
            now,
        )
        for old in db.scalars(_RESPONSE_COMMENTS, {"response_id": response.id}):
            db.delete(old)
    held = False
    redacted: dict[str, int] = {}
    pending = 0
    for item in checked.texts:
        clean, concern = screener.screen(item.text, workshop.redaction_names, workshop.safeguarding_phrases)
        for kind, n in clean.counts().items():
            redacted[kind] = redacted.get(kind, 0) + n
        status = "pending" if workshop.moderation == "pre" else "approved"
        if concern.flagged:
            status, held = "hidden", True
        comment = Comment(
            workshop_id=workshop.id,
            step_id=step.id,
            participant_id=participant.id,
            response_id=response.id,
            kind=item.kind,
            text=clean.text,
            values=list(item.values),
            status=status,
            safeguarding=concern.flagged,
            redactions=clean.counts(),
            created_at=now,
        )
        db.add(comment)
        if concern.flagged:
            db.flush()
            db.add(
                SafeguardingAlert(workshop_id=workshop.id, comment_id=comment.id, categories=list(concern.categories))
            )
        elif status == "pending":
            pending += 1
    return Submitted(response.id, False, held, redacted, pending)


def my_answer(db: DbSession, participant: Participant, step: WorkshopStep) -> Response | None:
    return db.scalar(select(Response).where(Response.participant_id == participant.id, Response.step_id == step.id))


def my_texts(db: DbSession, response: Response) -> list[Comment]:
    return list(db.scalars(select(Comment).where(Comment.response_id == response.id).order_by(Comment.id)))


def step_tally(db: DbSession, step: WorkshopStep) -> Tally:
    """Count answers to a step with one grouped query over an index."""
    rows = db.execute(select(Response.key, func.count()).where(Response.step_id == step.id).group_by(Response.key))
    counts: Mapping[str | None, int] = {key: n for key, n in rows}
    return tally(step.prompt_type or "", step.content, counts)


def joined_by_role(db: DbSession, workshop: Workshop) -> dict[str, int]:
    """Return how many have joined, per role (unsuppressed: callers must suppress)."""
    rows = db.execute(
        select(Participant.role, func.count()).where(Participant.workshop_id == workshop.id).group_by(Participant.role)
    )
    return {(role or NO_ROLE): n for role, n in rows}


def find_by_receipt(db: DbSession, raw_code: str) -> Participant | None:
    """Return the participant holding this receipt code, if any."""
    forms = receipt_code_forms(raw_code)  # today's form, and the letters as typed for older codes
    if not forms:
        return None
    hashes = [receipt_hash(code) for code in forms]
    return db.scalar(select(Participant).where(Participant.receipt_hash.in_(hashes)))


def withdraw(db: DbSession, participant: Participant) -> None:
    """Delete everything a participant said; keep only the count of withdrawals.

    That includes register wording copied from their comments (``register.forget_wording``).
    """
    workshop = db.get(Workshop, participant.workshop_id)
    assert workshop is not None
    if workshop.consultation.finalised_at is not None:
        raise Refused("The report for this consultation is finished, so answers can no longer be taken back.")
    counter = db.get(WithdrawalCount, workshop.id)
    if counter is None:
        db.add(WithdrawalCount(workshop_id=workshop.id, count=1))
    else:
        counter.count += 1
    # Register wording copied from their comments goes first, while the comments still exist.
    forget_wording(db, list(db.scalars(select(Comment.id).where(Comment.participant_id == participant.id))))
    # Delete in the database so its cascades remove answers, comments and "me too"s together.
    db.execute(delete(Participant).where(Participant.id == participant.id))
    db.expunge(participant)


def approved_comments(db: DbSession, workshop: Workshop, step: WorkshopStep) -> list[tuple[Comment, int]]:
    """Return the approved comments and conditions of a step, each with its "me too" count."""
    counts = select(MeToo.comment_id, func.count().label("n")).group_by(MeToo.comment_id).subquery()
    rows = db.execute(
        select(Comment, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.comment_id == Comment.id)
        .where(Comment.workshop_id == workshop.id, Comment.step_id == step.id, Comment.status == "approved")
        .order_by(Comment.id)
    )
    return [(comment, int(n)) for comment, n in rows]


def my_me_toos(db: DbSession, participant: Participant) -> set[int]:
    return set(db.scalars(select(MeToo.comment_id).where(MeToo.participant_id == participant.id)))


def me_too(db: DbSession, workshop: Workshop, participant: Participant, comment_id: object) -> int:
    """Add one participant's support to an approved comment; return its new count (once per person)."""
    if not isinstance(comment_id, int) or isinstance(comment_id, bool) or not 0 < comment_id < 2**31:
        raise Refused("We could not tell which comment you meant. Please try again.")
    comment = db.get(Comment, comment_id)
    if comment is None or comment.workshop_id != workshop.id or comment.status != "approved":
        raise Refused("That comment is not available.")
    if comment.participant_id == participant.id:
        raise Refused("This is your own comment, so you cannot add 'me too' to it.")
    exists_ = db.scalar(select(MeToo.id).where(MeToo.comment_id == comment.id, MeToo.participant_id == participant.id))
    if exists_ is None:
        db.add(MeToo(comment_id=comment.id, participant_id=participant.id))
        db.flush()
    return db.scalar(select(func.count()).select_from(MeToo).where(MeToo.comment_id == comment.id)) or 0
