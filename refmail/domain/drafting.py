"""CreateDraft effect + what we know of the referral -> DraftSpec: recipients, threading, template data."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from refmail.domain.introline import about_prospect
from refmail.domain.mailtext import first_name, greeting_name
from refmail.domain.kinds import DraftKind
from refmail.domain.types import Person, SentRef


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
    # The rule first_touch.bcc_referrer: the referrer is on the first touch's envelope, and the text says so.
    bcc_referrer: bool = False
    # A thank-you to this referrer rather than the credited one (a prospect introduced again by someone else).
    thank_to: Person | None = None
    unanswered: int = 0
    already_contacted: bool = False
    prospect_replied: bool = False
    zone: tzinfo = UTC
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
    bcc: tuple[Person, ...] = ()


def display_name(person: Person | None) -> str:
    if person is None:
        return ""
    name = person.name.strip()
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    return name or person.email


def names_list(names: list[str]) -> str:
    """'Carol', 'Carol and Dan', 'Carol, Dan and Eve': how a person writes a list of names."""
    names = [n for n in names if n]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}" if names else ""


def attribution(when: datetime | None, who: Person, zone: tzinfo) -> str:
    """The line a mail client puts above a quote: 'On Tue, 2 Mar 2027 at 15:04, Olivia Owner wrote:'."""
    if when is None:
        return f"{display_name(who)} wrote:"
    local = when.astimezone(zone)
    return f"On {local:%a}, {local.day} {local:%b %Y} at {local:%H:%M}, {display_name(who)} wrote:"


def quote(text: str) -> str:
    return "\n".join(">" if not line.strip() else f"> {line}" for line in text.strip().splitlines())


def _names_subject(subject: str, referrer: Person | None) -> bool:
    if referrer is None:
        return True
    lowered = subject.lower()
    return any(n and n.lower() in lowered for n in (display_name(referrer), first_name(referrer)))


def _about(facts: ReferralFacts) -> str:
    names = [n for p in facts.prospects for n in (display_name(p), first_name(p))]
    others = [display_name(facts.owner), first_name(facts.owner)] + [display_name(r) for r in facts.referrers]
    return about_prospect(facts.context, names, first_name(facts.referrer), group=len(facts.prospects) > 1,
                          other_names=others)


def plan(kind: DraftKind, facts: ReferralFacts) -> DraftSpec:
    """Who a draft goes to and which thread it joins; the words come from templates."""
    intro_refs = (facts.intro_message_id,) if facts.intro_message_id else ()
    to_referrers = facts.referrers[:1]
    reply_subject = None
    bcc: tuple[Person, ...] = ()
    first = facts.first_touch
    if kind in (DraftKind.FIRST_TOUCH,):
        to, in_reply_to, refs = facts.prospects, facts.intro_message_id, intro_refs
        taken = {p.email for p in facts.prospects} | {facts.owner.email}
        if facts.bcc_referrer and facts.referrer is not None and facts.referrer.email not in taken:
            bcc = (facts.referrer,)
    elif kind is DraftKind.SECOND_TOUCH:
        to = facts.prospects
        in_reply_to = first.message_id if first else facts.intro_message_id
        refs = intro_refs + ((first.message_id,) if first else ())
        # Same thread, and the referrer's name still in the subject (seed 001): a hand-written first touch
        # whose subject does not name her gets the template's subject instead.
        if first and _names_subject(first.subject, facts.referrer):
            reply_subject = first.subject if first.subject.lower().startswith("re:") else f"Re: {first.subject}"
    elif kind is DraftKind.CHECK_IN:
        to, in_reply_to, refs = facts.prospects, facts.intro_message_id, intro_refs
    elif kind is DraftKind.THANK_SOURCE and facts.thank_to is not None:
        to, in_reply_to, refs = (facts.thank_to,), facts.intro_message_id, intro_refs
    else:
        to, in_reply_to, refs = to_referrers, facts.intro_message_id, intro_refs
    thanked = facts.thank_to if kind is DraftKind.THANK_SOURCE and facts.thank_to is not None else facts.referrer
    greetings = [greeting_name(p) for p in facts.prospects]
    # Someone known only by an initial or an address is greeted without a name ("Hi there,", never "Hi A,")
    # and named to the referrer by her address.
    firsts = [g or display_name(p) for g, p in zip(greetings, facts.prospects)]
    hello = names_list(firsts) if all(greetings) else "there" if len(greetings) == 1 else "all"
    names = [display_name(p) for p in facts.prospects]
    data: dict[str, object] = {
        "owner": facts.owner,
        "owner_first": first_name(facts.owner),
        "owner_name": display_name(facts.owner),
        "referrer": thanked,
        "referrer_first": greeting_name(thanked) or first_name(thanked),
        "referrer_name": display_name(thanked),
        "prospects": facts.prospects,
        "prospect_firsts": firsts,
        "prospect_names": names,
        "prospect_greeting": names_list(firsts),
        "prospect_hello": hello,
        "prospect_list": names_list(names),
        "plural": len(facts.prospects) > 1,
        "intro_subject": facts.intro_subject,
        "context": facts.context,
        "about_prospect": _about(facts) if kind is DraftKind.FIRST_TOUCH else "",
        "bcc_referrer": bool(bcc),
        "first_touch_quote": (f"{attribution(first.sent_at, facts.owner, facts.zone)}\n{quote(first.body)}"
                              if first and first.body.strip() else ""),
        "messages_sent": facts.unanswered,
        "already_contacted": facts.already_contacted,
        "prospect_replied": facts.prospect_replied,
        "reply_text": facts.reply_text or "",
        "bounced_address": facts.bounced_address or "",
        "meeting_day": facts.meeting_day,
    }
    return DraftSpec(kind, tuple(to), (), in_reply_to or None, refs, reply_subject, data, bcc)


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
