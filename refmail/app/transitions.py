"""Run one lifecycle step against the store: save the new state, log it, carry out its effects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import ORMExecuteState, Session

from refmail import logs
from refmail.app.outbox import decide, new_draft
from refmail.domain import lifecycle as lc
from refmail.domain.cadence import next_send_time
from refmail.domain.drafting import ReferralFacts, draft_ids, outgoing_message_id, plan
from refmail.domain.outbox import DraftEvent
from refmail.domain.kinds import DraftKind
from refmail.domain.types import Role, TimelineEvent
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App


# Counts timeline entries written in a session: a message that wrote one is news on a known referral.
TIMELINE_KEY = "timeline_entries"
_SAY = "refmail_events"


# session.info key: the session's timeline lines not yet written (see defer_timeline).
_LINES = "refmail.timeline_lines"
_TIMELINE = m.TimelineEntry.__mapper__


def record(session: Session, referral_id: str, at: datetime, kind: str, text: str, *,
           happened: TimelineEvent | None = None, actor: str | None = None, **detail: Any) -> None:
    """One timeline line: `text` for people; `happened` and `actor` for code that must know what it says."""
    line = dict(referral_id=referral_id, at=at, kind=kind, text=text, detail=detail, event=happened,
                actor=actor[:320] if actor else None)
    if _LINES in session.info:
        session.info[_LINES].append(line)
    else:
        session.add(m.TimelineEntry(**line))
    session.info[TIMELINE_KEY] = session.info.get(TIMELINE_KEY, 0) + 1
    session.info.setdefault(_SAY, []).append((referral_id, kind, text))


def defer_timeline(session: Session) -> None:
    """Write this transaction's timeline lines when it commits, in one statement, instead of one INSERT
    (and often one flush) each: a backfill records about three a message. Same transaction, so a
    rollback drops them with the rest; a read of the timeline before the commit writes them first."""
    session.info.setdefault(_LINES, [])


def _write_lines(session: Session) -> None:
    lines = session.info.get(_LINES)
    if lines:
        session.info[_LINES] = []
        session.flush()  # their referrals first
        session.execute(insert(m.TimelineEntry.__table__), lines)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    _write_lines(session)


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading(state: ORMExecuteState) -> None:
    # bind_mapper (the statement's leading entity) is cheap; all_mappers cost more than the INSERTs saved.
    # Every timeline read leads with TimelineEntry (queries.timeline, whose.py, the digest).
    if state.bind_mapper is _TIMELINE and state.session.info.get(_LINES):
        _write_lines(state.session)


@event.listens_for(Session, "after_commit")
def _say_what_happened(session: Session) -> None:
    """Each timeline entry is a line of `refmail run`'s output, once it is committed (never for a
    transaction that was rolled back). State changes repeat the event that caused them: detail (-v)."""
    for referral_id, kind, text in session.info.pop(_SAY, []):
        if kind == "state":
            logs.detail(f"referral {referral_id}: {text}", referral=referral_id, kind=kind)
        else:
            logs.event(f"referral {referral_id}: {text}", referral=referral_id, kind=kind)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_SAY, None)
    if session.info.get(_LINES):
        session.info[_LINES] = []


def meeting_day(at: datetime | None, app: App) -> str:
    """ "on Thursday 19 November at 10:00" in the owner's zone, for the update to the referrer."""
    if at is None:
        return ""
    local = at.astimezone(app.rules.zone)
    return f"on {local:%A} {local.day} {local:%B} at {local:%H:%M}"


def facts(session: Session, app: App, row: m.Referral, **extra: Any) -> ReferralFacts:
    state = lc.State(row.state)
    people = q.parties_of(session, [row.id])
    known: dict[str, Any] = dict(
        referral_id=row.id,
        owner=app.identity.owner,
        referrers=tuple(people.get((row.id, Role.REFERRER), ())),
        prospects=tuple(people.get((row.id, Role.PROSPECT), ())),
        intro_subject=row.intro_subject,
        intro_message_id=row.intro_message_id,
        context=row.context,
        first_touch=q.first_touch_ref(session, row.id),
        owner_is_referrer=row.owner_is_referrer,
        bcc_referrer=app.rules.first_touch.bcc_referrer,
        unanswered=row.unanswered,
        already_contacted=row.first_sent_at is not None,
        prospect_replied=state in lc.HEARD_FROM or row.replied_at is not None,
        zone=app.rules.zone,
        meeting_day=meeting_day(row.meeting_at, app),
    )
    return ReferralFacts(**{**known, **extra})


def create_draft(
    session: Session, app: App, row: m.Referral, kind: DraftKind, due_at: datetime, now: datetime, **extra: Any
) -> m.Draft:
    if kind is DraftKind.THANK_SOURCE and "prospects" not in extra and not row.owner_is_referrer:
        # One thank-you for a group intro: it names every prospect the referrer introduced.
        group = [row, *q.siblings(session, row)]
        people = q.parties_of(session, [r.id for r in group])
        extra = {**extra, "prospects": tuple(p for r in group for p in people.get((r.id, Role.PROSPECT), ()))}
    spec = plan(kind, facts(session, app, row, **extra))
    subject, body = app.renderer.draft(spec)
    seq = q.draft_count(session, row.id, kind)
    did = next(c for c in draft_ids(row.id, kind, seq) if session.get(m.Draft, c) is None)
    waived = not app.rules.needs_approval(kind)
    draft = new_draft(
        id=did,
        referral_id=row.id,
        kind=kind.value,
        to=[p.as_dict() for p in spec.to],
        cc=[p.as_dict() for p in spec.cc],
        bcc=[p.as_dict() for p in spec.bcc],
        subject=subject,
        body=body,
        message_id=outgoing_message_id(did, app.identity.owner.email, app.secret),
        in_reply_to=spec.in_reply_to,
        references=list(spec.references),
        due_at=due_at,
        created_at=now,
        attempts=0,
    )
    if waived:
        decide(draft, DraftEvent.APPROVED, now, "rule")
        draft.next_attempt_at = next_send_time(now, app.rules)
    session.add(draft)
    # Its Message-ID is new (derived from a draft ID just found unused): linked without a lookup.
    session.add(m.ThreadLink(message_id=draft.message_id, referral_id=row.id))
    note = "approval waived by rule" if waived else "awaiting approval"
    bcc = f", BCC {', '.join(p.email for p in spec.bcc)}" if spec.bcc else ""
    record(session, row.id, now, "draft", f"{kind} drafted for {', '.join(p.email for p in spec.to)}{bcc} ({note})",
           draft_id=did, subject=subject)
    return draft


def apply(session: Session, app: App, row: m.Referral, event: lc.Event, now: datetime, **extra: Any) -> lc.Transition:
    """step() then persistence; raises InvalidTransition untouched so callers decide what it means."""
    # Step from the committed state under the referral's lock, so two events on one referral (a reply
    # and a due close, on two workers) are applied one after the other. Callers that touch the
    # referral's drafts or due actions first have taken this lock already (queries.lock_referral).
    session.flush()
    q.lock_referral(session, row.id)
    before = row.state
    result = lc.step(q.referral_view(row), event, now, app.rules)
    new = result.referral
    row.state = new.state.value
    row.unanswered = new.unanswered
    row.hold_until = new.hold_until
    row.updated_at = now
    text = result.note if before == new.state else f"{result.note} ({before} -> {new.state})"
    record(session, row.id, now, "state", text, event=type(event).__name__, state=new.state.value)
    for effect in result.effects:
        _carry_out(session, app, row, effect, now, **extra)
    return result


def _carry_out(session: Session, app: App, row: m.Referral, effect: lc.Effect, now: datetime, **extra: Any) -> None:
    if isinstance(effect, lc.CreateDraft):
        if effect.recipient:  # a thank-you to one referrer in particular
            person = next((p for p in q.parties(session, row.id, Role.REFERRER) if p.email == effect.recipient), None)
            if person is not None:
                extra = {**extra, "thank_to": person}
        create_draft(session, app, row, effect.kind, effect.due_at, now, **extra)
    elif isinstance(effect, lc.Schedule):
        session.add(m.DueAction(referral_id=row.id, kind=effect.kind.value, due_at=effect.due_at))
    elif isinstance(effect, lc.CancelSchedule):
        q.cancel_due(session, row.id, now)
    elif isinstance(effect, lc.CancelDrafts):
        for draft in q.live_drafts(session, row.id):
            if DraftKind(draft.kind) in effect.kinds:
                decide(draft, DraftEvent.WITHDRAWN, now, "lifecycle")
                record(session, row.id, now, "draft", f"{draft.kind} draft {draft.id} withdrawn", draft_id=draft.id)
    elif isinstance(effect, lc.Postpone):
        q.postpone_due(session, row.id, effect.until)
        for draft in q.live_drafts(session, row.id):
            if DraftKind(draft.kind) in lc.PROSPECT_FACING and (draft.next_attempt_at or now) < effect.until:
                draft.next_attempt_at = effect.until
    else:  # pragma: no cover - the Effect union is closed
        raise TypeError(f"unknown effect {effect!r}")
