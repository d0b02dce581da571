"""Questions to the owner: open one per unsure message, list them, and settle her answer into a referral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from refmail.app.report import iso
from refmail.app.transitions import record
from refmail.domain import digest as dg
from refmail.domain import questions as qs
from refmail.domain.outcome import Outcome
from refmail.domain.parse import parse_message
from refmail.domain.types import Kind, ParsedMessage, ParseFailure, Reading, Understanding
from refmail.errors import QuestionError
from refmail.render import single_line
from refmail.store import models as m
from refmail.app.context import App

OPEN, ANSWERED, DISMISSED = "open", "answered", "dismissed"
EMAIL, DIGEST = "email", "digest"  # asked by email (mail handed to refmail) | listed in the digest (her inbox)
# A possible intro from her own inbox is listed in the digests of its first week; `refmail questions` keeps it.
POSSIBLE_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Settled:
    changed: bool
    message: str


def readings_of(row: m.Question) -> tuple[Reading, ...]:
    return tuple(qs.reading_from_json(r) for r in row.readings)


def open_question(s: Session, app: App, row: m.Message, parsed: ParsedMessage, u: Understanding, outcome: Outcome,
                  now: datetime) -> str:
    """The question about this message (asked once, whatever re-reads it), or the open one about the same intro."""
    existing = s.scalar(select(m.Question).where(m.Question.message_row == row.id))
    if existing is not None:
        return existing.id
    readings = u.readings
    if not readings and u.kind is Kind.INTRO and u.prospects:  # an intro refmail may not act on alone
        readings = (Reading(u.referrer, u.prospects, u.confidence, u.owner_is_referrer, u.intro_message_id,
                            u.context, u.urgency),)
    intro_mid = (readings[0].intro_message_id if readings else None) or u.intro_message_id or parsed.message_id
    twin = s.scalar(select(m.Question).where(m.Question.intro_message_id == intro_mid, m.Question.status == OPEN))
    if twin is not None:  # the same intro handed over twice (CC'd, then forwarded): one question
        return twin.id
    qid = next(c for c in qs.question_ids(parsed.message_id) if s.get(m.Question, c) is None)
    s.add(m.Question(
        id=qid, message_row=row.id, message_id=parsed.message_id, intro_message_id=intro_mid,
        channel=EMAIL if outcome is Outcome.QUESTION else DIGEST, status=OPEN, subject=parsed.subject[:2000],
        sender=(parsed.sender.formatted() if parsed.sender else "")[:700], received_at=row.received_at,
        readings=[qs.reading_to_json(r) for r in readings], created_at=now,
    ))
    s.flush()
    return qid


def question_dict(row: m.Question) -> dict[str, Any]:
    return {"id": row.id, "subject": row.subject, "from": row.sender, "received_at": iso(row.received_at),
            "readings": [r.as_dict() for r in readings_of(row)],
            "lines": [qs.reading_line(r) for r in readings_of(row)],
            "kind": "question" if row.channel == EMAIL else "possible_intro", "asked_at": iso(row.asked_at)}


def listing(app: App) -> list[dict[str, Any]]:
    """Open questions, oldest first: asked by email, and possible intros from her inbox."""
    with app.sessions() as s:
        rows = s.scalars(select(m.Question).where(m.Question.status == OPEN).order_by(m.Question.received_at,
                                                                                       m.Question.id)).all()
        return [question_dict(r) for r in rows]


def find(s: Session, short_id: str, lock: bool = False) -> m.Question | None:
    """By full ID or an unambiguous prefix."""
    short_id = short_id.strip().lower()
    if not short_id:
        return None
    stmt = select(m.Question).where(m.Question.id.startswith(short_id, autoescape=True)).order_by(m.Question.id)
    rows = s.scalars(stmt.with_for_update() if lock else stmt).all()
    exact = [r for r in rows if r.id == short_id]
    if exact:
        return exact[0]
    if len(rows) > 1:
        raise QuestionError(f"{short_id!r} fits {', '.join(r.id for r in rows[:6])}: type more of the ID")
    return rows[0] if rows else None


def answer_by_id(app: App, question_id: str, answer: qs.Answer, by: str) -> Settled:
    """`refmail answer`: the same settling an emailed answer gets."""
    now = app.clock.now()
    with app.sessions.begin() as s:
        row = find(s, question_id, lock=True)
        if row is None:
            raise QuestionError(f"no question {question_id!r} (see `refmail questions`)")
        return settle_answer(s, app, row, answer, now, by)


def settle_answer(s: Session, app: App, question: m.Question, answer: qs.Answer, now: datetime, by: str) -> Settled:
    if question.status != OPEN:
        return Settled(False, f"question {question.id} is already {question.status}")
    if answer.kind is qs.AnswerKind.UNCLEAR:
        raise QuestionError(answer.why)
    if answer.kind is qs.AnswerKind.NO:
        question.status, question.answer = DISMISSED, "no"
        question.answered_at, question.answered_by = now, by
        return Settled(True, f"question {question.id} closed: not an intro")
    readings = readings_of(question)
    if answer.kind is qs.AnswerKind.PICK:
        if not 1 <= answer.number <= len(readings):
            raise QuestionError(f"question {question.id} has no reading {answer.number} "
                                f"(it has {len(readings)}; see `refmail questions`)")
        reading, said = readings[answer.number - 1], str(answer.number)
    else:
        reading, said = _given(app, answer, readings[0] if readings else None), "referrer: {} prospects: {}".format(
            answer.referrer.email if answer.referrer else "-", ", ".join(p.email for p in answer.prospects))
    rid = _as_intro(s, app, question, reading, now, by)
    question.status, question.answer, question.referral_id = ANSWERED, said, rid
    question.answered_at, question.answered_by = now, by
    return Settled(True, f"question {question.id} answered: referral {rid}, first touch drafted (see `refmail drafts`)")


def _given(app: App, answer: qs.Answer, base: Reading | None) -> Reading:
    """Her own referrer and prospects; the rest (the intro's thread, context, timing cues) from the best reading."""
    ident = app.identity
    referrer = answer.referrer
    assert referrer is not None
    if ident.is_assistant(referrer.email):
        raise QuestionError("the referrer cannot be the assistant's address")
    bad = [p.email for p in answer.prospects if ident.is_ours(p.email) or p.email == referrer.email]
    if bad:
        raise QuestionError(f"{', '.join(bad)} cannot be a prospect (it is yours, the assistant's, or the referrer)")
    by_owner = ident.is_owner(referrer.email)
    return Reading(ident.owner if by_owner else referrer, answer.prospects, 1.0, by_owner,
                   base.intro_message_id if base else None, base.context if base else "",
                   base.urgency if base else None)


def _as_intro(s: Session, app: App, question: m.Question, reading: Reading, now: datetime, by: str) -> str:
    """Create the referral exactly as detection would have, timed from when the message arrived."""
    from refmail.app.process import take_handed  # process settles messages into questions: import at use

    row = s.get(m.Message, question.message_row)
    parsed = parse_message(row.raw) if row is not None and row.raw else ParseFailure("its bytes are gone")
    if row is None or isinstance(parsed, ParseFailure):
        raise QuestionError(f"the message of question {question.id} can no longer be read; nothing created")
    u = Understanding(kind=Kind.INTRO, confidence=1.0, referrer=reading.referrer, prospects=reading.prospects,
                      receiver=app.identity.owner, context=reading.context, urgency=reading.urgency,
                      reasons=(f"the owner answered question {question.id} ({by})",),
                      owner_is_referrer=reading.owner_is_referrer,
                      intro_message_id=reading.intro_message_id or parsed.message_id)
    take_handed(s, app, row, parsed, u, row.received_at)
    if row.referral_id is None:
        raise QuestionError(f"question {question.id}: {row.summary or 'no referral could be made'}")
    row.outcome = Outcome.REFERRAL.value
    record(s, row.referral_id, now, "note", f"the owner confirmed this intro (question {question.id}, {by})",
           message_id=parsed.message_id)
    return row.referral_id


# ---- the digest ------------------------------------------------------------------


def _readings_text(row: m.Question) -> str:
    readings = readings_of(row)
    if not readings:
        return "refmail could not name who is introduced"
    return "; ".join(f"{i}. {qs.reading_line(r)}" for i, r in enumerate(readings, 1))


def digest_items(s: Session, now: datetime, after: datetime) -> dict[dg.SectionKind, tuple[dg.Item, ...]]:
    """Open questions (until answered), possible intros (their first week), and mail set aside since `after`."""
    asked = s.scalars(select(m.Question).where(m.Question.status == OPEN, m.Question.channel == EMAIL)
                      .order_by(m.Question.received_at)).all()
    possible = s.scalars(select(m.Question).where(m.Question.status == OPEN, m.Question.channel == DIGEST,
                                                  m.Question.received_at > now - POSSIBLE_FOR)
                         .order_by(m.Question.received_at)).all()
    set_aside = s.scalars(select(m.Message).where(m.Message.outcome == Outcome.NOT_INTRO.value,
                                                  m.Message.processed_at > after).order_by(m.Message.id)).all()
    return {
        dg.SectionKind.QUESTIONS: tuple(dg.Item(
            single_line(q.subject) or "(no subject)", single_line(f"from {q.sender or 'an unknown sender'}: "
                                                                  + _readings_text(q))[:600],
            single_line(f'reply to "{qs.QUESTION_SUBJECT}{q.subject}" with a number, "no", or referrer:/prospect: '
                        f"lines, or run: refmail answer {q.id} 1")[:400], q.id, q.received_at) for q in asked),
        dg.SectionKind.POSSIBLE: tuple(dg.Item(_possible_line(q)) for q in possible),
        dg.SectionKind.NOT_INTROS: tuple(_set_aside_item(row) for row in set_aside),
    }


def _possible_line(q: m.Question) -> str:
    """One line: the likeliest reading, the subject, and the command that tracks it."""
    readings = readings_of(q)
    what = qs.reading_line(readings[0]) if readings else "an intro refmail could not place"
    track = f"refmail answer {q.id} 1" if readings else f"refmail answer {q.id} --referrer ADDR --prospect ADDR"
    return single_line(f"{what[:240]} ({q.subject[:120] or 'no subject'}): {track}")


def _set_aside_item(row: m.Message) -> dg.Item:
    parsed = parse_message(row.raw) if row.raw else ParseFailure("")
    subject = "" if isinstance(parsed, ParseFailure) else parsed.subject
    sender = row.sender or ("" if isinstance(parsed, ParseFailure) or parsed.sender is None else parsed.sender.email)
    why = (row.summary or "").removeprefix("not an intro: ")
    return dg.Item(single_line(f"{subject or '(no subject)'} from {sender or 'an unknown sender'}")[:300],
                   single_line(why)[:300], "", "", row.processed_at)
