"""The conditions register: approved conditions and concerns merged into items the project
team classifies (act / influence / monitor, as in Consequence Scanning), answers and tracks.

Each action is one function shared by the web routes and anything else; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from ..domain.export_render import record_sha256
from ..models import (
    Comment,
    Consultation,
    MeToo,
    RecordSnapshot,
    RegisterItem,
    RegisterSource,
    UseCase,
    Workshop,
    WorkshopStep,
    utcnow,
)
from . import DbSession, NotFound, Refused

CLASSIFICATIONS: dict[str, str] = {
    "act": "Act: we can fix this ourselves",
    "influence": "Influence: others must act, and we will press them",
    "monitor": "Monitor: we will watch for this",
}
STATUSES: dict[str, str] = {"open": "Open", "agreed": "Agreed", "done": "Done", "declined": "Declined"}
KINDS: dict[str, str] = {"condition": "Condition", "concern": "Concern"}
TEXT_MAX = 2000


@dataclass(frozen=True)
class Candidate:
    """An approved condition, objection reason or comment that could go into the register."""

    id: int
    kind: str
    text: str
    use_case_id: int | None
    use_case_title: str | None
    question: str
    me_too: int
    items: tuple[int, ...]


def candidates(db: DbSession, consultation: Consultation) -> list[Candidate]:
    """Approved free text of the consultation, with its "me too" count and register items."""
    me_too = select(MeToo.comment_id, func.count().label("n")).group_by(MeToo.comment_id).subquery()
    rows = db.execute(
        select(
            Comment.id,
            Comment.kind,
            Comment.text,
            WorkshopStep.use_case_id,
            UseCase.title,
            WorkshopStep.content,
            func.coalesce(me_too.c.n, 0),
        )
        .join(WorkshopStep, WorkshopStep.id == Comment.step_id)
        .join(Workshop, Workshop.id == Comment.workshop_id)
        .outerjoin(UseCase, UseCase.id == WorkshopStep.use_case_id)
        .outerjoin(me_too, me_too.c.comment_id == Comment.id)
        .where(
            Workshop.consultation_id == consultation.id, Comment.status == "approved", Comment.safeguarding.is_(False)
        )
        .order_by(UseCase.position, Comment.id)
    ).all()
    linked: dict[int, list[int]] = {}
    for item_id, comment_id in db.execute(
        select(RegisterSource.item_id, RegisterSource.comment_id)
        .join(RegisterItem)
        .where(RegisterItem.consultation_id == consultation.id)
    ):
        linked.setdefault(comment_id, []).append(item_id)
    return [
        Candidate(
            cid,
            kind,
            text,
            uc_id,
            uc_title,
            str((content or {}).get("question", "")),
            int(n),
            tuple(sorted(linked.get(cid, ()))),
        )
        for cid, kind, text, uc_id, uc_title, content, n in rows
    ]


def register_items(db: DbSession, consultation: Consultation) -> list[RegisterItem]:
    return list(
        db.scalars(
            select(RegisterItem).where(RegisterItem.consultation_id == consultation.id).order_by(RegisterItem.id)
        )
    )


def item_sources(db: DbSession, items: Sequence[RegisterItem]) -> dict[int, list[int]]:
    """Return each item's source comment ids."""
    out: dict[int, list[int]] = {i.id: [] for i in items}
    if items:
        for item_id, comment_id in db.execute(
            select(RegisterSource.item_id, RegisterSource.comment_id)
            .where(RegisterSource.item_id.in_(list(out)))
            .order_by(RegisterSource.comment_id)
        ):
            out[item_id].append(comment_id)
    return out


def get_item(db: DbSession, consultation: Consultation, item_id: int) -> RegisterItem:
    found = db.scalar(
        select(RegisterItem).where(RegisterItem.id == item_id, RegisterItem.consultation_id == consultation.id)
    )
    if found is None:
        raise NotFound("register item")
    return found


def _approved_comments(db: DbSession, consultation: Consultation, comment_ids: Iterable[int]) -> list[Comment]:
    wanted = sorted({int(i) for i in comment_ids})
    if not wanted:
        raise Refused("Choose at least one comment.")
    found = list(
        db.scalars(
            select(Comment)
            .join(Workshop, Workshop.id == Comment.workshop_id)
            .where(
                Comment.id.in_(wanted),
                Workshop.consultation_id == consultation.id,
                Comment.status == "approved",
                Comment.safeguarding.is_(False),
            )
            .order_by(Comment.id)
        )
    )
    if len(found) != len(wanted):
        raise Refused("Some of those comments cannot be added. Only approved comments can go into the register.")
    return found


def _clean_text(text: str | None, what: str, *, required: bool) -> str:
    text = " ".join((text or "").split()) if what != "response" else (text or "").strip()
    if required and not text:
        raise Refused(f"Write the {what}.")
    if len(text) > TEXT_MAX:
        raise Refused(f"The {what} is too long. Please keep it under {TEXT_MAX} characters.")
    return text


def create_item(
    db: DbSession,
    consultation: Consultation,
    comment_ids: Iterable[int],
    *,
    text: str | None = None,
    kind: str | None = None,
) -> RegisterItem:
    """Make one register item from one or more approved comments (duplicates merged into one)."""
    comments = _approved_comments(db, consultation, comment_ids)
    if kind is None:
        kind = "condition" if all(c.kind == "condition" for c in comments) else "concern"
    if kind not in KINDS:
        raise Refused("Choose whether this is a condition or a concern.")
    step_use_cases = set(
        db.scalars(select(WorkshopStep.use_case_id).where(WorkshopStep.id.in_({c.step_id for c in comments})))
    )
    use_case_id = step_use_cases.pop() if len(step_use_cases) == 1 else None
    item = RegisterItem(
        consultation_id=consultation.id,
        use_case_id=use_case_id,
        kind=kind,
        text=_clean_text(text or comments[0].text, "wording", required=True),
        status="open",
    )
    db.add(item)
    db.flush()
    for c in comments:
        db.add(RegisterSource(item_id=item.id, comment_id=c.id))
    db.flush()
    return item


def add_sources(db: DbSession, consultation: Consultation, item: RegisterItem, comment_ids: Iterable[int]) -> int:
    """Merge more approved comments into an item; return how many were new to it."""
    comments = _approved_comments(db, consultation, comment_ids)
    have = set(db.scalars(select(RegisterSource.comment_id).where(RegisterSource.item_id == item.id)))
    added = 0
    for c in comments:
        if c.id not in have:
            db.add(RegisterSource(item_id=item.id, comment_id=c.id))
            added += 1
    db.flush()
    return added


def merge_items(db: DbSession, consultation: Consultation, keep: RegisterItem, other_id: int) -> None:
    """Merge a duplicate item into ``keep``: its comments move over, and it is removed."""
    other = get_item(db, consultation, other_id)
    if other.id == keep.id:
        raise Refused("Choose a different item to merge with.")
    have = set(db.scalars(select(RegisterSource.comment_id).where(RegisterSource.item_id == keep.id)))
    for comment_id in db.scalars(select(RegisterSource.comment_id).where(RegisterSource.item_id == other.id)):
        if comment_id not in have:
            db.add(RegisterSource(item_id=keep.id, comment_id=comment_id))
    if keep.use_case_id != other.use_case_id:
        keep.use_case_id = None
    db.flush()
    db.execute(delete(RegisterSource).where(RegisterSource.item_id == other.id))
    db.delete(other)
    db.flush()


def update_item(
    db: DbSession,
    item: RegisterItem,
    *,
    text: str,
    kind: str,
    classification: str | None,
    owner: str,
    response: str,
    status: str,
    decline_reason: str,
) -> None:
    """Classify and answer an item. Checks everything first, so bad input changes nothing."""
    if kind not in KINDS:
        raise Refused("Choose whether this is a condition or a concern.")
    if classification not in (None, "", *CLASSIFICATIONS):
        raise Refused("Choose act, influence or monitor, or leave it unclassified.")
    if status not in STATUSES:
        raise Refused("Choose a status: open, agreed, done or declined.")
    clean_text = _clean_text(text, "wording", required=True)
    clean_owner = _clean_text(owner, "owner", required=False)[:200]
    clean_response = _clean_text(response, "response", required=False)
    clean_reason = _clean_text(decline_reason, "reason", required=False)
    if status == "declined" and not clean_reason:
        raise Refused("Say why this was declined. People who asked for it will read the reason.")
    if status in ("agreed", "done") and not clean_response:
        raise Refused("Write a response before you mark this agreed or done.")
    item.text, item.kind, item.classification = clean_text, kind, classification or None
    item.owner, item.response, item.status = clean_owner, clean_response, status
    item.decline_reason = clean_reason if status == "declined" else ""
    item.updated_at = utcnow()


def delete_item(db: DbSession, item: RegisterItem) -> None:
    """Remove an item from the register (its comments stay in the record)."""
    db.execute(delete(RegisterSource).where(RegisterSource.item_id == item.id))
    db.delete(item)
    db.flush()


# --------------------------------------------------------------------------- withdrawal

# Shown where a register item's wording was a person's own words and they took them back,
# but the team had already answered it (the team's response stays, so the answer is not lost).
WORDING_WITHDRAWN = "The person who wrote this took back their answers, so their words have been removed."


def _plain(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .!?")


def _copied(item_text: str, comment_texts: Iterable[str]) -> bool:
    """True if an item's wording is one of these comments, or holds one of them whole.

    A comment of fewer than four words only counts when it is the whole wording: a short
    comment ("No", "Tell families") is too common to mean the item copied it.
    """
    wording = _plain(item_text)
    for text in comment_texts:
        said = _plain(text)
        if said and (said == wording or (len(said.split()) >= 4 and said in wording)):
            return True
    return False


def forget_wording(db: DbSession, comment_ids: Sequence[int]) -> None:
    """Remove register wording copied from these comments (a participant is withdrawing them).

    For each item the comments were merged into: if its wording is a copy of one of them, it
    takes the wording of the item's next source comment by someone else (as if the item had
    been made from that one); with no other source, the item goes, or, if the team has already
    answered it, keeps the team's answer with :data:`WORDING_WITHDRAWN` as its wording. Items
    in the team's own words stay, and only lose the link (the comments' deletion cascades).
    Every published outcome ("you said, we did") and stored record is changed the same way.
    Call this before the comments are deleted.
    """
    if not comment_ids:
        return
    mine = dict(db.execute(select(Comment.id, Comment.text).where(Comment.id.in_(list(comment_ids)))).tuples().all())
    item_ids = set(db.scalars(select(RegisterSource.item_id).where(RegisterSource.comment_id.in_(list(mine)))))
    changed: dict[int, str | None] = {}  # item id -> its new wording, or None if it went
    consultations: set[int] = set()
    for item in db.scalars(select(RegisterItem).where(RegisterItem.id.in_(item_ids)).order_by(RegisterItem.id)):
        if not _copied(item.text, mine.values()):
            continue
        consultations.add(item.consultation_id)
        others = db.scalars(
            select(Comment.text)
            .join(RegisterSource, RegisterSource.comment_id == Comment.id)
            .where(
                RegisterSource.item_id == item.id,
                Comment.id.not_in(list(mine)),
                Comment.status == "approved",
                Comment.safeguarding.is_(False),
            )
            .order_by(Comment.id)
        ).first()
        if others is not None:
            item.text = " ".join(others.split())[:TEXT_MAX]
        elif item.response or item.status != "open":
            item.text = WORDING_WITHDRAWN
        else:
            db.execute(delete(RegisterSource).where(RegisterSource.item_id == item.id))
            db.delete(item)
            changed[item.id] = None
            continue
        item.updated_at = utcnow()
        changed[item.id] = item.text
    if changed:
        _forget_in_snapshots(db, consultations, changed)
    db.flush()


# Shown where a register item's wording was a participant's own words and the retention
# period has ended (the team did not keep comments, or this one failed the fresh screen).
WORDING_EXPIRED = "These were a participant's own words. They were removed when the raw answers were deleted."


def expire_copied_wording(
    db: DbSession, consultation: Consultation, kept: Callable[[int, str], bool] | None = None
) -> int:
    """At the end of the retention period, replace register wording copied from a comment.

    An item whose wording is a copy of one of its source comments (see :func:`_copied`) gets
    :data:`WORDING_EXPIRED` as its wording, unless ``kept(comment_id, text)`` says that
    comment is kept after the retention period. Items in the team's own words, their answers
    and statuses stay. Stored records and published outcomes change the same way. Returns how
    many changed. Call this before the comments are deleted.
    """
    sources: dict[int, list[tuple[int, str]]] = {}
    for item_id, comment_id, text in db.execute(
        select(RegisterSource.item_id, Comment.id, Comment.text)
        .join(Comment, Comment.id == RegisterSource.comment_id)
        .join(RegisterItem, RegisterItem.id == RegisterSource.item_id)
        .where(RegisterItem.consultation_id == consultation.id)
    ):
        sources.setdefault(item_id, []).append((comment_id, text))
    changed: dict[int, str | None] = {}
    for item in register_items(db, consultation):
        going = [text for cid, text in sources.get(item.id, []) if kept is None or not kept(cid, text)]
        if _copied(item.text, going):
            item.text = WORDING_EXPIRED
            item.updated_at = utcnow()
            changed[item.id] = item.text
    if changed:
        _forget_in_snapshots(db, {consultation.id}, changed)
    db.flush()
    return len(changed)


def _forget_in_snapshots(db: DbSession, consultation_ids: Iterable[int], changed: Mapping[int, str | None]) -> None:
    """Lay the changed wording over every stored record and published outcome showing these items.

    ``changed`` maps an item to its new wording, or to None for an item removed. A finalised
    record keeps the SHA-256 it was finalised with (``RecordSnapshot.sha256``).
    """
    wanted = list(consultation_ids)
    for snapshot in db.scalars(select(RecordSnapshot).where(RecordSnapshot.consultation_id.in_(wanted))):
        entries = snapshot.record.get("register", [])
        if not any(isinstance(e, dict) and e.get("id") in changed for e in entries):
            continue
        if snapshot.reason == "finalised" and snapshot.sha256 is None:
            snapshot.sha256 = record_sha256(snapshot.record)
        register = []
        for entry in entries:
            if entry.get("id") in changed:
                wording = changed[entry["id"]]
                if wording is None:
                    continue
                entry = {**entry, "text": wording}
            register.append(entry)
        snapshot.record = {**snapshot.record, "register": register}
