"""The outbox: approved drafts go out once, in the send window, with a Message-ID fixed at drafting."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from refmail.app.outbox import RESEND, move
from refmail.app.transitions import apply, record
from refmail.domain import lifecycle as lc
from refmail.domain import outbox
from refmail.domain.outbox import DraftEvent, DraftStatus, InvalidDraftTransition
from refmail.domain.cadence import next_send_time
from refmail.domain.kinds import DraftKind
from refmail.domain.types import OutgoingMail, Role
from refmail import logs
from refmail.domain.zones import Evidence, next_send_time_for
from refmail.mail.ports import (AmbiguousSendError, LoginFailed, Mailbox, MailError, PermanentSendError,
                                ServerUnreachable, Transport)
from refmail.render import Envelope, compose
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)


def envelope_of(app: App, draft: m.Draft) -> Envelope:
    return Envelope(
        message_id=draft.message_id, kind=draft.kind, sender=app.identity.owner,
        to=q.people(draft.to), cc=q.people(draft.cc), bcc=q.people(draft.bcc or []),
        subject=draft.subject, body=draft.body, in_reply_to=draft.in_reply_to, references=tuple(draft.references),
    )


def reconcile(app: App, owner: Mailbox | None, now: datetime) -> int:
    """Drafts a crash left 'sending': sent if the Sent folder has them, else assumed sent and flagged
    for the owner (`refmail resolve`). Never resent on a guess, and never a dead end: the lifecycle goes on."""
    fixed = 0
    give_up = timedelta(hours=app.rules.outbox.retry_for_hours)
    with app.sessions() as s:
        stuck = s.execute(select(m.Draft.id, m.Draft.referral_id)
                          .where(m.Draft.status == DraftStatus.SENDING, m.Draft.lease_until < now)).all()
        # Left 'uncertain' by a version that stopped the lifecycle there: carry them on now.
        stalled = s.execute(select(m.Draft.id, m.Draft.referral_id)
                            .where(m.Draft.status == DraftStatus.UNCERTAIN, m.Draft.sent_at.is_(None))).all()
    for draft_id, referral_id in stuck:
        with app.sessions.begin() as s:
            q.lock_referral(s, referral_id)
            draft = _locked_draft(s, draft_id, DraftStatus.SENDING)
            if draft is None or draft.lease_until is None or draft.lease_until >= now:
                continue  # another worker settled it, or took it again
            found = False
            if owner is not None:
                try:
                    found = owner.contains_message_id(owner.sent_folder(), draft.message_id)
                except MailError as exc:
                    if now - draft.lease_until < give_up:
                        log.warning("cannot check Sent for %s yet: %s", draft.id, exc)
                        continue
                    log.warning("cannot check Sent for %s (%s); assumed sent", draft.id, exc)
            mark_sent(s, app, draft, now, None if found else "interrupted while sending")
            fixed += 1
    for draft_id, referral_id in stalled:
        with app.sessions.begin() as s:
            q.lock_referral(s, referral_id)
            draft = _locked_draft(s, draft_id, DraftStatus.UNCERTAIN)
            if draft is not None and draft.sent_at is None:
                mark_sent(s, app, draft, now, draft.last_error or "fate unknown")
                fixed += 1
    return fixed


def _locked_draft(s, draft_id: str, status: DraftStatus) -> m.Draft | None:  # type: ignore[no-untyped-def]
    """The draft, locked, if it is still in `status`; the caller holds its referral's lock already."""
    return s.scalars(select(m.Draft).where(m.Draft.id == draft_id, m.Draft.status == status)
                     .with_for_update(skip_locked=True).execution_options(populate_existing=True)).first()


def mark_sent(s, app: App, draft: m.Draft, now: datetime,  # type: ignore[no-untyped-def]
              unconfirmed: str | None = None) -> None:
    """Record the draft as gone out and move the referral on.

    `unconfirmed` (why its fate is unknown) marks a send the server may or may not have taken: it is
    assumed delivered, so nothing goes twice and the cadence goes on, and it stays 'uncertain' until
    the owner settles it with `refmail resolve` (the digest and `refmail show` tell her). An 'uncertain'
    draft an older version stopped at is carried on (reconciled) the same way."""
    ref = q.lock_referral(s, draft.referral_id)
    assert ref is not None
    stalled = draft.status == DraftStatus.UNCERTAIN and draft.sent_at is None
    move(draft, DraftEvent.RECONCILED if stalled else DraftEvent.UNCERTAIN if unconfirmed else DraftEvent.SENT)
    draft.sent_at = now
    to = ", ".join(p["email"] for p in draft.to)
    if unconfirmed:
        draft.last_error = f"{unconfirmed}: may or may not have gone out"
        text = (f"{draft.kind} to {to} may or may not have gone out ({unconfirmed}); assumed sent, not resent. "
                f"Settle it: refmail resolve {draft.id} sent|resend")
    else:
        text = f"{draft.kind} sent to {to}: {draft.subject}"
    record(s, ref.id, now, "message_out", text, draft_id=draft.id, message_id=draft.message_id,
           unconfirmed=bool(unconfirmed))
    if draft.decided_by == RESEND:
        return  # the lost original already moved the referral on
    if draft.kind == DraftKind.FIRST_TOUCH and ref.first_sent_at is None:
        ref.first_sent_at = now
    try:
        apply(s, app, ref, lc.DraftSent(DraftKind(draft.kind)), now)
    except lc.InvalidTransition as exc:
        record(s, ref.id, now, "note", str(exc))


# Drafts read by the prospect(s): sent at a decent hour in their own time zone when their mail tells it.
TO_PROSPECT = lc.PROSPECT_FACING | {DraftKind.CHECK_IN}


def send_time(s, app: App, draft: m.Draft, now: datetime) -> tuple[datetime, Evidence | None]:  # type: ignore[no-untyped-def]
    """When this draft may go out, from `now` on; and the time-zone evidence used, if any."""
    evidence = None
    if DraftKind(draft.kind) in TO_PROSPECT:
        evidence = q.zone_evidence(s, [p["email"] for p in draft.to])
    return next_send_time_for(now, app.rules, evidence.zone if evidence else None), evidence


def _claim(app: App, draft_id: str, referral_id: str, now: datetime,
           wait: bool = True) -> tuple[OutgoingMail | None, str, bytes]:
    """The referral's lock serialises this with a reply being recorded: stop-on-reply holds at send time.
    Without `wait`, a referral another worker holds is "busy" rather than waited for."""
    with app.sessions.begin() as s:
        ref = q.lock_referral(s, referral_id, skip_locked=not wait)
        if ref is None and not wait:
            return None, "busy", b""
        draft = _locked_draft(s, draft_id, DraftStatus.APPROVED)
        if ref is None or draft is None:
            return None, "taken", b""
        allowed = lc.may_resend if draft.decided_by == RESEND else lc.may_send
        if not allowed(lc.State(ref.state), DraftKind(draft.kind)):
            move(draft, DraftEvent.WITHDRAWN)
            draft.decided_by = "lifecycle"
            record(s, ref.id, now, "draft", f"{draft.kind} not sent: the referral is now {ref.state}", draft_id=draft.id)
            return None, "withdrawn", b""
        hold = ref.hold_until if DraftKind(draft.kind) in lc.PROSPECT_FACING else None
        if hold is not None and hold > now:
            draft.next_attempt_at = next_send_time(hold, app.rules)
            return None, "held", b""
        when, evidence = send_time(s, app, draft, now)
        if when > now:  # outside the send window: the owner's, or the prospect's own (her mail's Date headers)
            if evidence is not None and draft.next_attempt_at != when:
                record(s, ref.id, now, "draft", f"{draft.kind} waits for the send window in the prospect's time "
                       f"zone ({evidence.label}): goes out at {when:%Y-%m-%d %H:%M} UTC", draft_id=draft.id)
            draft.next_attempt_at = when
            return None, "later", b""
        move(draft, DraftEvent.CLAIMED)
        draft.attempts += 1
        draft.first_attempt_at = draft.first_attempt_at or now
        draft.lease_owner, draft.lease_until = app.worker_id, now + LEASE
        env = envelope_of(app, draft)
        # Her Sent copy names the BCC, as her own client's would; the bytes sent never do.
        return compose(env, now), "claimed", compose(env, now, show_bcc=True).data


def _retry_or_fail(
    app: App, draft_id: str, now: datetime, error: str, permanent: bool, refused: tuple[str, ...] = ()
) -> None:
    with app.sessions.begin() as s:
        draft = s.get(m.Draft, draft_id)
        assert draft is not None
        q.lock_referral(s, draft.referral_id)
        event, retry_at = outbox.after_failure(app.rules.outbox, draft.attempts, draft.first_attempt_at, now, permanent)
        try:
            move(draft, event)
        except InvalidDraftTransition as exc:
            _settled_meanwhile(draft.id, exc)
            return
        draft.last_error = error
        if event is DraftEvent.RETRY:
            draft.next_attempt_at = retry_at
            return
        record(s, draft.referral_id, now, "draft", f"{draft.kind} could not be sent: {error}", draft_id=draft.id)
        if permanent and DraftKind(draft.kind) in lc.PROSPECT_FACING:
            _refused_prospect(s, app, draft, refused, now)


def _settled_meanwhile(draft_id: str, exc: InvalidDraftTransition) -> None:
    """A send outlived its lease and reconcile settled the draft first: its word stands, never a second one."""
    log.warning("draft %s: %s; left as reconcile settled it", draft_id, exc)


def _hold_uncertain(app: App, draft_id: str, now: datetime, error: str) -> None:
    """The server may have the message: assumed sent (never resent on a guess), the owner is told."""
    with app.sessions.begin() as s:
        draft = s.get(m.Draft, draft_id)
        assert draft is not None
        q.lock_referral(s, draft.referral_id)
        try:
            mark_sent(s, app, draft, now, error)
        except InvalidDraftTransition as exc:
            _settled_meanwhile(draft.id, exc)


def _refused_prospect(s, app: App, draft: m.Draft, refused: tuple[str, ...], now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The server refused the prospect's address outright: that is a bounce, and the referrer may know better."""
    ref = s.get(m.Referral, draft.referral_id)
    prospects = {p.email for p in q.parties(s, draft.referral_id, Role.PROSPECT)}
    address = next((a.lower() for a in refused if a.lower() in prospects), None)
    if ref is None or address is None:
        return
    try:
        apply(s, app, ref, lc.Bounced(address), now, bounced_address=address)
    except lc.InvalidTransition as exc:
        record(s, ref.id, now, "note", str(exc))


def send_ready(app: App, transport: Transport, owner: Mailbox | None, now: datetime,
               problems: list[str] | None = None) -> int:
    """Send what is approved and due; only inside the send window (it is the prospect's inbox).

    A mail server that will not take mail now is retried later, and named in `problems`. Each draft's own
    window is checked when it is claimed: a prospect's may be open while the owner's is closed.

    Workers share one outbox list: a draft whose referral another worker holds right now waits for a second
    pass instead of queueing there, so each worker first sends what nobody else is touching. The second pass
    does wait: a reply being recorded must still stop the send it races with.
    """
    with app.sessions() as s:
        ready = q.outbox_ready(s, now)
    sent, busy = 0, []
    for draft_id, referral_id in ready:
        outcome = _send_one(app, transport, owner, now, problems, draft_id, referral_id, wait=False)
        if outcome is None:
            busy.append((draft_id, referral_id))
        sent += bool(outcome)
    for draft_id, referral_id in busy:
        sent += bool(_send_one(app, transport, owner, now, problems, draft_id, referral_id, wait=True))
    return sent


def _send_one(app: App, transport: Transport, owner: Mailbox | None, now: datetime, problems: list[str] | None,
              draft_id: str, referral_id: str, wait: bool) -> bool | None:
    """True when the draft went out; None when its referral was busy and `wait` is off."""
    try:
        mail, why, sent_copy = _claim(app, draft_id, referral_id, now, wait)
    except (ValueError, TypeError) as exc:  # a draft that cannot become an email must not block the rest
        log.exception("draft %s cannot be composed; marked failed", draft_id)
        _retry_or_fail(app, draft_id, now, f"cannot be composed: {exc}", permanent=True)
        return False
    if why == "busy":
        return None
    if mail is None:
        return False
    try:
        refused = transport.send(mail) or {}
    except PermanentSendError as exc:
        # Only addresses the server refused by name are the prospect's fault; a refused sender is ours.
        _retry_or_fail(app, draft_id, now, str(exc), permanent=True, refused=tuple(exc.refused))
        return False
    except AmbiguousSendError as exc:
        _hold_uncertain(app, draft_id, now, str(exc))
        return False
    except MailError as exc:
        _retry_or_fail(app, draft_id, now, str(exc), permanent=False)
        logs.report_problem(problems, f"sending: {exc}", "kept, retried later",
                            once=str(exc) if isinstance(exc, (LoginFailed, ServerUnreachable)) else "")
        return False
    # The Sent copy first: if recording fails now, reconcile finds the copy and records it then.
    file_copy(owner, OutgoingMail(mail.message_id, mail.sender, mail.recipients, sent_copy), now)
    _record_sent(app, draft_id, now)
    if refused:  # it went out (to the BCC), but the server refused the prospect: that is a bounce
        _partly_refused(app, draft_id, now, tuple(refused))
    return True


def _partly_refused(app: App, draft_id: str, now: datetime, refused: tuple[str, ...]) -> None:
    with app.sessions.begin() as s:
        draft = s.get(m.Draft, draft_id)
        assert draft is not None
        q.lock_referral(s, draft.referral_id)
        record(s, draft.referral_id, now, "draft", f"{draft.kind} refused by the mail server for "
               f"{', '.join(refused)}", draft_id=draft.id)
        if DraftKind(draft.kind) in lc.PROSPECT_FACING:
            _refused_prospect(s, app, draft, refused, now)


def _record_sent(app: App, draft_id: str, now: datetime, attempts: int = 3) -> None:
    """The mail is out: a lock conflict with another worker must not leave it looking unsent."""
    for attempt in range(1, attempts + 1):
        try:
            with app.sessions.begin() as s:
                draft = s.get(m.Draft, draft_id)
                assert draft is not None
                mark_sent(s, app, draft, now)
            return
        except InvalidDraftTransition as exc:
            _settled_meanwhile(draft_id, exc)
            return
        except OperationalError:
            if attempt == attempts:
                raise  # left 'sending': reconcile settles it from the Sent folder once the lease ends
            log.warning("recording %s as sent conflicted with another worker; trying again", draft_id)


def file_copy(owner: Mailbox | None, mail: OutgoingMail, now: datetime) -> None:
    """Sent copies let the owner see what went out in her own client; losing one never blocks sending."""
    if owner is None:
        return
    try:
        owner.append(owner.sent_folder(), mail.data, now, flags=("\\Seen",))
    except MailError as exc:
        log.warning("could not file a Sent copy of %s: %s", mail.message_id, exc)
