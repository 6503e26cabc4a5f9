"""Typed SQLAlchemy 2 models: the persistence shape only, no business rules.

Privacy by construction: no table has a column for a participant's name, email or IP
address. A participant is a random token; their receipt code is stored only as a hash.
Free text is stored only after redaction.

Models subclass ``extensions.Base`` itself rather than ``db.Model``: Flask-SQLAlchemy builds
``db.Model`` at run time from that same class (same registry, same metadata), so nothing
changes for the database, but only ``Base`` is visible to the type checker. Every column and
relationship is then checked wherever services use it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .extensions import Base


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes; SQLite forgets the zone, so put UTC back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Facilitator(Base):
    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Logging out ends every session started before this moment, even a copied cookie.
    logged_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultationMember(Base):
    """A facilitator added to a consultation they do not own."""

    __tablename__ = "consultation_member"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"), primary_key=True)


class Consultation(Base):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"))
    k_threshold: Mapped[int] = mapped_column(Integer, default=5)
    retention_days: Mapped[int] = mapped_column(Integer, default=365)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    public_outcome: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_summary: Mapped[str] = mapped_column(Text, default="")
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The project team's choice: after the retention period, keep approved comments that pass
    # a fresh redaction screen (True), or remove all free text from the record (False).
    keep_comments_after_retention: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sql_text("false")
    )

    owner: Mapped[Facilitator] = relationship()
    use_cases: Mapped[list[UseCase]] = relationship(
        back_populates="consultation", order_by="UseCase.position", cascade="all, delete-orphan"
    )
    workshops: Mapped[list[Workshop]] = relationship(
        back_populates="consultation", order_by="Workshop.id", cascade="all, delete-orphan"
    )


class UseCase(Base):
    """A card describing one proposed ML use, owned by one consultation."""

    __tablename__ = "use_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    library_id: Mapped[str | None] = mapped_column(String(80))
    library_version: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    benefit: Mapped[str] = mapped_column(Text, default="")
    computer_does: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(Text)
    data_used: Mapped[str] = mapped_column(Text)
    who_affected: Mapped[str] = mapped_column(Text)
    wrong_false_alarm: Mapped[str] = mapped_column(Text)
    wrong_missed: Mapped[str] = mapped_column(Text)
    who_sees: Mapped[str] = mapped_column(Text)
    challenge: Mapped[str] = mapped_column(Text)
    parallel: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="use_cases")


class Workshop(Base):
    """One live event of a consultation, with its live state."""

    __tablename__ = "workshop"
    __table_args__ = (
        # A join code is unique among workshops that have not ended.
        Index(
            "uq_workshop_open_join_code",
            "join_code",
            unique=True,
            sqlite_where=sql_text("status != 'ended'"),
            postgresql_where=sql_text("status != 'ended'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    pack_id: Mapped[str] = mapped_column(String(80))
    pack_version: Mapped[int] = mapped_column(Integer)
    join_code: Mapped[str] = mapped_column(String(6))
    projector_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="ready")  # ready | live | ended
    joining_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sql_text("true"))
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    answering_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    revealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    timer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_version: Mapped[int] = mapped_column(Integer, default=1)
    # Who joined, by role, as the console last showed it ({"max_id", "total", "roles"}), kept so
    # the console's role table moves only once at least k people joined or left (services.live).
    roles_released: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    moderation: Mapped[str] = mapped_column(String(8), default="pre")  # pre | post
    redaction_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    safeguarding_phrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # One person, one voice: presence | invitation | open (see domain/presence.py).
    protection: Mapped[str] = mapped_column(String(12), default="open", server_default="open")
    # The key presence codes are derived from; the codes themselves are never stored.
    presence_secret: Mapped[str | None] = mapped_column(String(64))
    expected_attendance: Mapped[int | None] = mapped_column(Integer)
    join_cap: Mapped[int | None] = mapped_column(Integer)
    # A one-time code enrolling a shared tablet: its hash and when it stops working.
    tablet_code_hash: Mapped[str | None] = mapped_column(String(64))
    tablet_code_expires: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship(back_populates="workshops")
    steps: Mapped[list[WorkshopStep]] = relationship(
        back_populates="workshop", order_by="WorkshopStep.position", cascade="all, delete-orphan"
    )


class WorkshopStep(Base):
    """One step of a workshop, frozen at creation: exactly what participants were shown."""

    __tablename__ = "workshop_step"
    __table_args__ = (UniqueConstraint("workshop_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    step_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))  # info | card | prompt
    prompt_type: Mapped[str | None] = mapped_column(String(12))
    use_case_id: Mapped[int | None] = mapped_column(ForeignKey("use_case.id", ondelete="SET NULL"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The answers last shown on the big screen ({"counts": [[key, n], ...]}), kept so the shown
    # results move only once at least k answers have come in or changed (domain/release.py).
    released: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    workshop: Mapped[Workshop] = relationship(back_populates="steps")


class Participant(Base):
    """An anonymous participant: a random token, never a name, email or IP address."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str | None] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8), default="en")
    assisted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InvitationCode(Base):
    """A single-use invitation to a self-paced round, kept only as a hash.

    An unordered set per workshop: no id, no time, no link to the participant it let in, so
    nobody holding the database can tell which card was used by whom, or when.
    """

    __tablename__ = "invitation_code"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))


class Response(Base):
    """A participant's current answer to one step: one row per participant per step."""

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("participant_id", "step_id"),
        Index("ix_response_step_key", "step_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    step_id: Mapped[int] = mapped_column(ForeignKey("workshop_step.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    # The answer's categorical key(s) for fast counting: "consent", "4", "care,protect".
    key: Mapped[str | None] = mapped_column(String(400))
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # This answer's key as it was in the results last shown on the big screen ("" for no key);
    # None when it was not among them. Deleted with the answer.
    released_key: Mapped[str | None] = mapped_column(String(401))


class Comment(Base):
    """Redacted free text: a comment, a condition or an objection's reason."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("workshop_step.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    # Indexed: changing an answer deletes the conditions or reasons given with the old one.
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # comment | condition | objection
    text: Mapped[str] = mapped_column(Text)
    values: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | approved | hidden
    hide_reason: Mapped[str | None] = mapped_column(String(20))
    safeguarding: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    redactions: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MeToo(Base):
    """One participant's support for an approved comment or condition."""

    __tablename__ = "me_too"
    __table_args__ = (UniqueConstraint("comment_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))


class ControlEvent(Base):
    """A facilitator's control action, with its time, for the record."""

    __tablename__ = "control_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("facilitator.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    step_position: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ModerationEvent(Base):
    """A moderation decision: counts and reasons only, never content."""

    __tablename__ = "moderation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))  # approve | hide | redact | safeguarding
    reason: Mapped[str | None] = mapped_column(String(20))


class SafeguardingAlert(Base):
    """A private alert to the facilitator. Stores no identity."""

    __tablename__ = "safeguarding_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="SET NULL"))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RegisterItem(Base):
    """An item of the conditions register, answered by the project team."""

    __tablename__ = "register_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    use_case_id: Mapped[int | None] = mapped_column(ForeignKey("use_case.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12))  # condition | concern
    text: Mapped[str] = mapped_column(Text)
    classification: Mapped[str | None] = mapped_column(String(12))  # act | influence | monitor
    owner: Mapped[str] = mapped_column(String(200), default="")
    response: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | agreed | done | declined
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RegisterSource(Base):
    """A comment merged into a register item."""

    __tablename__ = "register_source"

    item_id: Mapped[int] = mapped_column(ForeignKey("register_item.id", ondelete="CASCADE"), primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)


class RecordSnapshot(Base):
    """The aggregated, suppressed record, kept after raw answers are purged."""

    __tablename__ = "record_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))  # finalised | purge | published
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The SHA-256 of the record as first stored. A finalised record keeps it when its free
    # text is removed at the end of the retention period, so copies made before still verify.
    sha256: Mapped[str | None] = mapped_column(String(64))


class WithdrawalCount(Base):
    """How many participants withdrew from a workshop: a number, nothing else."""

    __tablename__ = "withdrawal_count"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
