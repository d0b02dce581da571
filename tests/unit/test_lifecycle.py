"""The referral state machine: the whole table, every cadence rule, holds, replies, bounces and outcomes."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from refmail.domain import lifecycle as lc
from refmail.domain.cadence import add_business_days
from refmail.domain.lifecycle import (
    ACTIVE,
    ENGAGED,
    HEARD_FROM,
    OPEN,
    PROSPECT_FACING,
    AutoReplied,
    Bounced,
    CancelDrafts,
    Cancelled,
    CancelSchedule,
    CreateDraft,
    DraftRejected,
    DraftSent,
    Due,
    DueKind,
    GroupAnswered,
    IntroDetected,
    InvalidTransition,
    MeetingSet,
    Outcome,
    OutcomeMarked,
    OwnerWroteByHand,
    Postpone,
    ProspectReplied,
    Referral,
    Reintroduced,
    Schedule,
    State,
    step,
)
from refmail.domain.rules import Cadence, DraftKind, Rules, rules_from_mapping

RULES = Rules()
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # Monday 09:00, inside the send window
S = State
K = DraftKind


def ref(state: State = S.DETECTED, rules: Rules = RULES, **changes: object) -> Referral:
    return replace(Referral(id="r1", state=state, cadence=rules.cadence), **changes)


def bd(days: int, start: datetime = NOW, rules: Rules = RULES) -> datetime:
    return add_business_days(start, days, rules)


def monday(week: int, hour: int = 9) -> datetime:
    return datetime(2026, 1, 5, hour, tzinfo=UTC) + timedelta(weeks=week)


# ---- the table ----------------------------------------------------------

TERMINAL_WITH_HISTORY = {S.CLOSED_NO_RESPONSE, S.BOUNCED, S.WON, S.LOST}

# Where each event is allowed, written out by hand: the table must match it exactly.
ALLOWED: dict[type, set[State]] = {
    IntroDetected: {S.DETECTED},
    Reintroduced: set(OPEN),
    DraftSent: set(OPEN) | TERMINAL_WITH_HISTORY,
    DraftRejected: set(OPEN) | TERMINAL_WITH_HISTORY,
    Due: set(ACTIVE),
    ProspectReplied: set(OPEN) | {S.CLOSED_NO_RESPONSE, S.BOUNCED},
    OwnerWroteByHand: set(OPEN) | {S.CLOSED_NO_RESPONSE},
    AutoReplied: set(ACTIVE),
    Bounced: set(ACTIVE) | set(ENGAGED),
    OutcomeMarked: set(OPEN) | TERMINAL_WITH_HISTORY,
    Cancelled: set(OPEN),
    GroupAnswered: set(ACTIVE),
    MeetingSet: set(OPEN) | {S.CLOSED_NO_RESPONSE, S.BOUNCED},
}
EVENT_TYPES = list(ALLOWED)

VALID_DUE = {
    S.DETECTED: DueKind.CHECK_IN,
    S.CONTACTED: DueKind.SECOND_TOUCH,
    S.FOLLOWED_UP: DueKind.ESCALATION,
    S.ESCALATED: DueKind.CLOSE,
}


def sample(event_type: type, state: State) -> lc.Event:
    """A representative event of the type that the state accepts."""
    return {
        IntroDetected: lambda: IntroDetected(),
        Reintroduced: lambda: Reintroduced("bob@example.org"),
        DraftSent: lambda: DraftSent(K.THANK_SOURCE),
        DraftRejected: lambda: DraftRejected(K.THANK_SOURCE),
        Due: lambda: Due(VALID_DUE.get(state, DueKind.SECOND_TOUCH)),
        ProspectReplied: lambda: ProspectReplied(),
        OwnerWroteByHand: lambda: OwnerWroteByHand(),
        AutoReplied: lambda: AutoReplied(NOW + timedelta(days=3)),
        Bounced: lambda: Bounced("carol@example.net"),
        OutcomeMarked: lambda: OutcomeMarked(Outcome.WON),
        Cancelled: lambda: Cancelled(),
        GroupAnswered: lambda: GroupAnswered("dan@example.net"),
        MeetingSet: lambda: MeetingSet(NOW + timedelta(days=2)),
    }[event_type]()


def expected_state(event_type: type, state: State) -> State:
    if event_type is IntroDetected:
        return S.AWAITING_APPROVAL
    if event_type in (Reintroduced, DraftSent, DraftRejected, AutoReplied):
        return state
    if event_type is Due:
        return {S.DETECTED: S.AWAITING_APPROVAL, S.ESCALATED: S.CLOSED_NO_RESPONSE}.get(state, state)
    if event_type is ProspectReplied:
        return state if state in HEARD_FROM else S.REPLIED
    if event_type is OwnerWroteByHand:
        if state in (S.DETECTED, S.AWAITING_APPROVAL):
            return S.CONTACTED  # her own answer to the intro is the first touch
        return state if state in ENGAGED else S.HANDLED_BY_OWNER
    if event_type is Bounced and state in HEARD_FROM:
        return state
    if event_type is GroupAnswered:
        return S.HANDLED_BY_OWNER
    return {MeetingSet: S.MET, Bounced: S.BOUNCED, OutcomeMarked: S.WON, Cancelled: S.CANCELLED}[event_type]


def test_table_is_exactly_the_allowed_pairs() -> None:
    written = {(state, et) for et, states in ALLOWED.items() for state in states}
    assert set(lc.TABLE) == written


@pytest.mark.parametrize(
    ("state", "event_type"),
    [(s, et) for s, et in itertools.product(State, EVENT_TYPES) if s in ALLOWED[et]],
    ids=lambda v: v.value if isinstance(v, State) else v.__name__,
)
def test_every_transition_in_the_table(state: State, event_type: type) -> None:
    r = ref(state, owner_is_referrer=state is S.DETECTED and event_type is Due)
    if state is S.AWAITING_APPROVAL and event_type is Due:
        # In the table, yet no due step applies before the first touch went out.
        for kind in DueKind:
            with pytest.raises(InvalidTransition):
                step(r, Due(kind), NOW, RULES)
        return
    result = step(r, sample(event_type, state), NOW, RULES)
    assert result.referral.state is expected_state(event_type, state)
    assert result.referral.id == r.id and result.referral.cadence == r.cadence
    assert result.note  # every transition lands in the timeline with words


@pytest.mark.parametrize(
    ("state", "event_type"),
    [(s, et) for s, et in itertools.product(State, EVENT_TYPES) if s not in ALLOWED[et]],
    ids=lambda v: v.value if isinstance(v, State) else v.__name__,
)
def test_every_pair_outside_the_table_raises(state: State, event_type: type) -> None:
    with pytest.raises(InvalidTransition, match=event_type.__name__):
        step(ref(state), sample(event_type, state), NOW, RULES)


@pytest.mark.parametrize(
    ("state", "kind"),
    [(s, k) for s in State if s in ACTIVE for k in DueKind if VALID_DUE.get(s) != k
     and not (s is S.FOLLOWED_UP and k is DueKind.ESCALATION) and not (s is S.CONTACTED and k is DueKind.ESCALATION)],
)
def test_a_due_step_that_no_longer_applies_raises(state: State, kind: DueKind) -> None:
    with pytest.raises(InvalidTransition, match=kind.value):
        step(ref(state), Due(kind), NOW, RULES)


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        (S.CONTACTED, K.FIRST_TOUCH),  # a second first touch
        (S.FOLLOWED_UP, K.SECOND_TOUCH),  # a third message to the prospect
        (S.REPLIED, K.SECOND_TOUCH),
        (S.REPLIED, K.FIRST_TOUCH),
        (S.ESCALATED, K.ESCALATION),
        (S.CLOSED_NO_RESPONSE, K.ESCALATION),
        (S.CONTACTED, K.CHECK_IN),
        (S.BOUNCED, K.FIRST_TOUCH),
    ],
)
def test_a_cadence_draft_sent_out_of_turn_raises(state: State, kind: DraftKind) -> None:
    with pytest.raises(InvalidTransition):
        step(ref(state), DraftSent(kind), NOW, RULES)


@pytest.mark.parametrize("kind", [K.THANK_SOURCE, K.KEEP_IN_LOOP, K.THANK_WON, K.BOUNCE_NOTICE])
def test_notes_to_the_referrer_never_move_the_state(kind: DraftKind) -> None:
    for state in (S.CONTACTED, S.REPLIED, S.WON, S.BOUNCED):
        result = step(ref(state, unanswered=1), DraftSent(kind), NOW, RULES)
        assert result.referral.state is state and result.referral.unanswered == 1 and result.effects == ()


# ---- the cadence ----------------------------------------------------------


def test_intro_drafts_first_touch_and_thank_you_due_within_one_business_day() -> None:
    result = step(ref(), IntroDetected(), NOW, RULES)
    assert result.referral.state is S.AWAITING_APPROVAL
    assert result.effects == (
        CreateDraft(K.FIRST_TOUCH, datetime(2026, 1, 6, 9, tzinfo=UTC)),
        CreateDraft(K.THANK_SOURCE, datetime(2026, 1, 6, 9, tzinfo=UTC)),
    )


def test_intro_on_friday_evening_is_due_after_the_weekend() -> None:
    friday_evening = datetime(2026, 1, 9, 20, tzinfo=UTC)
    result = step(ref(), IntroDetected(), friday_evening, RULES)
    # Monday 20:00 is outside the window: Tuesday's opening.
    assert {e.due_at for e in result.effects} == {datetime(2026, 1, 13, 8, tzinfo=UTC)}


def test_first_touch_sent_schedules_the_second_after_three_business_days() -> None:
    result = step(ref(S.AWAITING_APPROVAL), DraftSent(K.FIRST_TOUCH), NOW, RULES)
    assert result.referral.state is S.CONTACTED and result.referral.unanswered == 1
    assert result.effects == (Schedule(DueKind.SECOND_TOUCH, datetime(2026, 1, 8, 9, tzinfo=UTC)),)


def test_second_touch_drafted_when_due() -> None:
    result = step(ref(S.CONTACTED, unanswered=1), Due(DueKind.SECOND_TOUCH), NOW, RULES)
    assert result.referral.state is S.CONTACTED
    assert result.effects == (CreateDraft(K.SECOND_TOUCH, NOW),)


def test_second_touch_sent_schedules_escalation_after_five_business_days() -> None:
    result = step(ref(S.CONTACTED, unanswered=1), DraftSent(K.SECOND_TOUCH), NOW, RULES)
    assert result.referral.state is S.FOLLOWED_UP and result.referral.unanswered == 2
    assert result.effects == (Schedule(DueKind.ESCALATION, monday(1)),)


def test_escalation_drafted_when_due_then_close_after_ten_business_days() -> None:
    drafted = step(ref(S.FOLLOWED_UP, unanswered=2), Due(DueKind.ESCALATION), NOW, RULES)
    assert drafted.referral.state is S.FOLLOWED_UP
    assert drafted.effects == (CreateDraft(K.ESCALATION, NOW),)
    sent = step(drafted.referral, DraftSent(K.ESCALATION), NOW, RULES)
    assert sent.referral.state is S.ESCALATED
    assert sent.effects == (Schedule(DueKind.CLOSE, monday(2)),)
    closed = step(sent.referral, Due(DueKind.CLOSE), monday(2), RULES)
    assert closed.referral.state is S.CLOSED_NO_RESPONSE and closed.effects == ()


def test_skipping_the_second_touch_goes_straight_to_escalation() -> None:
    result = step(ref(S.CONTACTED, unanswered=1), DraftRejected(K.SECOND_TOUCH), NOW, RULES)
    assert result.referral.state is S.CONTACTED
    assert result.effects == (Schedule(DueKind.ESCALATION, monday(1)),)
    assert step(result.referral, Due(DueKind.ESCALATION), monday(1), RULES).effects == (
        CreateDraft(K.ESCALATION, monday(1)),
    )


def test_skipping_the_escalation_still_closes_later() -> None:
    result = step(ref(S.FOLLOWED_UP), DraftRejected(K.ESCALATION), NOW, RULES)
    assert result.referral.state is S.ESCALATED
    assert result.effects == (Schedule(DueKind.CLOSE, monday(2)),)


def test_skipping_the_first_touch_cancels_the_referral() -> None:
    result = step(ref(S.AWAITING_APPROVAL), DraftRejected(K.FIRST_TOUCH), NOW, RULES)
    assert result.referral.state is S.CANCELLED
    assert result.effects == (CancelSchedule(), CancelDrafts(frozenset(DraftKind)))


def test_owner_as_referrer_gets_a_check_in_two_business_days_later() -> None:
    r = ref(owner_is_referrer=True)
    detected = step(r, IntroDetected(), NOW, RULES)
    assert detected.referral.state is S.DETECTED
    assert detected.effects == (Schedule(DueKind.CHECK_IN, datetime(2026, 1, 7, 9, tzinfo=UTC)),)  # no first touch
    due = step(detected.referral, Due(DueKind.CHECK_IN), datetime(2026, 1, 7, 9, tzinfo=UTC), RULES)
    assert due.referral.state is S.AWAITING_APPROVAL
    assert due.effects == (CreateDraft(K.CHECK_IN, datetime(2026, 1, 7, 9, tzinfo=UTC)),)
    sent = step(due.referral, DraftSent(K.CHECK_IN), datetime(2026, 1, 7, 10, tzinfo=UTC), RULES)
    assert sent.referral.state is S.CONTACTED
    skipped = step(due.referral, DraftRejected(K.CHECK_IN), datetime(2026, 1, 7, 10, tzinfo=UTC), RULES)
    assert skipped.referral.state is S.CANCELLED


def test_owner_as_referrer_reply_drafts_no_keep_in_loop_note() -> None:
    result = step(ref(S.CONTACTED, owner_is_referrer=True), ProspectReplied(), NOW, RULES)
    assert result.referral.state is S.REPLIED
    assert not any(isinstance(e, CreateDraft) for e in result.effects)


def test_max_unanswered_one_skips_the_second_message() -> None:
    rules = rules_from_mapping({"cadence": {"max_unanswered": 1}})
    r = ref(S.AWAITING_APPROVAL, rules=rules)
    contacted = step(r, DraftSent(K.FIRST_TOUCH), NOW, rules).referral
    result = step(contacted, Due(DueKind.SECOND_TOUCH), bd(3), rules)
    assert result.referral.state is S.FOLLOWED_UP
    assert result.effects == (Schedule(DueKind.ESCALATION, bd(5, bd(3))),)


def test_urgent_cadence_is_shorter() -> None:
    rules = rules_from_mapping({"urgent_cadence": {"first_touch_due": 0, "second_touch_after": 2, "escalation_after": 3}})
    r = Referral(id="r1", state=S.DETECTED, cadence=rules.cadence_for(urgent=True))
    intro = step(r, IntroDetected(), NOW, rules)
    assert CreateDraft(K.FIRST_TOUCH, NOW) in intro.effects  # due at once
    assert CreateDraft(K.THANK_SOURCE, bd(1)) in intro.effects  # not overridden: the normal rule
    contacted = step(intro.referral, DraftSent(K.FIRST_TOUCH), NOW, rules)
    assert contacted.effects == (Schedule(DueKind.SECOND_TOUCH, datetime(2026, 1, 7, 9, tzinfo=UTC)),)
    followed = step(contacted.referral, DraftSent(K.SECOND_TOUCH), NOW, rules)
    assert followed.effects == (Schedule(DueKind.ESCALATION, datetime(2026, 1, 8, 9, tzinfo=UTC)),)


def test_cadence_numbers_come_from_the_rules() -> None:
    rules = rules_from_mapping({"cadence": {"first_touch_due": 2, "thank_source_due": 0, "second_touch_after": 5,
                                            "escalation_after": 2, "close_after": 1}})
    r = ref(rules=rules)
    intro = step(r, IntroDetected(), NOW, rules)
    assert intro.effects == (CreateDraft(K.FIRST_TOUCH, bd(2)), CreateDraft(K.THANK_SOURCE, NOW))
    assert step(replace(r, state=S.AWAITING_APPROVAL), DraftSent(K.FIRST_TOUCH), NOW, rules).effects == (
        Schedule(DueKind.SECOND_TOUCH, monday(1)),)
    assert step(replace(r, state=S.CONTACTED), DraftSent(K.SECOND_TOUCH), NOW, rules).effects == (
        Schedule(DueKind.ESCALATION, bd(2)),)
    assert step(replace(r, state=S.FOLLOWED_UP), DraftSent(K.ESCALATION), NOW, rules).effects == (
        Schedule(DueKind.CLOSE, bd(1)),)


def test_a_referral_keeps_the_cadence_it_started_with() -> None:
    started = ref(S.AWAITING_APPROVAL)  # snapshot: second_touch_after = 3
    changed = rules_from_mapping({"cadence": {"second_touch_after": 7, "escalation_after": 9, "close_after": 20}})
    contacted = step(started, DraftSent(K.FIRST_TOUCH), NOW, changed)
    assert contacted.effects == (Schedule(DueKind.SECOND_TOUCH, bd(3)),)
    assert contacted.referral.cadence == RULES.cadence
    followed = step(contacted.referral, DraftSent(K.SECOND_TOUCH), NOW, changed)
    assert followed.effects == (Schedule(DueKind.ESCALATION, bd(5)),)
    escalated = step(followed.referral, DraftSent(K.ESCALATION), NOW, changed)
    assert escalated.effects == (Schedule(DueKind.CLOSE, bd(10)),)
    # ...and a new referral gets the new numbers.
    fresh = Referral(id="r2", state=S.AWAITING_APPROVAL, cadence=changed.cadence)
    assert step(fresh, DraftSent(K.FIRST_TOUCH), NOW, changed).effects == (Schedule(DueKind.SECOND_TOUCH, bd(7)),)


def test_cadence_snapshot_survives_a_round_trip_through_json() -> None:
    snap = rules_from_mapping({"cadence": {"second_touch_after": 4}}).cadence
    assert Cadence.model_validate(snap.model_dump(mode="json")) == snap


# ---- a whole silent referral, at the right times --------------------------


def test_silence_walk_dates() -> None:
    r = ref()
    t = NOW
    r = step(r, IntroDetected(), t, RULES).referral
    t = datetime(2026, 1, 6, 9, tzinfo=UTC)  # approved and sent when due
    res = step(r, DraftSent(K.FIRST_TOUCH), t, RULES)
    assert res.effects == (Schedule(DueKind.SECOND_TOUCH, datetime(2026, 1, 9, 9, tzinfo=UTC)),)  # Fri
    t = datetime(2026, 1, 9, 9, tzinfo=UTC)
    r = step(res.referral, Due(DueKind.SECOND_TOUCH), t, RULES).referral
    res = step(r, DraftSent(K.SECOND_TOUCH), t, RULES)
    assert res.effects == (Schedule(DueKind.ESCALATION, datetime(2026, 1, 16, 9, tzinfo=UTC)),)  # next Fri
    t = datetime(2026, 1, 16, 9, tzinfo=UTC)
    r = step(res.referral, Due(DueKind.ESCALATION), t, RULES).referral
    res = step(r, DraftSent(K.ESCALATION), t, RULES)
    assert res.effects == (Schedule(DueKind.CLOSE, datetime(2026, 1, 30, 9, tzinfo=UTC)),)  # two weeks later
    final = step(res.referral, Due(DueKind.CLOSE), datetime(2026, 1, 30, 9, tzinfo=UTC), RULES).referral
    assert final.state is S.CLOSED_NO_RESPONSE and final.unanswered == 2


# ---- out of office --------------------------------------------------------

BACK = datetime(2026, 1, 15, 0, 0, tzinfo=UTC)  # Thursday, start of the return day


@pytest.mark.parametrize("state", sorted(ACTIVE))
def test_autoreply_with_a_return_date_postpones(state: State) -> None:
    result = step(ref(state), AutoReplied(BACK), NOW, RULES)
    assert result.referral.state is state and result.referral.hold_until == BACK
    assert result.effects == (Postpone(datetime(2026, 1, 15, 8, tzinfo=UTC)),)  # the return day's window opening


def test_autoreply_without_a_return_date_or_in_the_past_changes_nothing() -> None:
    for until in (None, NOW, NOW - timedelta(days=1)):
        result = step(ref(S.CONTACTED, unanswered=1), AutoReplied(until), NOW, RULES)
        assert result.effects == () and result.referral.hold_until is None
        assert result.referral.state is S.CONTACTED and result.referral.unanswered == 1  # not a reply


def test_autoreply_is_not_a_reply_even_after_engagement() -> None:
    with pytest.raises(InvalidTransition):
        step(ref(S.REPLIED), AutoReplied(BACK), NOW, RULES)


@pytest.mark.parametrize(
    ("state", "kind"),
    [(S.CONTACTED, DueKind.SECOND_TOUCH), (S.FOLLOWED_UP, DueKind.ESCALATION), (S.DETECTED, DueKind.CHECK_IN)],
)
def test_due_while_held_reschedules_after_the_return(state: State, kind: DueKind) -> None:
    result = step(ref(state, hold_until=BACK), Due(kind), NOW, RULES)
    assert result.referral.state is state
    assert result.effects == (Schedule(kind, datetime(2026, 1, 15, 8, tzinfo=UTC)),)


def test_due_after_the_hold_has_passed_proceeds() -> None:
    result = step(ref(S.CONTACTED, unanswered=1, hold_until=BACK), Due(DueKind.SECOND_TOUCH), BACK + timedelta(hours=8), RULES)
    assert result.effects == (CreateDraft(K.SECOND_TOUCH, BACK + timedelta(hours=8)),)


def test_closing_is_not_held() -> None:
    result = step(ref(S.ESCALATED, hold_until=BACK), Due(DueKind.CLOSE), NOW, RULES)
    assert result.referral.state is S.CLOSED_NO_RESPONSE


def test_a_due_step_that_no_longer_applies_is_dropped_even_while_held() -> None:
    # Rescheduling it would only postpone the same InvalidTransition.
    with pytest.raises(InvalidTransition):
        step(ref(S.FOLLOWED_UP, hold_until=BACK), Due(DueKind.SECOND_TOUCH), NOW, RULES)


def test_first_touch_sent_while_the_prospect_is_away_waits_for_the_return() -> None:
    far = datetime(2026, 2, 2, 0, 0, tzinfo=UTC)  # a Monday, well past the 3 business days
    result = step(ref(S.AWAITING_APPROVAL, hold_until=far), DraftSent(K.FIRST_TOUCH), NOW, RULES)
    assert result.effects == (Schedule(DueKind.SECOND_TOUCH, datetime(2026, 2, 2, 8, tzinfo=UTC)),)
    near = datetime(2026, 1, 6, 0, 0, tzinfo=UTC)  # back before the second touch would be due anyway
    result = step(ref(S.AWAITING_APPROVAL, hold_until=near), DraftSent(K.FIRST_TOUCH), NOW, RULES)
    assert result.effects == (Schedule(DueKind.SECOND_TOUCH, bd(3)),)


# ---- replies ---------------------------------------------------------------

STOP_PROSPECT = CancelDrafts(PROSPECT_FACING | {K.ESCALATION})


@pytest.mark.parametrize("state", sorted(ACTIVE | {S.CLOSED_NO_RESPONSE}))
def test_reply_stops_the_cadence_and_drafts_keep_in_loop(state: State) -> None:
    result = step(ref(state, unanswered=2, hold_until=BACK), ProspectReplied(), NOW, RULES)
    assert result.referral.state is S.REPLIED
    assert result.referral.unanswered == 0 and result.referral.hold_until is None
    assert result.effects == (CancelSchedule(), STOP_PROSPECT, CreateDraft(K.KEEP_IN_LOOP, bd(1)))
    assert {K.FIRST_TOUCH, K.SECOND_TOUCH} <= STOP_PROSPECT.kinds
    assert K.THANK_SOURCE not in STOP_PROSPECT.kinds  # the referrer is still thanked


@pytest.mark.parametrize("state", sorted(HEARD_FROM))
def test_a_second_reply_changes_nothing(state: State) -> None:
    result = step(ref(state), ProspectReplied(), NOW, RULES)
    assert result.referral.state is state and result.effects == ()


@pytest.mark.parametrize("state", [S.HANDLED_BY_OWNER, S.BOUNCED])
def test_the_first_reply_after_a_hand_written_message_or_a_bounce_keeps_the_referrer_in_the_loop(
        state: State) -> None:
    # handled_by_owner: she wrote by hand, the prospect had not answered yet. bounced: one address of a
    # group intro failed, the other prospect answers. Either way this is the prospect's first answer.
    result = step(ref(state), ProspectReplied(), NOW, RULES)
    assert result.referral.state is S.REPLIED
    # After a bounce, an unsent note asking the referrer for a better address is withdrawn too.
    stop = CancelDrafts(STOP_PROSPECT.kinds | ({K.BOUNCE_NOTICE} if state is S.BOUNCED else set()))
    assert result.effects == (CancelSchedule(), stop, CreateDraft(K.KEEP_IN_LOOP, bd(1)))


@pytest.mark.parametrize("state", sorted(OPEN))
def test_do_not_contact_withdraws_everything(state: State) -> None:
    result = step(ref(state, hold_until=BACK), ProspectReplied(do_not_contact=True), NOW, RULES)
    assert result.referral.state is S.DO_NOT_CONTACT and result.referral.hold_until is None
    assert result.effects == (CancelSchedule(), CancelDrafts(frozenset(DraftKind)))
    for event in (Reintroduced("x@example.org"), Due(DueKind.SECOND_TOUCH), DraftSent(K.SECOND_TOUCH),
                  AutoReplied(BACK), Bounced("carol@example.net"), OutcomeMarked(Outcome.WON)):
        with pytest.raises(InvalidTransition):
            step(result.referral, event, NOW, RULES)


@pytest.mark.parametrize("state", [S.DETECTED, S.AWAITING_APPROVAL])
def test_owner_answering_the_intro_herself_is_the_first_touch(state: State) -> None:
    result = step(ref(state), OwnerWroteByHand(), NOW, RULES)
    assert result.referral.state is S.CONTACTED and result.referral.unanswered == 1
    assert result.effects == (
        CancelDrafts(frozenset({K.FIRST_TOUCH})),
        Schedule(DueKind.SECOND_TOUCH, add_business_days(NOW, RULES.cadence.second_touch_after, RULES)),
    )


@pytest.mark.parametrize("state", sorted(ACTIVE - {S.DETECTED, S.AWAITING_APPROVAL} | {S.CLOSED_NO_RESPONSE}))
def test_owner_writing_by_hand_stops_the_cadence(state: State) -> None:
    result = step(ref(state), OwnerWroteByHand(), NOW, RULES)
    assert result.referral.state is S.HANDLED_BY_OWNER
    assert result.effects == (CancelSchedule(), STOP_PROSPECT)


def test_reintroduction_changes_nothing_but_the_timeline() -> None:
    for state in OPEN:
        result = step(ref(state, unanswered=1), Reintroduced("bob@example.org"), NOW, RULES)
        assert result.effects == () and result.referral == ref(state, unanswered=1)
        assert "bob@example.org" in result.note


# ---- may_send: checked again at the moment of sending ------------------------


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("kind", list(DraftKind))
def test_may_send(state: State, kind: DraftKind) -> None:
    if kind in PROSPECT_FACING:
        expected = state in ACTIVE
    elif kind is K.ESCALATION:
        expected = state in (S.CONTACTED, S.FOLLOWED_UP)
    elif kind is K.CHECK_IN:
        expected = state in (S.DETECTED, S.AWAITING_APPROVAL)
    else:
        expected = state is not S.CANCELLED
    assert lc.may_send(state, kind) is expected


def test_reply_after_approval_withdraws_the_second_touch() -> None:
    r = ref(S.CONTACTED, unanswered=1)
    drafted = step(r, Due(DueKind.SECOND_TOUCH), NOW, RULES)
    assert CreateDraft(K.SECOND_TOUCH, NOW) in drafted.effects
    assert lc.may_send(drafted.referral.state, K.SECOND_TOUCH)  # approved now, goes at the next send
    replied = step(drafted.referral, ProspectReplied(), NOW + timedelta(minutes=5), RULES)
    assert K.SECOND_TOUCH in next(e for e in replied.effects if isinstance(e, CancelDrafts)).kinds
    assert not lc.may_send(replied.referral.state, K.SECOND_TOUCH)  # the send-time check refuses too
    assert lc.may_send(replied.referral.state, K.KEEP_IN_LOOP)


def test_escalation_withdrawn_when_the_prospect_replies_first() -> None:
    replied = step(ref(S.FOLLOWED_UP, unanswered=2), ProspectReplied(), NOW, RULES)
    assert not lc.may_send(replied.referral.state, K.ESCALATION)


# ---- bounce -----------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(ACTIVE | {S.HANDLED_BY_OWNER}))
def test_bounce_marks_bounced_and_asks_the_referrer(state: State) -> None:
    result = step(ref(state), Bounced("carol@example.net"), NOW, RULES)
    assert result.referral.state is S.BOUNCED
    # An unsent thank-you is withdrawn too: the referrer hears once, with the bounce notice.
    stop = CancelDrafts(STOP_PROSPECT.kinds | {K.THANK_SOURCE})
    assert result.effects == (CancelSchedule(), stop, CreateDraft(K.BOUNCE_NOTICE, NOW))
    assert "carol@example.net" in result.note
    assert not lc.may_send(S.BOUNCED, K.SECOND_TOUCH)
    assert lc.may_send(S.BOUNCED, K.BOUNCE_NOTICE)


@pytest.mark.parametrize("state", sorted(HEARD_FROM))
def test_a_bounce_after_the_prospect_answered_changes_nothing(state: State) -> None:
    result = step(ref(state), Bounced("carol@example.net"), NOW, RULES)
    assert result.referral.state is state and result.effects == ()
    assert "has answered" in result.note


def test_bounce_notice_out_of_hours_waits_for_the_window() -> None:
    saturday = datetime(2026, 1, 10, 12, tzinfo=UTC)
    result = step(ref(S.CONTACTED), Bounced("carol@example.net"), saturday, RULES)
    assert CreateDraft(K.BOUNCE_NOTICE, monday(1, hour=8)) in result.effects


# ---- outcomes ----------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(OPEN | TERMINAL_WITH_HISTORY - {S.WON}))
def test_won_drafts_a_thank_you_to_the_referrer(state: State) -> None:
    result = step(ref(state), OutcomeMarked(Outcome.WON), NOW, RULES)
    assert result.referral.state is S.WON
    assert result.effects == (CancelSchedule(), STOP_PROSPECT, CreateDraft(K.THANK_WON, NOW))


def test_won_twice_thanks_once() -> None:
    result = step(ref(S.WON), OutcomeMarked(Outcome.WON), NOW, RULES)
    assert result.referral.state is S.WON and result.effects == ()


def test_lost_stops_the_cadence_without_a_draft() -> None:
    result = step(ref(S.CONTACTED), OutcomeMarked(Outcome.LOST), NOW, RULES)
    assert result.referral.state is S.LOST
    assert result.effects == (CancelSchedule(), STOP_PROSPECT)


def test_met_stops_the_cadence_and_drafts_the_update_to_the_referrer() -> None:
    # Issue 11: the referrer hears of the meeting ("Carol and I are meeting on Thursday"); before, nobody did.
    result = step(ref(S.CONTACTED), OutcomeMarked(Outcome.MET), NOW, RULES)
    assert result.referral.state is S.MET
    assert result.effects == (CancelSchedule(), STOP_PROSPECT, CreateDraft(K.MEETING_UPDATE, NOW))
    again = step(result.referral, OutcomeMarked(Outcome.MET), NOW, RULES)
    assert not [e for e in again.effects if isinstance(e, CreateDraft)]  # marked twice: one update


def test_a_meeting_invitation_marks_met_once_and_drafts_the_update() -> None:
    result = step(ref(S.FOLLOWED_UP), MeetingSet(NOW + timedelta(days=3)), NOW, RULES)
    assert result.referral.state is S.MET and result.referral.unanswered == 0
    assert CancelSchedule() in result.effects and CreateDraft(K.MEETING_UPDATE, NOW) in result.effects
    seen_again = step(result.referral, MeetingSet(NOW + timedelta(days=3)), NOW, RULES)
    assert seen_again.effects == ()


def test_group_answered_stops_a_silent_prospects_cadence() -> None:
    result = step(ref(S.CONTACTED), GroupAnswered("dan@example.net"), NOW, RULES)
    assert result.referral.state is S.HANDLED_BY_OWNER
    assert CancelSchedule() in result.effects


def test_a_group_track_after_the_first_does_not_thank_the_referrer_again() -> None:
    result = step(ref(S.DETECTED), IntroDetected(thank_referrer=False), NOW, RULES)
    assert [e.kind for e in result.effects if isinstance(e, CreateDraft)] == [K.FIRST_TOUCH]


@pytest.mark.parametrize("outcome", [Outcome.MET, Outcome.LOST])
def test_no_longer_won_withdraws_the_unsent_thank_you(outcome: Outcome) -> None:
    result = step(ref(S.WON), OutcomeMarked(outcome), NOW, RULES)
    assert CancelDrafts(frozenset({K.THANK_WON})) in result.effects
    again = step(result.referral, OutcomeMarked(Outcome.WON), NOW, RULES)
    assert [e for e in again.effects if isinstance(e, CreateDraft)] == [CreateDraft(K.THANK_WON, NOW)]  # one, anew


def test_met_then_won() -> None:
    met = step(ref(S.REPLIED), OutcomeMarked(Outcome.MET), NOW, RULES).referral
    assert met.state is S.MET
    assert step(met, OutcomeMarked(Outcome.WON), NOW, RULES).referral.state is S.WON


def test_cancel_withdraws_everything() -> None:
    for state in OPEN:
        result = step(ref(state), Cancelled(), NOW, RULES)
        assert result.referral.state is S.CANCELLED
        assert result.effects == (CancelSchedule(), CancelDrafts(frozenset(DraftKind)))


# ---- never a pest: a model of the app around the machine -----------------------


def test_never_more_unanswered_messages_than_the_rule_allows() -> None:
    """Random lives of referrals, driven the way the app drives them: only scheduled steps fall due,
    only drafted mail is sent or skipped, may_send is checked at sending. Nobody hears from us more
    than max_unanswered times without answering, and nothing reaches a prospect after a reply."""
    rng = random.Random(4)
    for max_unanswered in (1, 2):
        rules = rules_from_mapping({"cadence": {"max_unanswered": max_unanswered}})
        for _ in range(400):
            r = Referral(id="r", state=S.DETECTED, cadence=rules.cadence, owner_is_referrer=rng.random() < 0.1)
            now = NOW
            pending: set[DueKind] = set()
            drafts: set[DraftKind] = set()
            unanswered_sent = 0
            replied = False

            def apply(event: lc.Event) -> None:
                nonlocal r
                result = step(r, event, now, rules)
                r = result.referral
                for e in result.effects:
                    if isinstance(e, CreateDraft):
                        drafts.add(e.kind)
                    elif isinstance(e, Schedule):
                        pending.add(e.kind)
                    elif isinstance(e, CancelSchedule):
                        pending.clear()
                    elif isinstance(e, CancelDrafts):
                        drafts.difference_update(e.kinds)

            apply(IntroDetected())
            for _ in range(30):
                now += timedelta(hours=rng.choice([1, 5, 24, 72]))
                roll = rng.random()
                try:
                    if roll < 0.45 and drafts:
                        kind = rng.choice(sorted(drafts))
                        drafts.discard(kind)
                        if rng.random() < 0.8:
                            if not lc.may_send(r.state, kind):
                                continue
                            if kind in PROSPECT_FACING:
                                unanswered_sent += 1
                            apply(DraftSent(kind))
                        else:
                            apply(DraftRejected(kind))
                    elif roll < 0.8 and pending:
                        kind = rng.choice(sorted(pending))
                        pending.discard(kind)
                        apply(Due(kind))
                    elif roll < 0.87:
                        apply(AutoReplied(now + timedelta(days=rng.choice([1, 4, 9]))))
                    elif roll < 0.93:
                        apply(ProspectReplied())
                        replied, unanswered_sent = True, 0
                    elif roll < 0.96:
                        apply(Bounced("p@example.net"))
                    else:
                        apply(OutcomeMarked(rng.choice(list(Outcome))))
                except InvalidTransition:
                    continue
                assert unanswered_sent <= max_unanswered
                assert r.unanswered <= max_unanswered
                if replied:
                    assert not (drafts & PROSPECT_FACING)


def test_intro_of_someone_who_opted_out_drafts_nothing():
    from refmail.domain.rules import rules_from_mapping

    rules = rules_from_mapping({})
    r = lc.Referral("r1", lc.State.DETECTED, rules.cadence)
    t = lc.step(r, lc.IntroDetected(opted_out=True), datetime(2026, 11, 16, 9, tzinfo=UTC), rules)
    assert t.referral.state is lc.State.DO_NOT_CONTACT
    assert t.effects == ()


def test_keep_in_loop_timing_is_a_rule():
    from refmail.domain.rules import rules_from_mapping

    rules = rules_from_mapping({"cadence": {"keep_in_loop_due": 3}})
    r = lc.Referral("r1", lc.State.CONTACTED, rules.cadence, unanswered=1)
    t = lc.step(r, lc.ProspectReplied(), datetime(2026, 11, 16, 9, tzinfo=UTC), rules)
    [draft] = [e for e in t.effects if isinstance(e, lc.CreateDraft)]
    assert draft.kind.value == "keep_in_loop" and draft.due_at == datetime(2026, 11, 19, 9, tzinfo=UTC)


def test_a_check_in_nobody_answers_closes_after_the_close_rule():
    rules = rules_from_mapping({})
    start = datetime(2026, 11, 18, 9, tzinfo=UTC)
    r = lc.Referral("r1", S.AWAITING_APPROVAL, rules.cadence, owner_is_referrer=True)
    sent = step(r, DraftSent(K.CHECK_IN), start, rules)
    assert sent.referral.state is S.CONTACTED
    assert sent.effects == (Schedule(DueKind.CLOSE, add_business_days(start, rules.cadence.close_after, rules)),)
    closed = step(sent.referral, Due(DueKind.CLOSE), start + timedelta(days=14), rules)
    assert closed.referral.state is S.CLOSED_NO_RESPONSE
    with pytest.raises(InvalidTransition):  # a prospect's own referral never closes from contacted
        step(replace(sent.referral, owner_is_referrer=False), Due(DueKind.CLOSE), start, rules)
