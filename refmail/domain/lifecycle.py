"""The referral state machine: step(referral, event, now, rules) -> new referral + effects.

A transition table, not a tangle of ifs: a (state, event) pair missing from
the table raises InvalidTransition, and every transition that happens lands in
the timeline (the app records `Transition.note`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from refmail.domain.cadence import add_business_days, next_send_time
from refmail.domain.kinds import DraftKind
from refmail.errors import InvalidTransition

if TYPE_CHECKING:  # annotations only: `refmail referrals` reads states without validating rules.yaml
    from refmail.domain.rules import Cadence, Rules


class State(enum.StrEnum):
    DETECTED = "detected"
    AWAITING_APPROVAL = "awaiting_approval"
    CONTACTED = "contacted"
    FOLLOWED_UP = "followed_up"
    ESCALATED = "escalated"
    CLOSED_NO_RESPONSE = "closed_no_response"
    REPLIED = "replied"
    HANDLED_BY_OWNER = "handled_by_owner"
    MET = "met"
    WON = "won"
    LOST = "lost"
    BOUNCED = "bounced"
    DO_NOT_CONTACT = "do_not_contact"
    CANCELLED = "cancelled"


ACTIVE = frozenset({State.DETECTED, State.AWAITING_APPROVAL, State.CONTACTED, State.FOLLOWED_UP, State.ESCALATED})
ENGAGED = frozenset({State.REPLIED, State.HANDLED_BY_OWNER, State.MET})
# The prospect has answered (or the owner met her): mail reaches her, whatever a bounce says.
HEARD_FROM = frozenset({State.REPLIED, State.MET})
OPEN = ACTIVE | ENGAGED

# Drafts that speak to the prospect: they die the moment the prospect answers.
PROSPECT_FACING = frozenset({DraftKind.FIRST_TOUCH, DraftKind.SECOND_TOUCH})
# The cadence steps that are drafted when their time comes.
CADENCE_DRAFTS = PROSPECT_FACING | {DraftKind.ESCALATION, DraftKind.CHECK_IN}


class DueKind(enum.StrEnum):
    SECOND_TOUCH = "second_touch"
    ESCALATION = "escalation"
    CLOSE = "close"
    CHECK_IN = "check_in"


class Outcome(enum.StrEnum):
    MET = "met"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True)
class Referral:
    """What the state machine needs to know of a referral; the store holds the rest."""

    id: str
    state: State
    cadence: Cadence
    owner_is_referrer: bool = False
    unanswered: int = 0
    hold_until: datetime | None = None


# ---- events -------------------------------------------------------------


@dataclass(frozen=True)
class IntroDetected:
    # A prospect asked before not to be contacted: the referral is recorded, nothing is drafted.
    opted_out: bool = False
    # A group intro gives each prospect a referral; only the first thanks the referrer.
    thank_referrer: bool = True


@dataclass(frozen=True)
class Reintroduced:
    referrer_email: str
    # Someone new introduced the prospect: she is thanked too (issue 10), whoever the credit rule names.
    thank: bool = False


@dataclass(frozen=True)
class DraftSent:
    kind: DraftKind


@dataclass(frozen=True)
class DraftRejected:
    kind: DraftKind


@dataclass(frozen=True)
class Due:
    kind: DueKind


@dataclass(frozen=True)
class ProspectReplied:
    do_not_contact: bool = False


@dataclass(frozen=True)
class GroupAnswered:
    """Another prospect of the same group intro replied, and the rule says that answers for the group."""

    by: str


@dataclass(frozen=True)
class MeetingSet:
    """A calendar invitation between the owner and the prospect (sent, or accepted)."""

    start: datetime | None


@dataclass(frozen=True)
class OwnerWroteByHand:
    pass


@dataclass(frozen=True)
class AutoReplied:
    until: datetime | None


@dataclass(frozen=True)
class Bounced:
    address: str


@dataclass(frozen=True)
class OutcomeMarked:
    outcome: Outcome


@dataclass(frozen=True)
class Cancelled:
    pass


Event = (
    IntroDetected | Reintroduced | DraftSent | DraftRejected | Due | ProspectReplied | GroupAnswered | MeetingSet
    | OwnerWroteByHand | AutoReplied | Bounced | OutcomeMarked | Cancelled
)

# ---- effects ------------------------------------------------------------


@dataclass(frozen=True)
class CreateDraft:
    kind: DraftKind
    due_at: datetime
    # The one person it goes to, when not the usual (a thank-you to a second referrer), by address.
    recipient: str = ""


@dataclass(frozen=True)
class Schedule:
    kind: DueKind
    due_at: datetime


@dataclass(frozen=True)
class CancelSchedule:
    """Drop every pending due action of the referral."""


@dataclass(frozen=True)
class CancelDrafts:
    kinds: frozenset[DraftKind]


@dataclass(frozen=True)
class Postpone:
    """Move pending due actions and unsent prospect drafts to no earlier than `until`."""

    until: datetime


Effect = CreateDraft | Schedule | CancelSchedule | CancelDrafts | Postpone


@dataclass(frozen=True)
class Transition:
    referral: Referral
    effects: tuple[Effect, ...]
    note: str


Handler = Callable[[Referral, Event, datetime, "Rules"], Transition]


def _later(now: datetime, days: int, rules: Rules, hold: datetime | None = None) -> datetime:
    due = add_business_days(now, days, rules)
    if hold is not None and hold > due:
        due = next_send_time(hold, rules)
    return due


def _to(referral: Referral, state: State, note: str, *effects: Effect, **changes: object) -> Transition:
    return Transition(replace(referral, state=state, **changes), tuple(effects), note)


def _intro(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, IntroDetected)
    c = r.cadence
    if e.opted_out:
        return _to(r, State.DO_NOT_CONTACT, "the prospect asked earlier not to be contacted: nothing drafted")
    if r.owner_is_referrer:
        return _to(r, State.DETECTED, "owner introduced two contacts: check-in scheduled",
                   Schedule(DueKind.CHECK_IN, _later(now, c.check_in_after, rules)))
    if not e.thank_referrer:
        return _to(r, State.AWAITING_APPROVAL, "intro detected: first touch drafted (the group's first track "
                   "thanks the referrer)", CreateDraft(DraftKind.FIRST_TOUCH, _later(now, c.first_touch_due, rules)))
    return _to(r, State.AWAITING_APPROVAL, "intro detected: first touch and thank-you drafted",
               CreateDraft(DraftKind.FIRST_TOUCH, _later(now, c.first_touch_due, rules)),
               CreateDraft(DraftKind.THANK_SOURCE, _later(now, c.thank_source_due, rules)))


def _reintro(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, Reintroduced)
    if e.thank and not r.owner_is_referrer:
        return _to(r, r.state, f"introduced again by {e.referrer_email}: no second first touch, a thank-you drafted",
                   CreateDraft(DraftKind.THANK_SOURCE, _later(now, r.cadence.thank_source_due, rules),
                               recipient=e.referrer_email))
    return _to(r, r.state, f"introduced again by {e.referrer_email}: no second first touch")


def _sent(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, DraftSent)
    c = r.cadence
    if e.kind is DraftKind.FIRST_TOUCH and r.state in (State.AWAITING_APPROVAL, State.DETECTED):
        return _to(r, State.CONTACTED, "first touch sent",
                   Schedule(DueKind.SECOND_TOUCH, _later(now, c.second_touch_after, rules, r.hold_until)),
                   unanswered=r.unanswered + 1)
    if e.kind is DraftKind.SECOND_TOUCH and r.state is State.CONTACTED:
        return _to(r, State.FOLLOWED_UP, "second message sent",
                   Schedule(DueKind.ESCALATION, _later(now, c.escalation_after, rules)),
                   unanswered=r.unanswered + 1)
    if e.kind is DraftKind.ESCALATION and r.state in (State.CONTACTED, State.FOLLOWED_UP):
        return _to(r, State.ESCALATED, "escalation note sent to the referrer",
                   Schedule(DueKind.CLOSE, _later(now, c.close_after, rules)))
    if e.kind is DraftKind.CHECK_IN and r.state in (State.DETECTED, State.AWAITING_APPROVAL):
        return _to(r, State.CONTACTED, "check-in sent to both parties",
                   Schedule(DueKind.CLOSE, _later(now, c.close_after, rules)))
    if e.kind in CADENCE_DRAFTS:
        raise InvalidTransition(f"{e.kind} sent while the referral is {r.state}")
    return _to(r, r.state, f"{e.kind} sent")


def _rejected(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, DraftRejected)
    c = r.cadence
    if e.kind is DraftKind.FIRST_TOUCH and r.state is State.AWAITING_APPROVAL:
        return _to(r, State.CANCELLED, "first touch skipped by the owner: referral cancelled",
                   CancelSchedule(), CancelDrafts(frozenset(DraftKind)))
    if e.kind is DraftKind.SECOND_TOUCH and r.state is State.CONTACTED:
        return _to(r, r.state, "second message skipped: escalation scheduled",
                   Schedule(DueKind.ESCALATION, _later(now, c.escalation_after, rules)))
    if e.kind is DraftKind.ESCALATION and r.state in (State.CONTACTED, State.FOLLOWED_UP):
        return _to(r, State.ESCALATED, "escalation skipped: closing later",
                   Schedule(DueKind.CLOSE, _later(now, c.close_after, rules)))
    if e.kind is DraftKind.CHECK_IN and r.state in (State.DETECTED, State.AWAITING_APPROVAL):
        return _to(r, State.CANCELLED, "check-in skipped by the owner")
    return _to(r, r.state, f"{e.kind} skipped by the owner")


_DUE_STATES: dict[DueKind, frozenset[State]] = {
    DueKind.SECOND_TOUCH: frozenset({State.CONTACTED}),
    DueKind.ESCALATION: frozenset({State.CONTACTED, State.FOLLOWED_UP}),
    DueKind.CLOSE: frozenset({State.ESCALATED, State.CONTACTED}),  # contacted: a check-in nobody answered
    DueKind.CHECK_IN: frozenset({State.DETECTED}),
}


def _due(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, Due)
    c = r.cadence
    if r.state not in _DUE_STATES[e.kind]:
        # Checked before the hold: a step that no longer applies is dropped, never rescheduled.
        raise InvalidTransition(f"{e.kind} due while the referral is {r.state}")
    if r.hold_until is not None and r.hold_until > now and e.kind is not DueKind.CLOSE:
        return _to(r, r.state, f"{e.kind} held: prospect away", Schedule(e.kind, next_send_time(r.hold_until, rules)))
    if e.kind is DueKind.SECOND_TOUCH and r.state is State.CONTACTED:
        if r.unanswered >= c.max_unanswered:
            return _to(r, State.FOLLOWED_UP, "no more messages to the prospect: escalation scheduled",
                       Schedule(DueKind.ESCALATION, _later(now, c.escalation_after, rules)))
        return _to(r, r.state, "second message drafted", CreateDraft(DraftKind.SECOND_TOUCH, now))
    if e.kind is DueKind.ESCALATION and r.state in (State.CONTACTED, State.FOLLOWED_UP):
        return _to(r, r.state, "escalation note drafted", CreateDraft(DraftKind.ESCALATION, now))
    if e.kind is DueKind.CLOSE and r.state is State.ESCALATED:
        return _to(r, State.CLOSED_NO_RESPONSE, "no response after escalation: closed")
    if e.kind is DueKind.CLOSE and r.state is State.CONTACTED and r.owner_is_referrer:
        return _to(r, State.CLOSED_NO_RESPONSE, "no answer to the check-in: closed")
    if e.kind is DueKind.CHECK_IN and r.state is State.DETECTED:
        return _to(r, State.AWAITING_APPROVAL, "check-in drafted", CreateDraft(DraftKind.CHECK_IN, now))
    raise InvalidTransition(f"{e.kind} due while the referral is {r.state}")


def _replied(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, ProspectReplied)
    if e.do_not_contact:
        return _to(r, State.DO_NOT_CONTACT, "prospect asked not to be contacted",
                   CancelSchedule(), CancelDrafts(frozenset(DraftKind)), hold_until=None)
    if r.state in HEARD_FROM:
        return _to(r, r.state, "prospect wrote again")
    # From handled_by_owner (she wrote by hand) or bounced (another address of a group intro failed)
    # this is the first answer: the referrer hears of it like any other.
    stop = PROSPECT_FACING | {DraftKind.ESCALATION}
    if r.state is State.BOUNCED:  # asking the referrer for a better address would now embarrass the owner
        stop |= {DraftKind.BOUNCE_NOTICE}
    effects: list[Effect] = [CancelSchedule(), CancelDrafts(stop)]
    if not r.owner_is_referrer:
        effects.append(CreateDraft(DraftKind.KEEP_IN_LOOP, add_business_days(now, r.cadence.keep_in_loop_due, rules)))
    return _to(r, State.REPLIED, "prospect replied: cadence stopped", *effects, unanswered=0, hold_until=None)


def _group_answered(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, GroupAnswered)
    return _to(r, State.HANDLED_BY_OWNER, f"{e.by} answered for the group intro "
               "(group_intro.stop_on_first_reply): cadence stopped",
               CancelSchedule(), CancelDrafts(PROSPECT_FACING | {DraftKind.ESCALATION}), hold_until=None)


def _meeting(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, MeetingSet)
    when = f" ({e.start.astimezone(rules.zone):%a %d %b %H:%M})" if e.start else ""
    if r.state is State.MET:
        return _to(r, r.state, f"meeting invitation seen again{when}")
    effects: list[Effect] = [CancelSchedule(), CancelDrafts(PROSPECT_FACING | {DraftKind.ESCALATION,
                                                                                DraftKind.BOUNCE_NOTICE})]
    if not r.owner_is_referrer:
        effects.append(CreateDraft(DraftKind.MEETING_UPDATE, add_business_days(now, 0, rules)))
    return _to(r, State.MET, f"meeting set{when}: cadence stopped, update to the referrer drafted", *effects,
               unanswered=0, hold_until=None)


def _by_hand(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    if r.state in ENGAGED:
        return _to(r, r.state, "owner wrote to the prospect")
    if r.state in (State.DETECTED, State.AWAITING_APPROVAL) and not r.owner_is_referrer:
        # Her own answer to the intro (a reply-all, the assistant in BCC) is the first touch:
        # the drafted one is withdrawn, and the follow-up discipline still applies.
        return _to(r, State.CONTACTED, "owner wrote the first touch herself: second message scheduled",
                   CancelDrafts(frozenset({DraftKind.FIRST_TOUCH})),
                   Schedule(DueKind.SECOND_TOUCH, _later(now, r.cadence.second_touch_after, rules, r.hold_until)),
                   unanswered=r.unanswered + 1)
    return _to(r, State.HANDLED_BY_OWNER, "owner wrote to the prospect by hand: cadence stopped",
               CancelSchedule(), CancelDrafts(PROSPECT_FACING | {DraftKind.ESCALATION}))


def _autoreplied(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, AutoReplied)
    if e.until is None or e.until <= now:
        return _to(r, r.state, "out-of-office reply (no return date): cadence unchanged")
    back = e.until.astimezone(rules.zone).date().isoformat()  # the owner's calendar day, not UTC's
    return _to(r, r.state, f"prospect away, back {back}: next touch postponed",
               Postpone(next_send_time(e.until, rules)), hold_until=e.until)


def _bounced(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, Bounced)
    if r.state in HEARD_FROM:  # a late bounce, or another address of hers: she is reachable, nothing to ask
        return _to(r, r.state, f"message to {e.address} bounced, but the prospect has answered: nothing to do")
    return _to(r, State.BOUNCED, f"message to {e.address} bounced: asking the referrer for a better address",
               CancelSchedule(), CancelDrafts(PROSPECT_FACING | {DraftKind.ESCALATION, DraftKind.THANK_SOURCE}),
               CreateDraft(DraftKind.BOUNCE_NOTICE, add_business_days(now, 0, rules)))


def _outcome(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    assert isinstance(e, OutcomeMarked)
    stop: tuple[Effect, ...] = (CancelSchedule(), CancelDrafts(PROSPECT_FACING | {DraftKind.ESCALATION}))
    if r.state is State.WON and e.outcome is not Outcome.WON:  # no longer won: the unsent thank-you goes
        stop += (CancelDrafts(frozenset({DraftKind.THANK_WON})),)
    if e.outcome is Outcome.MET:
        if r.state is State.MET or r.owner_is_referrer:
            return _to(r, State.MET, "owner met the prospect", *stop)
        return _to(r, State.MET, "owner met the prospect: update to the referrer drafted", *stop,
                   CreateDraft(DraftKind.MEETING_UPDATE, add_business_days(now, 0, rules)))
    if e.outcome is Outcome.WON:
        if r.state is State.WON:  # marking it won twice thanks the referrer once
            return _to(r, State.WON, "already won")
        return _to(r, State.WON, "won: thank-you to the referrer drafted", *stop,
                   CreateDraft(DraftKind.THANK_WON, add_business_days(now, 0, rules)))
    return _to(r, State.LOST, "lost", *stop)


def _cancel(r: Referral, e: Event, now: datetime, rules: Rules) -> Transition:
    return _to(r, State.CANCELLED, "cancelled", CancelSchedule(), CancelDrafts(frozenset(DraftKind)))


_CLOSED_WITH_OUTCOME = frozenset({State.CLOSED_NO_RESPONSE, State.BOUNCED})

TABLE: dict[tuple[State, type], Handler] = {}


def _allow(states: frozenset[State], event: type, handler: Handler) -> None:
    for state in states:
        TABLE[(state, event)] = handler


_allow(frozenset({State.DETECTED}), IntroDetected, _intro)
_allow(OPEN, Reintroduced, _reintro)
_allow(OPEN | _CLOSED_WITH_OUTCOME | {State.WON, State.LOST}, DraftSent, _sent)
_allow(OPEN | _CLOSED_WITH_OUTCOME | {State.WON, State.LOST}, DraftRejected, _rejected)
_allow(ACTIVE, Due, _due)
_allow(OPEN | {State.CLOSED_NO_RESPONSE, State.BOUNCED}, ProspectReplied, _replied)
_allow(ACTIVE, GroupAnswered, _group_answered)
_allow(OPEN | _CLOSED_WITH_OUTCOME, MeetingSet, _meeting)
_allow(ACTIVE | {State.CLOSED_NO_RESPONSE}, OwnerWroteByHand, _by_hand)
_allow(ENGAGED, OwnerWroteByHand, _by_hand)
_allow(ACTIVE, AutoReplied, _autoreplied)
_allow(ACTIVE | ENGAGED, Bounced, _bounced)
_allow(OPEN | _CLOSED_WITH_OUTCOME | {State.WON, State.LOST}, OutcomeMarked, _outcome)
_allow(OPEN, Cancelled, _cancel)


def step(referral: Referral, event: Event, now: datetime, rules: Rules) -> Transition:
    """Apply one event. Pure: the caller stores the referral and carries out the effects."""
    handler = TABLE.get((referral.state, type(event)))
    if handler is None:
        raise InvalidTransition(f"{type(event).__name__} is not allowed while the referral is {referral.state}")
    return handler(referral, event, now, rules)


def may_send(state: State, kind: DraftKind) -> bool:
    """Checked again at the moment of sending: nothing reaches a prospect who has answered."""
    if kind in PROSPECT_FACING:
        return state in ACTIVE
    if kind is DraftKind.ESCALATION:
        return state in (State.CONTACTED, State.FOLLOWED_UP)
    if kind is DraftKind.CHECK_IN:
        return state in (State.DETECTED, State.AWAITING_APPROVAL)
    return state is not State.CANCELLED


def may_resend(state: State, kind: DraftKind) -> bool:
    """A lost message sent again on the owner's word: the lost one already moved the referral on,
    so the state it led to is fine too; a prospect who has answered still gets nothing."""
    if kind is DraftKind.ESCALATION:
        return state in (State.CONTACTED, State.FOLLOWED_UP, State.ESCALATED)
    if kind is DraftKind.CHECK_IN:
        return state in (State.DETECTED, State.AWAITING_APPROVAL, State.CONTACTED)
    return may_send(state, kind)
