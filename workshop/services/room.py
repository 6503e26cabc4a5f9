"""Who may join a workshop: presence codes, the join cap, invitations, tablets, and voiding.

One gate (:func:`admit`) for every way a phone joins, called in the same transaction as the
join itself, so a used invitation and a new participant are committed together or not at all.
Assisted entries and enrolled tablets skip the presence code and the cap: the facilitator
is with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from ..domain import presence as pr
from ..models import ControlEvent, InvitationCode, Participant, Workshop, utcnow
from . import DbSession, NotFound, Refused

TABLET_CODE_MINUTES = 10
MAX_INVITATIONS = 200
MAX_VOID_REASON = 300


class RoomFull(Refused):
    """The join cap is reached: the phone waits until the facilitator raises it."""


class NeedsPresence(Refused):
    """The presence code was missing or wrong."""


class NeedsInvitation(Refused):
    """The invitation code was missing, wrong or used already."""


PRESENCE_MESSAGE = "Please type the number shown on the big screen. It changes every minute."
INVITATION_MESSAGE = "Please type the invitation code from your card. Each code works once."


def secret(workshop: Workshop) -> str:
    """Return the workshop's presence secret, making one the first time it is needed."""
    if not workshop.presence_secret:
        workshop.presence_secret = pr.new_secret()
    return workshop.presence_secret


def current_presence(workshop: Workshop, now: datetime | None = None) -> tuple[str, int]:
    """Return this minute's presence code and how many seconds it is still shown for."""
    now = now or utcnow()
    return pr.presence_code(secret(workshop), pr.minute_of(now)), pr.seconds_left(now)


def phone_joins(db: DbSession, workshop_id: int) -> int:
    """Count the participants who joined on their own phone (not assisted, not on a tablet)."""
    return (
        db.scalar(
            select(func.count())
            .select_from(Participant)
            .where(Participant.workshop_id == workshop_id, Participant.assisted.is_(False))
        )
        or 0
    )


def room_full(db: DbSession, workshop: Workshop) -> bool:
    return workshop.join_cap is not None and phone_joins(db, workshop.id) >= workshop.join_cap


def presence_checked(workshop: Workshop, raw: str | None, now: datetime | None = None) -> bool:
    """True if ``raw`` is a presence code the projector showed this minute or the last."""
    return bool(workshop.presence_secret) and pr.presence_ok(workshop.presence_secret or "", raw, now or utcnow())


def admit(
    db: DbSession,
    workshop: Workshop,
    *,
    presence_proven: bool,
    invitation: str | None,
    exempt: bool,
) -> None:
    """Check a phone may join now; raise ``NeedsPresence``, ``RoomFull`` or ``NeedsInvitation`` if not.

    ``presence_proven`` is the web layer's word that this browser gave a right presence code
    (now, or before it was asked to wait for room). A valid invitation is used up here, in
    the caller's transaction.
    """
    if exempt:
        return
    if workshop.protection == "presence" and not presence_proven:
        raise NeedsPresence(PRESENCE_MESSAGE)
    if workshop.join_cap is not None:
        # Take the workshop's row lock first, so two phones cannot both take the last place.
        db.execute(select(Workshop.id).where(Workshop.id == workshop.id).with_for_update())
        if phone_joins(db, workshop.id) >= workshop.join_cap:
            raise RoomFull("The room is full.")
    if workshop.protection == "invitation":
        code = pr.normalise_invitation(invitation)
        if code is None:
            raise NeedsInvitation(INVITATION_MESSAGE)
        used = db.execute(
            update(InvitationCode)
            .where(
                InvitationCode.workshop_id == workshop.id,
                InvitationCode.code_hash == pr.invitation_hash(workshop.id, code),
                InvitationCode.used.is_(False),
            )
            .values(used=True)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise NeedsInvitation(
                "That invitation code does not work. It may have been used already. " + INVITATION_MESSAGE
            )


def set_room(
    db: DbSession,
    workshop: Workshop,
    *,
    protection: str,
    expected: int | None,
    cap: int | None,
    facilitator_id: int | None,
) -> None:
    """Choose how a workshop is protected, and how many people are expected and allowed."""
    if protection not in pr.PROTECTIONS:
        raise Refused("Choose how people prove they may join.")
    for value in (expected, cap):
        if value is not None and not 1 <= value <= 100_000:
            raise Refused("Use a number of people from 1 to 100000.")
    if cap is not None and expected is not None and cap < expected:
        raise Refused("The most people allowed cannot be fewer than the number you expect.")
    workshop.protection = protection
    workshop.expected_attendance = expected
    workshop.join_cap = cap
    if protection == "presence":
        secret(workshop)
    _log(db, workshop, "room_settings", facilitator_id, {"protection": protection, "expected": expected, "cap": cap})


def raise_cap(db: DbSession, workshop: Workshop, by: int, facilitator_id: int | None) -> int:
    """Let ``by`` more phones in; return the new cap."""
    if not 1 <= by <= 1000:
        raise Refused("Raise the limit by 1 to 1000 people.")
    base = workshop.join_cap if workshop.join_cap is not None else phone_joins(db, workshop.id)
    workshop.join_cap = base + by
    _log(db, workshop, "raise_cap", facilitator_id, {"cap": workshop.join_cap})
    return workshop.join_cap


def make_invitations(db: DbSession, workshop: Workshop, count: int) -> list[str]:
    """Make ``count`` single-use invitation codes; return them (this is the only time they exist)."""
    if not 1 <= count <= MAX_INVITATIONS:
        raise Refused(f"Make between 1 and {MAX_INVITATIONS} invitation cards at a time.")
    if workshop.status == "ended":
        raise Refused("This workshop has ended, so nobody can be invited to it.")
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(pr.new_invitation_code())
    # Sorted by hash, not by card: the table keeps no order that matches the printed page.
    rows = sorted(pr.invitation_hash(workshop.id, c) for c in codes)
    db.add_all(InvitationCode(workshop_id=workshop.id, code_hash=h, used=False) for h in rows)
    db.flush()
    return sorted(codes)


def invitation_counts(db: DbSession, workshop_id: int) -> tuple[int, int]:
    """Return how many invitation codes were made and how many used."""
    result = db.execute(
        select(InvitationCode.used, func.count())
        .where(InvitationCode.workshop_id == workshop_id)
        .group_by(InvitationCode.used)
    )
    # Pairs, not dict(result): a Result has keys() (its column names), so dict() would index it.
    rows: dict[bool, int] = {bool(used): int(n) for used, n in result}
    return int(sum(rows.values())), int(rows.get(True, 0))


def make_tablet_code(db: DbSession, workshop: Workshop, now: datetime | None = None) -> tuple[str, datetime]:
    """Make a one-time tablet code (replacing any earlier one); return it and when it stops working."""
    if workshop.status == "ended":
        raise Refused("This workshop has ended.")
    now = now or utcnow()
    for _ in range(20):
        code = pr.new_tablet_code()
        digest = pr.tablet_hash(code)
        if db.scalar(select(Workshop.id).where(Workshop.tablet_code_hash == digest)) is None:
            break
    workshop.tablet_code_hash = digest
    workshop.tablet_code_expires = now + timedelta(minutes=TABLET_CODE_MINUTES)
    return code, workshop.tablet_code_expires


def use_tablet_code(db: DbSession, raw: str | None, now: datetime | None = None) -> Workshop:
    """Spend a tablet code: return its workshop, or raise NotFound (unknown, used or too old)."""
    code = pr.normalise_tablet(raw)
    if code is None:
        raise NotFound("tablet code")
    now = now or utcnow()
    workshop = db.scalar(
        select(Workshop).where(Workshop.tablet_code_hash == pr.tablet_hash(code), Workshop.status != "ended")
    )
    if workshop is None or workshop.tablet_code_expires is None or workshop.tablet_code_expires < now:
        raise NotFound("tablet code")
    workshop.tablet_code_hash = None
    workshop.tablet_code_expires = None
    return workshop


def join_times(db: DbSession, workshop_id: int) -> list[datetime]:
    return list(
        db.scalars(
            select(Participant.created_at)
            .where(Participant.workshop_id == workshop_id, Participant.assisted.is_(False))
            .order_by(Participant.created_at)
        )
    )


def alarm(db: DbSession, workshop: Workshop, burst_limit: int) -> pr.JoinAlarm:
    """Is the room joining faster than people can scan, or more than were expected?"""
    return pr.join_alarm(join_times(db, workshop.id), workshop.expected_attendance, limit=burst_limit)


@dataclass(frozen=True)
class Voided:
    count: int
    reason: str
    start: str
    end: str
    at: str


def void_joins(
    db: DbSession,
    workshop: Workshop,
    start: datetime,
    end: datetime,
    reason: str,
    facilitator_id: int | None,
) -> int:
    """Remove every phone that joined between ``start`` and ``end`` and all they said; keep the reason.

    Assisted and tablet entries are never voided: a facilitator saw those people.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refused("Say why you are voiding these joins. The reason goes into the record.")
    if len(reason) > MAX_VOID_REASON:
        raise Refused(f"Keep the reason under {MAX_VOID_REASON} characters.")
    if end < start:
        raise Refused("The end of the time span must come after its start.")
    if workshop.consultation.finalised_at is not None:
        raise Refused("The record is final, so nothing can be voided now.")
    chosen = select(Participant.id).where(
        Participant.workshop_id == workshop.id,
        Participant.assisted.is_(False),
        Participant.created_at >= start,
        Participant.created_at <= end,
    )
    ids = list(db.scalars(chosen))
    if not ids:
        raise Refused("No phones joined in that time, so nothing was voided.")
    # Deleted in the database so its cascades take answers, comments and "me too"s with them.
    db.execute(delete(Participant).where(Participant.id.in_(ids)))
    _log(
        db,
        workshop,
        "void",
        facilitator_id,
        {"count": len(ids), "reason": reason, "from": start.isoformat(), "to": end.isoformat()},
    )
    return len(ids)


def voids(db: DbSession, workshop_ids: list[int]) -> dict[int, list[Voided]]:
    """Every void of these workshops, for the record."""
    found: dict[int, list[Voided]] = {}
    if not workshop_ids:
        return found
    rows = db.scalars(
        select(ControlEvent)
        .where(ControlEvent.workshop_id.in_(workshop_ids), ControlEvent.action == "void")
        .order_by(ControlEvent.id)
    )
    for event in rows:
        d: dict[str, Any] = event.detail or {}
        found.setdefault(event.workshop_id, []).append(
            Voided(
                int(d.get("count", 0)),
                str(d.get("reason", "")),
                str(d.get("from")),
                str(d.get("to")),
                event.at.isoformat(),
            )
        )
    return found


def _log(db: DbSession, workshop: Workshop, action: str, facilitator_id: int | None, detail: dict[str, Any]) -> None:
    db.add(
        ControlEvent(
            workshop_id=workshop.id,
            facilitator_id=facilitator_id,
            action=action,
            step_position=workshop.current_step,
            detail=detail,
        )
    )


def room_view(db: DbSession, workshop: Workshop, burst_limit: int, now: datetime | None = None) -> dict[str, Any]:
    """What the console shows about joining: the presence code, the cap, and any alarm."""
    now = now or utcnow()
    times = join_times(db, workshop.id)
    found = pr.join_alarm(times, workshop.expected_attendance, limit=burst_limit)
    code, left = current_presence(workshop, now) if workshop.protection == "presence" else (None, None)
    made, used = invitation_counts(db, workshop.id) if workshop.protection == "invitation" else (0, 0)
    return {
        "protection": workshop.protection,
        "presence": code,
        "presence_left": left,
        "phones": len(times),
        "expected": workshop.expected_attendance,
        "cap": workshop.join_cap,
        "full": workshop.join_cap is not None and len(times) >= workshop.join_cap,
        "alarm": found,
        "burst_limit": burst_limit,
        "invitations_made": made,
        "invitations_used": used,
    }
