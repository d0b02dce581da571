"""The tables: what refmail remembers between cycles, and across restarts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from refmail.domain.outbox import DraftStatus


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        from datetime import UTC

        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        from datetime import UTC

        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DraftStatusType(TypeDecorator[DraftStatus]):
    """A draft's status as the outbox's enum: a word outside it never reaches the table, nor comes out."""

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else DraftStatus(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> DraftStatus | None:
        return None if value is None else DraftStatus(value)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Meta(Base):
    """Small settings refmail keeps for itself (the generated secret)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class FolderCheckpoint(Base):
    """How far intake has read one folder: (account, folder, UIDVALIDITY, last UID)."""

    __tablename__ = "folder_checkpoints"
    account: Mapped[str] = mapped_column(String(320), primary_key=True)
    folder: Mapped[str] = mapped_column(String(255), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Message(Base):
    """Every message intake stored, raw, before anything else looked at it."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    account: Mapped[str] = mapped_column(String(320))
    folder: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(16))  # intake | inbox | sent
    uid: Mapped[int] = mapped_column(BigInteger)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Who sent it, once parsed: a late intro looks back for its prospect's earlier mail.
    sender: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    # Minutes east of UTC in its Date header (None for -0000 or no date): the sender's time zone.
    utc_offset: Mapped[int | None] = mapped_column(Integer, nullable=True)
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("referrals.id"), nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # How mail handed to the assistant ended (domain/outcome.py): never nothing.
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)

    __table_args__ = (Index("ix_messages_unprocessed", "processed_at"),)


class Referral(Base):
    __tablename__ = "referrals"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    intro_message_id: Mapped[str] = mapped_column(String(998), index=True)
    intro_subject: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str | None] = mapped_column(String(16), nullable=True)
    owner_is_referrer: Mapped[bool] = mapped_column(Boolean, default=False)
    cadence: Mapped[dict[str, Any]] = mapped_column(JSON)
    unanswered: Mapped[int] = mapped_column(Integer, default=0)
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the owner and the prospect meet (a calendar invitation's start), once known.
    meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Party(Base):
    """A person on a referral: its referrer(s) and prospect(s)."""

    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # referrer | prospect
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    credited: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("referral_id", "role", "email"),)


class PersonAlias(Base):
    """Another address someone answered from on a referral's thread: mail from it is hers."""

    __tablename__ = "person_aliases"
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    person_email: Mapped[str] = mapped_column(String(320), index=True)
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("referrals.id"), nullable=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ThreadLink(Base):
    """A Message-ID that belongs to a referral's conversation (intro, ours, replies)."""

    __tablename__ = "thread_links"
    message_id: Mapped[str] = mapped_column(String(998), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), index=True)


class Draft(Base):
    """A message refmail wants to send; the outbox is drafts with status approved/sending."""

    __tablename__ = "drafts"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[DraftStatus] = mapped_column(DraftStatusType, index=True)
    to: Mapped[list[Any]] = mapped_column(JSON)
    cc: Mapped[list[Any]] = mapped_column(JSON)
    # On the SMTP envelope only, never in the headers the recipients see (the referrer of a first touch).
    bcc: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    original_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998), nullable=True)
    references: Mapped[list[Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    approval_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Drafts-folder mode: when a copy was put in her Drafts folder, and when refmail took it out again.
    drafts_copy_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    drafts_copy_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_drafts_outbox", "status", "next_attempt_at"),)


class DueAction(Base):
    """Work the clock will trigger: a row, so a restart loses nothing."""

    __tablename__ = "due_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_due_actions_pending", "done_at", "due_at"),)


class Absence(Base):
    """A person's stated absence (out of office): it holds every open referral with them."""

    __tablename__ = "absences"
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TimelineEntry(Base):
    __tablename__ = "timeline"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ApprovalAttempt(Base):
    """An approval reply refmail refused, kept for the digest."""

    __tablename__ = "approval_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    sender: Mapped[str] = mapped_column(String(320))
    draft_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DigestRun(Base):
    """One row per local day: the primary key makes the digest go out once, whoever races."""

    __tablename__ = "digests"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(998), nullable=True)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)


class Question(Base):
    """A message refmail could not place: asked about by email (intake) or listed as a possible intro (her inbox)."""

    __tablename__ = "questions"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    message_row: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    message_id: Mapped[str] = mapped_column(String(998))
    intro_message_id: Mapped[str] = mapped_column(String(998), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | digest
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | answered | dismissed
    subject: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(String(700))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    readings: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    asked_message_id: Mapped[str | None] = mapped_column(String(998), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("referrals.id"), nullable=True)
