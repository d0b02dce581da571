"""Approval by email: mail the owner each draft, take her answer, and (optionally) use her Drafts folder."""

from __future__ import annotations

import email
import logging
from datetime import datetime
from email.policy import SMTP

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from refmail.app import decide
from refmail.app.outbox import move
from refmail.app.transitions import record
from refmail.domain import approvals as ap
from refmail.domain.drafting import display_name, names_list
from refmail.domain.mailtext import first_name, is_forward_subject, new_text
from refmail.domain.outbox import LIVE, DraftEvent, DraftStatus, allows
from refmail.domain.types import OutgoingMail, ParsedMessage, Person, Role
from refmail.mail.ports import AmbiguousSendError, Mailbox, MailError, PermanentSendError, Transport
from refmail.render import Envelope, address_line, compose, single_line
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

log = logging.getLogger(__name__)
DRAFT_HEADER = "X-Refmail-Draft"
REFERRER_FACING = frozenset({"thank_source", "escalation", "keep_in_loop", "thank_won", "bounce_notice"})

# {has}/{have}: agree with the prospects ("Carol has not", "Carol and Dan have not").
WHY = {
    "first_touch": "the first message to {prospects}, introduced by {referrer}",
    "second_touch": "a second message to {prospects}, who {has} not answered yet (introduced by {referrer})",
    "thank_source": "a thank-you to {referrer} for introducing {prospects}",
    "escalation": "a note to {referrer}: {prospects} {has} not answered your messages",
    "keep_in_loop": "an update to {referrer}: {prospects} replied",
    "thank_won": "a thank-you to {referrer}: the introduction to {prospects} was won",
    "check_in": "a check-in with {prospects}, whom you introduced to each other",
    "bounce_notice": "a note to {referrer}: mail to {prospects} bounced",
}


def assistant_person(app: App) -> Person:
    return Person("refmail", app.identity.assistant or app.identity.owner.email)


def _domain(app: App) -> str:
    return assistant_person(app).email.rpartition("@")[2] or "refmail.invalid"


def why(s: Session, draft: m.Draft) -> str:
    """One line on what the draft is for: the referral, its referrer and prospect."""
    referrers = q.parties(s, draft.referral_id, Role.REFERRER)
    prospects = q.parties(s, draft.referral_id, Role.PROSPECT)
    if draft.kind in REFERRER_FACING and draft.to:  # the referrer it is written to, not every referrer
        referrers = list(q.people(draft.to))
    text = WHY.get(draft.kind, draft.kind.replace("_", " ") + " for {prospects}").format(
        prospects=names_list([display_name(p) for p in prospects]) or "the prospect",
        referrer=names_list([display_name(p) for p in referrers]) or "the referrer",
        has="have" if len(prospects) > 1 else "has",
    )
    return single_line(f"{text} (referral {draft.referral_id})")


def approval_mail(s: Session, app: App, draft: m.Draft, now: datetime) -> tuple[str, bytes, tuple[str, ...]]:
    owner = app.identity.owner
    mid = ap.approval_message_id(app.secret, draft.id, owner.email, now, _domain(app))
    data = {
        "owner_first": first_name(owner), "why": why(s, draft), "draft_id": draft.id,
        "due_at": f"{draft.due_at.astimezone(app.rules.zone):%a %d %b %H:%M}",
        "sender": single_line(owner.formatted()), "to": address_line(q.people(draft.to)), "cc": address_line(q.people(draft.cc)),
        "bcc": address_line(q.people(draft.bcc or [])),
        "draft_subject": single_line(draft.subject), "body": draft.body.rstrip(), "approval_code": mid,
    }
    subject = single_line(app.renderer.text("approval.subject.j2", data))
    if not subject.startswith(ap.APPROVAL_SUBJECT):  # the contract answers are recognised by
        subject = ap.APPROVAL_SUBJECT + single_line(draft.subject)
    body = app.renderer.text("approval.body.j2", data)
    assistant = assistant_person(app)
    env = Envelope(message_id=mid, kind="approval", sender=assistant, to=(owner,), cc=(), subject=subject,
                   body=body, reply_to=assistant.email)
    mail = compose(env, now)
    return mid, mail.data, mail.recipients


def request_approvals(app: App, transport: Transport, now: datetime) -> int:
    """One approval email per pending draft not yet asked about; straight away (her inbox, not a prospect's)."""
    if app.rules.drafts_folder_mode:
        return _to_drafts_folder(app, now)
    with app.sessions() as s:
        ids = list(s.scalars(select(m.Draft.id).where(m.Draft.status == DraftStatus.PENDING,
                                                      m.Draft.approval_requested_at.is_(None))
                             .order_by(m.Draft.created_at)))
    asked = 0
    for draft_id in ids:
        if not _claim(app, draft_id, now):
            continue  # another worker asked about it
        try:
            with app.sessions() as s:
                draft = s.get(m.Draft, draft_id)
                assert draft is not None
                mid, data, recipients = approval_mail(s, app, draft, now)
            transport.send(OutgoingMail(mid, assistant_person(app).email, recipients, data))
        except AmbiguousSendError as exc:
            # It may have arrived; asking twice would be worse. The digest and CLI still list the draft.
            log.warning("approval email for %s may not have arrived (%s); not resent", draft_id, exc)
        except PermanentSendError as exc:
            # Her own address refused: nothing to retry within this cycle; the digest and CLI still list it.
            log.error("approval email for %s refused by the mail server: %s", draft_id, exc)
            _release(app, draft_id)
            continue
        except Exception:
            _release(app, draft_id)  # ask again next cycle
            raise
        with app.sessions.begin() as s:
            record(s, s.get(m.Draft, draft_id).referral_id, now, "draft",  # type: ignore[union-attr]
                   f"approval requested by email for draft {draft_id}", draft_id=draft_id)
        asked += 1
    return asked


def _claim(app: App, draft_id: str, now: datetime) -> bool:
    with app.sessions.begin() as s:
        result = s.execute(update(m.Draft).where(m.Draft.id == draft_id, m.Draft.approval_requested_at.is_(None),
                                                 m.Draft.status == DraftStatus.PENDING)
                           .values(approval_requested_at=now))
        return result.rowcount == 1  # type: ignore[attr-defined]


def _release(app: App, draft_id: str) -> None:
    with app.sessions.begin() as s:
        s.execute(update(m.Draft).where(m.Draft.id == draft_id).values(approval_requested_at=None))


# ---- answers -----------------------------------------------------------------


def _attempt(s: Session, parsed: ParsedMessage, sender: str, draft_id: str | None, now: datetime,
             accepted: bool, reason: str) -> None:
    if s.scalar(select(m.ApprovalAttempt.id).where(m.ApprovalAttempt.message_id == parsed.message_id)) is not None:
        return
    s.add(m.ApprovalAttempt(message_id=parsed.message_id, at=now, sender=sender[:320], draft_id=draft_id,
                            accepted=accepted, reason=reason[:2000]))
    if not accepted:
        log.warning("approval answer %s from %r refused: %s", parsed.message_id, sender, reason)


def _refusal(app: App, parsed: ParsedMessage, sender: str, found: tuple[ap.ApprovalRef, ap.TokenCheck] | None,
             ) -> str | None:
    """Why this answer may not decide anything, or None when it may. Every condition must hold."""
    if found is None:
        return "no approval token: it does not answer an approval email refmail sent"
    return owners_word_refusal(app, parsed, sender, found[1])


def owners_word_refusal(app: App, parsed: ParsedMessage, sender: str, verdict: ap.TokenCheck,
                        what: str = "draft") -> str | None:
    """The rules every answer to refmail obeys (approvals and questions alike): an owner address, a valid
    code for this `what`, and no failed DKIM/SPF verdict for her domain. None when all hold."""
    if not sender or not app.identity.is_owner(sender):
        return f"not from an owner address ({sender or 'no sender'})"
    if verdict is not ap.TokenCheck.VALID:
        return verdict.value.replace("draft", what)
    auth, detail = ap.authenticity(parsed, {e.rpartition("@")[2] for e in app.identity.owner_emails})
    if auth is ap.Authenticity.FAILED:
        return f"sender authentication failed ({detail})"
    return None


def handle_reply(s: Session, app: App, parsed: ParsedMessage, now: datetime) -> bool:
    """True when the message answers an approval email (accepted or refused): it is then no prospect reply."""
    if not ap.looks_like_approval(parsed):
        return False
    sender = parsed.sender.email if parsed.sender else ""
    found = ap.find_token(parsed, app.secret, app.identity.owner.email, now)
    draft_id = found[0].draft_id if found else None
    reason = _refusal(app, parsed, sender, found)
    draft = s.get(m.Draft, draft_id) if draft_id else None
    if reason is None and draft is None:
        reason = f"no draft {draft_id}"
    if reason is not None:
        _attempt(s, parsed, sender, draft_id, now, False, reason)
        return True
    assert draft is not None
    if is_forward_subject(parsed.subject):  # she passed the approval email on to someone: no answer to us
        _attempt(s, parsed, sender, draft.id, now, False, "a forward of the approval email, not an answer")
        return True
    owner = app.identity.owner
    answer = ap.read_answer(parsed.text, signoff_names=(owner.name, first_name(owner)))
    if answer.kind is ap.AnswerKind.EMPTY:
        _attempt(s, parsed, sender, draft.id, now, False, "no answer above the quoted draft")
        return True
    if answer.kind is ap.AnswerKind.UNCLEAR:
        _attempt(s, parsed, sender, draft.id, now, False, "answer unclear: reply 'send', 'skip', or the whole "
                 "message as it should go out")
        return True
    by = "email"  # who answered is in the approval attempt row and the log
    if answer.kind is ap.AnswerKind.SKIP:
        decision = decide.reject(s, app, draft, now, by)
    else:
        body = answer.body if answer.kind is ap.AnswerKind.EDIT else None
        decision = decide.approve(s, app, draft, now, by, body)
    if not decision.changed:
        # A replay, or an answer after the CLI decided: nothing more happens, but she hears of it.
        _attempt(s, parsed, sender, draft.id, now, False, f"ignored '{answer.kind.value}': {decision.message}")
        return True
    _attempt(s, parsed, sender, draft.id, now, True, answer.kind.value)
    log.info("draft %s: %s by email", draft.id, answer.kind.value)
    return True


# ---- drafts-folder mode --------------------------------------------------------


def _draft_bytes(app: App, draft: m.Draft, now: datetime) -> bytes:
    """The draft as her client will send it: our fixed Message-ID and a header naming the draft, no X-Refmail
    (which would make refmail ignore the sent copy as its own)."""
    from refmail.app.send import envelope_of

    # The Bcc header stays: her client sends to the referrer from it.
    msg = email.message_from_bytes(compose(envelope_of(app, draft), now, show_bcc=True).data, policy=SMTP)
    del msg["X-Refmail"]
    del msg["Auto-Submitted"]
    msg[DRAFT_HEADER] = draft.id
    return msg.as_bytes()


def _to_drafts_folder(app: App, now: datetime) -> int:
    if app.open_owner_mailbox is None:
        return 0
    with app.sessions() as s:
        ids = list(s.scalars(select(m.Draft.id).where(m.Draft.status == DraftStatus.PENDING,
                                                      m.Draft.approval_requested_at.is_(None))))
    if not ids:
        return 0
    box: Mailbox = app.open_owner_mailbox()
    placed = 0
    try:
        for draft_id in ids:
            if not _claim(app, draft_id, now):
                continue
            try:
                with app.sessions() as s:
                    draft = s.get(m.Draft, draft_id)
                    assert draft is not None
                    data = _draft_bytes(app, draft, now)
                box.append(box.drafts_folder(), data, now, flags=("\\Draft",))
            except MailError:
                _release(app, draft_id)
                raise
            with app.sessions.begin() as s:
                placed_draft = s.get(m.Draft, draft_id)
                assert placed_draft is not None
                placed_draft.drafts_copy_at = now  # so it is taken out again once it is no longer hers to send
                record(s, placed_draft.referral_id, now, "draft", "placed in your Drafts folder", draft_id=draft_id)
            placed += 1
    finally:
        box.close()
    return placed


def _sent_after_withdrawal(s: Session, draft: m.Draft, parsed: ParsedMessage, now: datetime) -> None:
    """She sent a copy refmail had withdrawn or she had skipped: it is out, on the record, and a problem."""
    ref = s.get(m.Referral, draft.referral_id)
    state = ref.state.replace("_", " ") if ref is not None else "closed"
    why = "you had skipped it" if draft.status == DraftStatus.REJECTED else f"refmail had withdrawn it (the referral is {state})"
    move(draft, DraftEvent.SENT_BY_OWNER)
    draft.sent_at = now
    draft.last_error = f"sent from your mail client after {why}"
    q.link_thread(s, parsed.message_id, draft.referral_id)
    record(s, draft.referral_id, now, "message_out", f"{draft.kind} {draft.subject!r} sent from your mail client "
           f"after {why}", draft_id=draft.id, message_id=parsed.message_id)


def handle_sent(s: Session, app: App, parsed: ParsedMessage, now: datetime, in_sent: bool = True) -> bool:
    """One of our drafts, sent by the owner from her own client: record it as sent, so it never goes twice.

    Her Sent folder is her own, so a copy there is believed by our marker header too. Any other copy
    (her BCC to the assistant, which may arrive first) counts only if it is from her, not forged, and
    carries the draft's own Message-ID: that is keyed with the secret, so only someone who saw the
    draft can write it, and a stranger cannot make refmail believe a first touch went out.
    """
    from refmail.app.send import mark_sent
    from refmail.app.tracking import from_owner

    draft = None
    marker = (parsed.header(DRAFT_HEADER) or "").strip()
    if marker and in_sent:
        draft = s.get(m.Draft, marker)
    if draft is None:
        draft = s.scalar(select(m.Draft).where(m.Draft.message_id == parsed.message_id))
    if draft is None:
        return False
    if not in_sent and not from_owner(app, parsed):
        return False
    if allows(draft.status, DraftEvent.SENT_BY_OWNER):  # withdrawn, or she had skipped it
        _sent_after_withdrawal(s, draft, parsed, now)
        return True
    if draft.status not in LIVE:
        return True  # already sent or decided: nothing more
    if draft.status == DraftStatus.PENDING:
        decide.approve(s, app, draft, now, "her mail client", new_text(parsed.text) or None)
    q.link_thread(s, parsed.message_id, draft.referral_id)
    mark_sent(s, app, draft, now)
    return True
