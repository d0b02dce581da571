"""Frozen values passed between stages: the vocabulary every layer shares."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from refmail.errors import OverBudget as OverBudget


@dataclass(frozen=True)
class SentRef:
    """A message already in the conversation that a draft may reply to (and quote)."""

    message_id: str
    subject: str
    body: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Person:
    """Someone with an address; email is always lower-cased, name may be empty."""

    name: str
    email: str

    def formatted(self) -> str:
        from email.utils import formataddr

        return formataddr((self.name, self.email)) if self.name else self.email

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}


def first_values(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each header's first value by its lower-cased name (a repeated header's later values are not it)."""
    first: dict[str, str] = {}
    for key, value in headers:
        first.setdefault(key.lower(), value)
    return first


@dataclass(frozen=True)
class ParsedMessage:
    """One email, decoded and normalised once at the boundary.

    Message-IDs are stored without angle brackets. ``text`` is the decoded
    plain-text body (derived from HTML when that is all there is).
    ``attached`` holds messages carried as message/rfc822 parts.
    """

    message_id: str
    subject: str
    sender: Person | None
    to: tuple[Person, ...]
    cc: tuple[Person, ...]
    reply_to: tuple[Person, ...]
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]
    text: str
    attached: tuple["ParsedMessage", ...] = ()
    defects: tuple[str, ...] = ()
    # Text of message/delivery-status (and text/rfc822-headers) parts: what a DSN reports.
    delivery_status: str = ""
    # The text of text/calendar parts (meeting invitations and answers to them), undecoded iCalendar.
    calendars: tuple[str, ...] = ()
    # The addresses its contact cards give (attached .vcf parts and pasted cards): "here's Duncan's card".
    carded: frozenset[str] = frozenset()
    # Reads the messages carried in the body text (``embedded``), on first use.
    quoted_reader: Callable[[], tuple[ParsedMessage, ...]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def embedded(self) -> tuple[ParsedMessage, ...]:
        """Messages carried in the body text: an inline forward or the message a reply quotes.

        Read when first asked for: a bounce or an autoreply is decided before anyone asks, and the scan
        was a quarter of parsing one."""
        return self.quoted_reader() if self.quoted_reader is not None else ()

    @cached_property
    def _first_values(self) -> dict[str, str]:
        """Read about ten times a message, built once."""
        return first_values(self.headers)

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitive; None when absent."""
        return self._first_values.get(name.lower())

    def header_all(self, name: str) -> tuple[str, ...]:
        wanted = name.lower()
        return tuple(v for k, v in self.headers if k.lower() == wanted)

    @property
    def recipients(self) -> tuple[Person, ...]:
        return self.to + self.cc

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Every Message-ID this message points back to, nearest first."""
        ids = list(reversed(self.references))
        if self.in_reply_to and self.in_reply_to not in ids:
            ids.insert(0, self.in_reply_to)
        return tuple(ids)


@dataclass(frozen=True)
class ParseFailure:
    """Bytes that could not be read as an email, and why."""

    error: str


class Kind(enum.StrEnum):
    INTRO = "intro"
    DOUBLE_OPT_IN_ASK = "double_opt_in_ask"
    REPLY = "reply"
    AUTOREPLY = "autoreply"
    BOUNCE = "bounce"
    OTHER = "other"


class MessageKind(enum.StrEnum):
    """What a stored message was when no reading said (messages.kind holds a Kind's value otherwise)."""

    UNREADABLE = "unreadable"
    OURS = "ours"
    APPROVAL = "approval"
    ANSWER = "answer"
    CALENDAR = "calendar"
    OVER_BUDGET = "over_budget"
    REUSED_ID = "reused_id"


class ErrorStage(enum.StrEnum):
    """Where a message's processing stopped (messages.error_stage), for `refmail quarantine` and the digest."""

    PARSE = "parse"
    UNDERSTAND = "understand"
    PROCESS = "process"
    BUDGET = "budget"
    CONFLICT = "conflict"  # another worker raced us: retried next cycle, not yet quarantined
    REUSED_ID = "reused_id"


class Role(enum.StrEnum):
    """A party's part in a referral (parties.role)."""

    PROSPECT = "prospect"
    REFERRER = "referrer"


class TimelineKind(enum.StrEnum):
    """The broad kind of a timeline line, as `refmail show` prints it."""

    MESSAGE_IN = "message_in"
    MESSAGE_OUT = "message_out"
    STATE = "state"
    DRAFT = "draft"
    NOTE = "note"
    WHOSE = "whose"


class TimelineEvent(enum.StrEnum):
    """What a timeline line records, for readers (the digest) that must not match its wording."""

    INTRO = "intro"
    REPLY = "reply"  # the prospect answered (from any address of hers, or forwarded by the owner)
    UNTIED_REPLY = "untied_reply"  # a reply on the thread refmail could not tie to one prospect
    REFERRER_WROTE = "referrer_wrote"
    OWNER_WROTE = "owner_wrote"
    AUTOREPLY = "autoreply"
    BOUNCE = "bounce"
    MEETING = "meeting"


class Urgency(enum.StrEnum):
    URGENT = "urgent"
    DEADLINE = "deadline"
    RELAXED = "relaxed"


@dataclass(frozen=True)
class Reading:
    """One way an unsure message could be an intro: who introduced whom, for the owner to confirm."""

    referrer: Person | None
    prospects: tuple[Person, ...]
    score: float = 0.0
    owner_is_referrer: bool = False
    intro_message_id: str | None = None
    context: str = ""
    urgency: "Urgency | None" = None
    # Read from the thread's structure, not scored: someone from another firm copied onto a reply and named in it.
    copied_in: bool = False

    def as_dict(self) -> dict:
        return {"referrer": self.referrer.as_dict() if self.referrer else None,
                "prospects": [p.as_dict() for p in self.prospects]}


@dataclass(frozen=True)
class Understanding:
    """What refmail makes of one message, with the trail of why."""

    kind: Kind
    confidence: float
    referrer: Person | None = None
    prospects: tuple[Person, ...] = ()
    receiver: Person | None = None
    context: str = ""
    urgency: Urgency | None = None
    reasons: tuple[str, ...] = ()
    reply_text: str | None = None
    return_date: date | None = None
    permanent: bool = False
    do_not_contact: bool = False
    failed_addresses: tuple[str, ...] = ()
    owner_is_referrer: bool = False
    intro_message_id: str | None = None
    # An intro seen through a prospect's reply on its thread: the message is also that prospect's
    # reply (reply_text holds the new text), so a referral that already exists counts it as replied.
    prospect_replied: bool = False
    # Who that reply is from: the sender, or (the owner forwarding it) the writer of the forwarded reply.
    replied_by: Person | None = None
    # The intro score sat in the question band (detection.thresholds): refmail is unsure and the owner
    # decides; `readings` are its best guesses, best first (there may be none it could name).
    unsure: bool = False
    readings: tuple[Reading, ...] = ()

    @property
    def is_intro(self) -> bool:
        return self.kind is Kind.INTRO


@dataclass(frozen=True)
class Identity:
    """Who refmail works for: the owner's addresses and the assistant's."""

    owner: Person
    owner_aliases: tuple[str, ...] = ()
    assistant: str = ""

    @property
    def owner_emails(self) -> frozenset[str]:
        return frozenset({self.owner.email, *self.owner_aliases})

    def is_owner(self, email: str) -> bool:
        return email.lower() in self.owner_emails

    def is_assistant(self, email: str) -> bool:
        """The assistant address, or a plus-address of the owner used as one."""
        email = email.lower()
        if self.assistant and email == self.assistant.lower():
            return True
        local, _, domain = email.partition("@")
        for own in self.owner_emails:
            o_local, _, o_domain = own.partition("@")
            if domain == o_domain and local.startswith(o_local + "+refmail"):
                return True
        return False

    def is_ours(self, email: str) -> bool:
        return self.is_owner(email) or self.is_assistant(email)


@dataclass(frozen=True)
class OutgoingMail:
    """A message ready for SMTP: the bytes plus the envelope."""

    message_id: str
    sender: str
    recipients: tuple[str, ...]
    data: bytes


@dataclass(frozen=True)
class FetchedMessage:
    """A message as it came off IMAP, before parsing."""

    folder: str
    uidvalidity: int
    uid: int
    raw: bytes
    flags: tuple[str, ...] = field(default=())
    # True when only the header was read (refmail did not need the body): raw holds the header block.
    skipped: bool = False


