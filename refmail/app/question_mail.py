"""Questions by email: ask the owner once per unsure message, and take her answer under the approval rules."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from refmail.app.approval_mail import assistant_person, owners_word_refusal
from refmail.app.questions import EMAIL, OPEN, QuestionError, readings_of, settle_answer
from refmail.domain import approvals as ap
from refmail.domain import questions as qs
from refmail.domain.digest import local_time, snippet
from refmail.domain.mailtext import first_name, is_forward_subject
from refmail.domain.parse import parse_message
from refmail.domain.types import OutgoingMail, ParsedMessage, ParseFailure
from refmail.mail.ports import AmbiguousSendError, PermanentSendError, Transport
from refmail.render import Envelope, compose, single_line
from refmail.store import models as m
from refmail.app.context import App

log = logging.getLogger(__name__)


def _domain(app: App) -> str:
    return assistant_person(app).email.rpartition("@")[2] or "refmail.invalid"


def question_mail(s: Session, app: App, row: m.Question, now: datetime) -> OutgoingMail:
    """The email: the message asked about, its numbered readings, how to answer; a keyed Message-ID."""
    owner = app.identity.owner
    mid = qs.question_message_id(app.secret, row.id, owner.email, now, _domain(app))
    msg = s.get(m.Message, row.message_row)
    parsed = parse_message(msg.raw) if msg is not None and msg.raw else ParseFailure("")
    data = {
        "owner_first": first_name(owner), "question_id": row.id, "question_code": mid,
        "sender": single_line(row.sender) or "(unknown)", "subject": single_line(row.subject) or "(no subject)",
        "received": local_time(row.received_at, app.rules.zone),
        "snippet": "" if isinstance(parsed, ParseFailure) else snippet(parsed.text, 300),
        "readings": [single_line(qs.reading_line(r)) for r in readings_of(row)],
    }
    subject = single_line(app.renderer.text("question.subject.j2", data))
    if not subject.startswith(qs.QUESTION_SUBJECT):  # the contract answers are recognised by
        subject = qs.QUESTION_SUBJECT + single_line(row.subject)
    assistant = assistant_person(app)
    env = Envelope(message_id=mid, kind="question", sender=assistant, to=(owner,), cc=(), subject=subject,
                   body=app.renderer.text("question.body.j2", data), reply_to=assistant.email)
    return compose(env, now)


def request_questions(app: App, transport: Transport, now: datetime) -> int:
    """One email per open question not yet asked. The claim is committed first: a crash never asks twice."""
    with app.sessions() as s:
        ids = list(s.scalars(select(m.Question.id).where(m.Question.status == OPEN, m.Question.channel == EMAIL,
                                                         m.Question.asked_at.is_(None)).order_by(m.Question.id)))
    asked = 0
    for qid in ids:
        with app.sessions.begin() as s:
            claimed = s.execute(update(m.Question).where(m.Question.id == qid, m.Question.asked_at.is_(None))
                                .values(asked_at=now)).rowcount == 1  # type: ignore[attr-defined]
        if not claimed:
            continue  # another worker asked
        try:
            with app.sessions() as s:
                row = s.get(m.Question, qid)
                assert row is not None
                mail = question_mail(s, app, row, now)
            transport.send(mail)
        except AmbiguousSendError as exc:  # it may have arrived; asking twice would be worse (the digest lists it)
            log.warning("question email %s may not have arrived (%s); not resent", qid, exc)
        except PermanentSendError as exc:
            log.error("question email %s refused by the mail server: %s", qid, exc)
            _release(app, qid)
            continue
        except Exception:
            _release(app, qid)  # ask next cycle
            raise
        with app.sessions.begin() as s:
            s.execute(update(m.Question).where(m.Question.id == qid).values(asked_message_id=mail.message_id))
        asked += 1
    return asked


def _release(app: App, qid: str) -> None:
    with app.sessions.begin() as s:
        s.execute(update(m.Question).where(m.Question.id == qid).values(asked_at=None))


# ---- answers -----------------------------------------------------------------


def _refuse(s: Session, parsed: ParsedMessage, sender: str, qid: str | None, now: datetime, reason: str) -> None:
    """Kept with the refused approval attempts: the digest lists both."""
    if s.scalar(select(m.ApprovalAttempt.id).where(m.ApprovalAttempt.message_id == parsed.message_id)) is not None:
        return
    text = f"question {qid}: {reason}" if qid else reason
    s.add(m.ApprovalAttempt(message_id=parsed.message_id, at=now, sender=sender[:320], draft_id=None,
                            accepted=False, reason=text[:2000]))
    log.warning("answer %s from %r refused: %s", parsed.message_id, sender, text)


def _refusal(app: App, parsed: ParsedMessage, sender: str,
             found: tuple[qs.QuestionRef, ap.TokenCheck] | None) -> str | None:
    """Why this answer may decide nothing, or None: the approval rules (owner, token, DKIM/SPF) all hold."""
    if found is None:
        return "no question code: it does not answer a question refmail sent"
    refused = owners_word_refusal(app, parsed, sender, found[1], what="question")
    if refused is not None:
        return refused
    if is_forward_subject(parsed.subject):
        return "a forward of the question email, not an answer"
    return None


def handle_reply(s: Session, app: App, parsed: ParsedMessage, now: datetime) -> bool:
    """True when the message answers a question (accepted or refused): it is then nothing else."""
    if not qs.looks_like_answer(parsed):
        return False
    sender = parsed.sender.email if parsed.sender else ""
    found = qs.find_token(parsed, app.secret, app.identity.owner.email, now)
    qid = found[0].question_id if found else None
    reason = _refusal(app, parsed, sender, found)
    row = s.scalars(select(m.Question).where(m.Question.id == qid).with_for_update()).first() if qid else None
    if reason is None and row is None:
        reason = "no such question"
    if reason is not None:
        _refuse(s, parsed, sender, qid, now, reason)
        return True
    assert row is not None
    answer = qs.read_answer(parsed.text, len(row.readings))
    try:
        settled = settle_answer(s, app, row, answer, now, "email")
    except QuestionError as exc:
        _refuse(s, parsed, sender, row.id, now, str(exc))
        return True
    if not settled.changed:  # answered already (by email or on the command line): she hears of it
        _refuse(s, parsed, sender, row.id, now, settled.message)
        return True
    log.info("%s", settled.message)
    return True
