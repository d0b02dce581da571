"""CreateDraft effect + what we know of the referral -> DraftSpec: recipients, threading, template data."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from refmail.domain.rules import DraftKind
from refmail.domain.types import Person


@dataclass(frozen=True)
class SentRef:
    """A message already in the conversation that a draft may reply to."""

    message_id: str
    subject: str


@dataclass(frozen=True)
class ReferralFacts:
    """Everything a template may say about a referral, gathered by the app from the store."""

    referral_id: str
    owner: Person
    referrers: tuple[Person, ...]
    prospects: tuple[Person, ...]
    intro_subject: str
    intro_message_id: str
    context: str = ""
    first_touch: SentRef | None = None
    reply_text: str | None = None
    bounced_address: str | None = None
    owner_is_referrer: bool = False
    # "on Thursday 19 November at 10:00", in the owner's zone: when a meeting is known.
    meeting_day: str = ""

    @property
    def referrer(self) -> Person | None:
        return self.referrers[0] if self.referrers else None


@dataclass(frozen=True)
class DraftSpec:
    kind: DraftKind
    to: tuple[Person, ...]
    cc: tuple[Person, ...]
    in_reply_to: str | None
    references: tuple[str, ...]
    reply_subject: str | None
    data: dict[str, object] = field(hash=False, compare=False)


def first_name(person: Person | None) -> str:
    """The name to greet someone by; falls back to the address's local part."""
    if person is None:
        return ""
    name = person.name.strip()
    if "," in name:  # "Last, First"
        name = name.split(",", 1)[1].strip()
    if name:
        return name.split()[0]
    return person.email.split("@")[0].split(".")[0].capitalize()


def display_name(person: Person | None) -> str:
    if person is None:
        return ""
    name = person.name.strip()
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    return name or person.email


def plan(kind: DraftKind, facts: ReferralFacts) -> DraftSpec:
    """Who a draft goes to and which thread it joins; the words come from templates."""
    intro_refs = (facts.intro_message_id,) if facts.intro_message_id else ()
    to_referrers = facts.referrers[:1]
    reply_subject = None
    if kind in (DraftKind.FIRST_TOUCH,):
        to, in_reply_to, refs = facts.prospects, facts.intro_message_id, intro_refs
    elif kind is DraftKind.SECOND_TOUCH:
        first = facts.first_touch
        to = facts.prospects
        in_reply_to = first.message_id if first else facts.intro_message_id
        refs = intro_refs + ((first.message_id,) if first else ())
        if first:
            reply_subject = first.subject if first.subject.lower().startswith("re:") else f"Re: {first.subject}"
    elif kind is DraftKind.CHECK_IN:
        to, in_reply_to, refs = facts.prospects, facts.intro_message_id, intro_refs
    else:
        to, in_reply_to, refs = to_referrers, facts.intro_message_id, intro_refs
    data: dict[str, object] = {
        "owner": facts.owner,
        "owner_first": first_name(facts.owner),
        "owner_name": display_name(facts.owner),
        "referrer": facts.referrer,
        "referrer_first": first_name(facts.referrer),
        "referrer_name": display_name(facts.referrer),
        "prospects": facts.prospects,
        "prospect_firsts": [first_name(p) for p in facts.prospects],
        "prospect_names": [display_name(p) for p in facts.prospects],
        "intro_subject": facts.intro_subject,
        "context": facts.context,
        "reply_text": facts.reply_text or "",
        "bounced_address": facts.bounced_address or "",
        "meeting_day": facts.meeting_day,
    }
    return DraftSpec(kind, tuple(to), (), in_reply_to or None, refs, reply_subject, data)


ID_LENGTHS = (7, 9, 11, 13, 40)


def draft_ids(referral: str, kind: DraftKind, seq: int) -> tuple[str, ...]:
    """Short and stable: the same referral, kind and sequence always give the same candidates.

    The store takes the first one not already used, so a prefix collision only lengthens an ID.
    """
    digest = hashlib.sha256(f"{referral}/{kind}/{seq}".encode()).hexdigest()
    return tuple("d" + digest[:n] for n in ID_LENGTHS)


def referral_ids(intro_message_id: str) -> tuple[str, ...]:
    digest = hashlib.sha256(intro_message_id.encode()).hexdigest()
    return tuple("r" + digest[:n] for n in ID_LENGTHS)


def outgoing_message_id(draft: str, owner_email: str, secret: bytes) -> str:
    """Fixed per draft (outbox idempotence); recognisable as ours by its `refmail.` prefix.

    Keyed (HMAC), because it goes to strangers: an unkeyed hash of part of the secret let anyone who
    received one of our messages search for the secret offline, and predict our Message-IDs.
    """
    domain = owner_email.rpartition("@")[2] or "refmail.invalid"
    digest = hmac.new(secret, f"message-id/{draft}".encode(), hashlib.sha256).hexdigest()[:24]
    return f"refmail.{draft}.{digest}@{domain}"
