"""Route each stored message to what it is about: one message, one transaction, failures quarantined."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from refmail.app import approval_mail, meetings, question_mail, questions
from refmail.app.intake import take_intro
from refmail.app.tracking import TRACK_HANDLERS, Visit, facts_for, forwarded_reply, owner_wrote, owner_wrote_on, track
from refmail.domain.parse import parse_message
from refmail.app.transitions import TIMELINE_KEY, defer_timeline
from refmail.domain import routing as rt
from refmail.domain.outcome import Facts, Outcome, settle, why_not
from refmail.domain.types import ErrorStage, Kind, MessageKind, OverBudget, ParseFailure, ParsedMessage, Role, Understanding
from refmail.domain.zones import offset_minutes
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

log = logging.getLogger(__name__)
DELIVERY_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Delivered-To")


PAGE = 1000
PROGRESS_EVERY = 500
# session.info key: what this run already read of recent messages (look_back reads them again).
READINGS = "refmail.readings"


class Readings:
    """The last few messages' (parsed, understanding), by row id: an intro's look back at the prospect's
    earlier mail takes them from here instead of parsing and understanding that mail a second time.
    Bounded, and made per run of process_pending: memory stays flat however long the backlog."""

    def __init__(self, size: int = 256) -> None:
        self.size, self.kept = size, dict[int, tuple[ParsedMessage, Understanding]]()

    def keep(self, row_id: int, parsed: ParsedMessage, u: Understanding) -> None:
        self.kept[row_id] = (parsed, u)
        if len(self.kept) > self.size:
            del self.kept[next(iter(self.kept))]

    def get(self, row_id: int) -> tuple[ParsedMessage, Understanding] | None:
        return self.kept.get(row_id)


def process_pending(app: App, now: datetime) -> int:
    """Every message waiting, page after page: no per-cycle cap leaves a backfill stranded for later cycles."""
    done = after = 0
    readings = Readings()
    while True:
        with app.sessions() as s:
            ids = q.unprocessed_message_ids(s, PAGE, after)
        if not ids:
            break
        after = ids[-1]
        done += _process_page(app, ids, now, readings)
        if done and len(ids) == PAGE:
            log.info("processing a backlog: %d messages read so far", done)
    return done


# Messages handled per transaction: a commit per message cost a backfill more than a tenth of its time.
BATCH = 100


def _process_page(app: App, ids: list[int], now: datetime, readings: Readings) -> int:
    """The page in batches of one transaction each. When a message fails, its batch is undone: the
    failing message gets what a failure gets (as if it had been alone), the others are handled again."""
    done, queue = 0, list(ids)
    while queue:
        batch, queue = queue[:BATCH], queue[BATCH:]
        handled: list[int] = []
        count, current = 0, None
        try:
            with app.sessions.begin() as s:
                s.info[READINGS] = readings
                defer_timeline(s)
                rows = _claim(s, batch)
                for current in batch:
                    count += _handle_claimed(s, app, rows.get(current), now)
                    handled.append(current)
                current = None
        except Exception as exc:
            if current is None:  # the claim or the commit failed: whose fault cannot be told, so each alone
                count = sum(_process_one(app, mid, now, readings) for mid in batch)
            else:
                count = 0
                _failed(app, current, exc, now)
                queue = handled + batch[len(handled) + 1:] + queue
        if (done + count) // PROGRESS_EVERY > done // PROGRESS_EVERY:
            log.info("processed %d of %d messages in this page", done + count, len(ids))
        done += count
    return done


def _claim(s: Session, ids: list[int]) -> dict[int, m.Message]:
    """The row locks are the claim: another worker skips these messages until we commit."""
    rows = s.scalars(select(m.Message).where(m.Message.id.in_(ids), m.Message.processed_at.is_(None))
                     .with_for_update(skip_locked=True))
    return {row.id: row for row in rows}


def _claim_and_handle(s: Session, app: App, mid: int, now: datetime) -> int:
    return _handle_claimed(s, app, _claim(s, [mid]).get(mid), now)


def _handle_claimed(s: Session, app: App, row: m.Message | None, now: datetime) -> int:
    if row is None:
        return 0
    if row.error_stage == ErrorStage.CONFLICT:  # last cycle's race is over
        row.error = row.error_stage = None
    handle(s, app, row, now)
    row.processed_at = now
    return 1


def _process_one(app: App, mid: int, now: datetime, readings: Readings) -> int:
    try:
        with app.sessions.begin() as s:
            s.info[READINGS] = readings
            defer_timeline(s)
            return _claim_and_handle(s, app, mid, now)
    except Exception as exc:
        _failed(app, mid, exc, now)
        return 0


def _failed(app: App, mid: int, exc: Exception, now: datetime) -> None:
    """What a message whose transaction failed gets: left for the next cycle, retried once, or quarantined."""
    if isinstance(exc, OperationalError):  # the database hiccuped (lock timeout, lost connection): try next cycle
        log.warning("message %s: database unavailable, left for the next cycle", mid, exc_info=exc)
        return
    if isinstance(exc, IntegrityError):
        # Another worker created the same row a moment ago (two copies of one intro): the next
        # cycle sees its work and goes the other way. Twice in a row is a real problem: quarantine.
        with app.sessions.begin() as s:
            row = s.get(m.Message, mid)
            if row is not None and row.processed_at is None:
                if row.error_stage == ErrorStage.CONFLICT:
                    row.processed_at, row.error, row.error_stage = now, f"IntegrityError: {exc}", ErrorStage.PROCESS
                else:
                    row.error, row.error_stage = "conflict with another worker; retried next cycle", ErrorStage.CONFLICT
        return
    # quarantine: keep the message, say why, move on
    log.error("message %s could not be processed; quarantined", mid, exc_info=exc)
    with app.sessions.begin() as s:
        row = s.get(m.Message, mid)
        if row is not None and row.processed_at is None:
            row.processed_at, row.error, row.error_stage = now, f"{type(exc).__name__}: {exc}", ErrorStage.PROCESS
            row.outcome = Outcome.QUARANTINED.value


LOOK_BACK = timedelta(days=14)
# Built once (an intro in two looks back): the prospects' mail that was about nothing when it was read.
_EARLIER = select(m.Message).where(
    m.Message.sender.in_(bindparam("senders", expanding=True)), m.Message.referral_id.is_(None),
    m.Message.error.is_(None), m.Message.processed_at.is_not(None), m.Message.received_at >= bindparam("since"),
    m.Message.id != bindparam("intro"), m.Message.kind.in_([Kind.REPLY.value, Kind.OTHER.value, Kind.AUTOREPLY.value]),
).order_by(m.Message.id)


def look_back(s: Session, app: App, intro: m.Message, now: datetime) -> str:
    """The intro reached refmail after the prospect had already written (a slow or failed intake poll):
    her earlier mail, read then as about nothing, is read again now that it is about this referral."""
    prospects = [p.email for p in q.parties(s, intro.referral_id or "", Role.PROSPECT)]
    earlier = s.scalars(_EARLIER, {"senders": prospects, "since": now - LOOK_BACK, "intro": intro.id}).all()
    notes = []
    readings = s.info.get(READINGS)
    for row in earlier:
        known = readings.get(row.id) if readings is not None else None
        if known is None:
            parsed = parse_message(row.raw)
            if isinstance(parsed, ParseFailure):
                continue
            known = parsed, _understand(parsed, app)
        notes.append(track(s, app, row, *known, now))
    return "".join(f"; earlier mail: {n}" for n in notes)


def _over_budget(row: m.Message, why: str) -> None:
    """Quarantine: the message stays whole and listed (`refmail quarantine`), and no later cycle stalls on it."""
    log.warning("message %s quarantined: %s", row.message_id, why)
    row.kind, row.error, row.error_stage = MessageKind.OVER_BUDGET, why, ErrorStage.BUDGET
    row.outcome = Outcome.QUARANTINED.value


def addressed_to_assistant(app: App, parsed: ParsedMessage) -> bool:
    if any(app.identity.is_assistant(p.email) for p in parsed.recipients):
        return True
    return any(
        app.identity.is_assistant(v.strip().strip("<>")) for h in DELIVERY_HEADERS for v in parsed.header_all(h)
    )


def handed_to_assistant(app: App, row: m.Message, parsed: ParsedMessage) -> bool:
    """Mail someone gave refmail (the assistant in To/Cc, or in its own mailbox, BCC or forward): it is owed
    an outcome. With no mailbox of its own, the assistant is only reached by its address."""
    own_box = row.source == "intake" and bool(app.settings.intake_user) and row.account == app.settings.intake_user
    return own_box or addressed_to_assistant(app, parsed)


def handle(s: Session, app: App, row: m.Message, now: datetime) -> None:
    """Route one message (domain/routing.py), run its route's handler, then settle its outcome: mail handed
    to the assistant never ends in silence."""
    started = app.cpu()
    parsed = parse_message(row.raw, app.rules.detection_rules.max_header_chars)
    if isinstance(parsed, ParseFailure):
        row.kind, row.error, row.error_stage = MessageKind.UNREADABLE, parsed.error, ErrorStage.PARSE
        row.outcome = Outcome.QUARANTINED.value
        return
    handed = row.source != "sent" and handed_to_assistant(app, row, parsed)
    entries = s.info.get(TIMELINE_KEY, 0)
    facts = facts_for(s, app, parsed, row.source, handed)
    route = rt.route(parsed, None, facts, app.identity)
    u = None
    if route.kind is rt.RouteKind.READ:
        u = _read(app, row, parsed, started)
        if u is None:  # quarantined
            return
        row.kind, row.sender = u.kind.value, parsed.sender.email if parsed.sender else None
        if READINGS in s.info:
            s.info[READINGS].keep(row.id, parsed, u)
        row.utc_offset = offset_minutes(parsed)  # her zone, for sending at a decent hour hers
        route = rt.route(parsed, u, facts, app.identity)
    handler = HANDLERS[route.kind]
    row.summary = handler.run(Visit(s, app, row, parsed, u, now), route)
    if handler.kind is not None:
        row.kind = handler.kind
    if handler.news:
        row.outcome = Outcome.EVENT.value
        return
    took = route.kind is rt.RouteKind.NEW_INTRO
    _settle(s, app, row, parsed, u if row.source != "sent" else None, handed, entries, took, now, route.asks)


def _read(app: App, row: m.Message, parsed: ParsedMessage, started: float) -> Understanding | None:
    """The message understood, or None when it was quarantined instead (over the time budget, or a bug)."""
    limits = app.rules.detection_rules

    def over_budget() -> bool:
        return app.cpu() - started > limits.time_budget_seconds

    try:
        u = _understand(parsed, app, over_budget)
    except OverBudget as exc:
        _over_budget(row, str(exc))
        return None
    except Exception as exc:  # a bug is no verdict: keep the message, say why, let `quarantine --retry` redo it
        log.exception("understanding message %s failed; quarantined", row.id)
        row.kind, row.error, row.error_stage = None, f"{type(exc).__name__}: {exc}", ErrorStage.UNDERSTAND
        row.outcome = Outcome.QUARANTINED.value
        return None
    if over_budget():  # the last step ran long: act on nothing it found, keep the message for the owner
        _over_budget(row, f"reading took {app.cpu() - started:.1f} s of CPU, over the time budget of "
                          f"{limits.time_budget_seconds:g} s (rules.yaml detection.time_budget_seconds)")
        return None
    return u


def take_handed(s: Session, app: App, row: m.Message, parsed: ParsedMessage, u: Understanding, now: datetime,
                on_thread: tuple[str, ...] = ()) -> None:
    """An intro handed to refmail (found by detection, or confirmed by the owner) becomes a referral.

    ``on_thread``: referrals refmail already followed that the message also speaks on. Its writer is on one
    (a prospect bringing in a colleague): a prospect's counts as her reply, and no follow-up chases her. Or
    the owner writes to clients of hers while introducing them to someone: she wrote to them by hand, and
    refmail sends them no first touch of its own."""
    taken, row.summary = take_intro(s, app, parsed, u, now)
    row.referral_id = taken
    also = rt.with_intro(parsed, u, app.identity)
    hers = rt.from_owner(parsed, app.identity)
    if also is None and on_thread:
        also = rt.RouteKind.OWNER_WROTE if hers else rt.RouteKind.REPLY_ON
    if also is rt.RouteKind.FORWARDED_REPLY:  # the owner forwarded the prospect's answer to the intro
        row.summary += "; " + forwarded_reply(s, app, row, parsed, u, now)
    elif also is rt.RouteKind.REPLY_ON:  # the intro reached us inside the prospect's reply-all: that reply counts too
        row.summary += "; " + track(s, app, row, parsed, u, now)
    elif also is rt.RouteKind.OWNER_WROTE and u.owner_is_referrer:  # her own intro, to clients refmail follows
        row.summary += "; " + owner_wrote_on(s, app, parsed, tuple(r for r in on_thread if r != taken), now)
    elif also is rt.RouteKind.OWNER_WROTE:  # her reply-all to someone else's intro, the assistant in BCC
        row.summary += "; " + owner_wrote(s, app, parsed, now)
    row.referral_id = taken or row.referral_id  # the message is the intro of the referral it started
    if row.referral_id:
        row.summary += look_back(s, app, row, now)


@dataclass(frozen=True)
class Handler:
    """What runs for a route, and what the message then is."""

    run: Callable[[Visit, rt.Route], str]  # carries the route out; returns the message's summary
    kind: MessageKind | None = None  # what the message is, when not what the reading says
    news: bool = False  # the route is itself news (Outcome.EVENT): nothing to settle


def _sent_by_owner(v: Visit, route: rt.Route) -> str:
    approval_mail.handle_sent(v.s, v.app, v.parsed, v.now, in_sent=v.row.source == "sent")
    return route.why


def _approval_answer(v: Visit, route: rt.Route) -> str:
    approval_mail.handle_reply(v.s, v.app, v.parsed, v.now)
    return route.why


def _question_answer(v: Visit, route: rt.Route) -> str:
    question_mail.handle_reply(v.s, v.app, v.parsed, v.now)
    return route.why


def _meeting(v: Visit, route: rt.Route) -> str:
    v.row.sender = v.sender
    return meetings.seen(v.s, v.app, v.row, v.parsed, route.meetings, v.now)


def _new_intro(v: Visit, route: rt.Route) -> str:
    assert v.u is not None
    take_handed(v.s, v.app, v.row, v.parsed, v.u, v.now, on_thread=route.referrals)
    return v.row.summary or ""


# Mailman's chains as a table: each route, the one place it is carried out.
HANDLERS: dict[rt.RouteKind, Handler] = {
    rt.RouteKind.OURS: Handler(lambda v, route: route.why, MessageKind.OURS),
    rt.RouteKind.SENT_BY_OWNER: Handler(_sent_by_owner, MessageKind.OURS, news=True),
    rt.RouteKind.APPROVAL_ANSWER: Handler(_approval_answer, MessageKind.APPROVAL, news=True),
    rt.RouteKind.QUESTION_ANSWER: Handler(_question_answer, MessageKind.ANSWER, news=True),
    rt.RouteKind.MEETING: Handler(_meeting, MessageKind.CALENDAR, news=True),
    rt.RouteKind.NEW_INTRO: Handler(_new_intro),
    rt.RouteKind.OWNER_WROTE: Handler(lambda v, route: owner_wrote_on(v.s, v.app, v.parsed, route.referrals, v.now)),
    **{kind: Handler(run) for kind, run in TRACK_HANDLERS.items()},
}


def _settle(s: Session, app: App, row: m.Message, parsed: ParsedMessage, u: Understanding | None, handed: bool,
            entries: int, took: bool, now: datetime, asks: bool = False) -> None:
    """Give the message its one outcome; an unsure one becomes a question (handed) or a possible intro (seen)."""
    facts = Facts(handed=handed, referral=took and row.referral_id is not None,
                  event=row.referral_id is not None or s.info.get(TIMELINE_KEY, 0) > entries,
                  intro_unplaced=u is not None and u.is_intro and not u.prospects, asks=asks)
    outcome = settle(facts, u)
    row.outcome = outcome.value
    if outcome is Outcome.NOT_INTRO:
        row.summary = "not an intro: " + (why_not(u) if u is not None else "refmail's own message")
    elif outcome in (Outcome.QUESTION, Outcome.POSSIBLE) and u is not None:
        qid = questions.open_question(s, app, row, parsed, u, outcome, now)
        row.summary = (row.summary + "; " if row.summary else "") + f"question {qid}"


def _understand(parsed: ParsedMessage, app: App, over_budget: Callable[[], bool] = lambda: False) -> Understanding:
    """The pipeline (spaCy and its model) is imported here, the first time mail must be understood: an
    idle cycle and the listing commands never pay for it."""
    from refmail.domain.pipeline import understand

    return understand(parsed, app.identity, app.rules.detection_rules, app.pipeline(), over_budget)
