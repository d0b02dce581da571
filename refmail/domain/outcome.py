"""How a message ends: mail handed to the assistant always ends in one of four outcomes, never in silence."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from refmail.domain.types import Kind, Understanding


class Outcome(enum.StrEnum):
    REFERRAL = "referral"  # it started (or joined) a referral
    EVENT = "event"  # it is news on a referral refmail follows (a reply, an answer, an out-of-office, a bounce)
    NOT_INTRO = "not_intro"  # surely no intro: listed in the next digest with the reason
    QUESTION = "question"  # unsure: the owner is asked (by email)
    POSSIBLE = "possible"  # her own inbox, unsure: listed in the digest as a possible intro, never mailed
    UNRELATED = "unrelated"  # her own inbox, nothing to do: the rest of her mail
    QUARANTINED = "quarantined"  # refmail failed on it: kept, listed, retryable


HANDED = frozenset({Outcome.REFERRAL, Outcome.EVENT, Outcome.NOT_INTRO, Outcome.QUESTION})


@dataclass(frozen=True)
class Facts:
    """What handling the message did, as the app saw it."""

    handed: bool  # addressed to the assistant (To/Cc/Bcc, forwarded to it): refmail owes an answer
    referral: bool  # a referral was created or joined from it
    event: bool  # it was recorded on a referral refmail follows
    intro_unplaced: bool = False  # detection found an intro but could not name whom it introduces
    # An unsure reading names someone no referral it was news on follows (the owner introducing a client to
    # someone new, the assistant copied): the news is recorded, and the owner is asked about the rest too.
    asks: bool = False


def settle(facts: Facts, u: Understanding | None) -> Outcome:
    """The message's one outcome. Unsure mail is asked about when handed to refmail, listed when only seen."""
    if facts.referral:
        return Outcome.REFERRAL
    if facts.event and not facts.asks:
        return Outcome.EVENT
    unsure = u is not None and (u.unsure or facts.intro_unplaced or u.kind is Kind.INTRO)
    if facts.handed:
        return Outcome.QUESTION if unsure else Outcome.NOT_INTRO
    return Outcome.POSSIBLE if unsure else Outcome.UNRELATED


_WHY = {
    Kind.AUTOREPLY: "an automatic reply (out of office or similar), about no referral refmail follows",
    Kind.BOUNCE: "a delivery failure notice, about no referral refmail follows",
    Kind.DOUBLE_OPT_IN_ASK: "asks whether you would like an introduction (nothing is made yet): answer the sender",
    Kind.REPLY: "a reply on a thread that is no referral refmail follows",
}


def why_not(u: Understanding) -> str:
    """One line for the digest: why refmail is sure this is no introduction."""
    if u.kind in _WHY:
        return _WHY[u.kind]
    detail = next((r for r in u.reasons if r.startswith("not an intro")), "")
    set_aside = u.reasons[-1] if u.reasons and u.reasons[-1] != "nothing to act on" else ""
    parts = [p for p in (set_aside if set_aside != detail else "", detail) if p]
    return "; ".join(parts) or "nothing in it introduces anyone"
