"""The daily digest: gather a snapshot, render text + HTML, and send it once per local day, whoever races."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from refmail import logs
from refmail.app import questions, report
from refmail.app.approval_mail import assistant_person, why
from refmail.app.whose import unsettled
from refmail.domain import digest as dg
from refmail.domain.cadence import is_business_day, local_date, start_of_local_day
from refmail.domain.drafting import names_list
from refmail.domain.mailtext import first_name
from refmail.domain.lifecycle import State
from refmail.domain.types import Person, Role, TimelineEvent
from refmail.mail.ports import AmbiguousSendError, Mailbox, MailError, PermanentSendError, Transport
from refmail.render import Envelope, address_line, compose, single_line
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

log = logging.getLogger(__name__)
# A claim whose digest never went out (the worker died mid-send) may be taken over after this.
STALE_CLAIM = timedelta(hours=1)
# Labels read before "to <recipient>" ("Thank-you to Alice Source") or alone ("Close without reply: Carol").
KIND_LABEL = {
    "first_touch": "First message", "second_touch": "Second message", "thank_source": "Thank-you",
    "escalation": "Note asking what to do next", "keep_in_loop": "Update", "thank_won": "Thank-you for the win",
    "check_in": "Check-in", "bounce_notice": "Note about a bounced address", "close": "Close without reply",
}
# Steps the clock will take, with the prospect(s) they concern ("Second message to Carol Prospect").
DUE_LABEL = {"second_touch": "Second message to {p}", "escalation": "Note to the referrer about {p}",
             "close": "Closing without a reply from {p}", "check_in": "Check-in with {p}"}
STALLED = (State.CLOSED_NO_RESPONSE, State.BOUNCED, State.DO_NOT_CONTACT, State.CANCELLED, State.LOST)


def _label(kind: str) -> str:
    return KIND_LABEL.get(kind, kind.replace("_", " ").capitalize())


def _names(people: list[Person]) -> str:
    return single_line(names_list([p.name or p.email for p in people])) or "?"


def last_sent(s: Session, before_day: Any) -> datetime | None:
    return s.scalar(select(func.max(m.DigestRun.sent_at)).where(m.DigestRun.day < before_day,
                                                                 m.DigestRun.sent_at.is_not(None)))


def snapshot(s: Session, app: App, now: datetime) -> tuple[dg.Snapshot, list[int]]:
    """Everything the digest says, read in one session; also the refused attempts it reports."""
    rules = app.rules
    day = local_date(now, rules)
    since = last_sent(s, day)
    after = since or datetime.min.replace(tzinfo=now.tzinfo)
    end_of_day = start_of_local_day(day + timedelta(days=1), rules)
    items: dict[dg.SectionKind, tuple[dg.Item, ...]] = {}
    hint = ("send it from your Drafts folder, or run: refmail approve {id}" if rules.drafts_folder_mode else
            'reply "send", "skip" or your own text to the email "[refmail] Approve: {subject}", '
            "or run: refmail approve {id}")
    no_email_hint = "run: refmail approve {id} (no approval email was sent for it)"  # never point at mail not sent

    items[dg.SectionKind.AWAITING] = tuple(
        dg.Item(single_line(d.subject), f"To {address_line(q.people(d.to))}, due {dg.local_time(d.due_at, rules.zone)}. Why: {why(s, d)}.",
                (hint if d.approval_requested_at or rules.drafts_folder_mode else no_email_hint)
                .format(id=d.id, subject=single_line(d.subject)), d.id, d.created_at)
        for d in q.drafts_awaiting(s)
    )
    replies = s.scalars(select(m.TimelineEntry).where(m.TimelineEntry.event == TimelineEvent.REPLY,
                                                      m.TimelineEntry.at > after).order_by(m.TimelineEntry.at)).all()
    items[dg.SectionKind.REPLIES] = tuple(
        dg.Item(f"{_names(q.parties(s, t.referral_id, Role.PROSPECT))} replied",
                f"introduced by {_names(q.parties(s, t.referral_id, Role.REFERRER))}", f"refmail show {t.referral_id}",
                t.referral_id, t.at, dg.snippet(str((t.detail or {}).get("reply_text") or "")))
        for t in replies
    )
    items[dg.SectionKind.WHOSE] = tuple(_whose_item(s, t) for t in unsettled(s))
    items[dg.SectionKind.MEETINGS] = _meeting_cues(s)
    sent = s.scalars(select(m.Draft).where(m.Draft.status == q.SENT, m.Draft.sent_at > after)
                     .order_by(m.Draft.sent_at)).all()
    items[dg.SectionKind.SENT] = tuple(
        dg.Item(single_line(d.subject), f"{_label(d.kind)} to {_names(list(q.people(d.to)))}", "", d.referral_id, d.sent_at)
        for d in sent
    )
    due = s.scalars(select(m.DueAction).where(m.DueAction.done_at.is_(None), m.DueAction.due_at < end_of_day)
                    .order_by(m.DueAction.due_at)).all()
    outbox = s.scalars(select(m.Draft).where(m.Draft.status == q.APPROVED).order_by(m.Draft.next_attempt_at)).all()
    items[dg.SectionKind.DUE] = tuple(
        dg.Item(DUE_LABEL.get(a.kind, _label(a.kind) + ": {p}").format(p=_names(q.parties(s, a.referral_id, Role.PROSPECT))),
                f"introduced by {_names(q.parties(s, a.referral_id, Role.REFERRER))}; drafted for your approval then",
                f"refmail show {a.referral_id}", a.referral_id, a.due_at)
        for a in due
    ) + tuple(
        dg.Item(single_line(d.subject), f"{_label(d.kind)} to {_names(list(q.people(d.to)))}: approved, goes out in the send window",
                "", d.referral_id, d.next_attempt_at or d.due_at)
        for d in outbox if (d.next_attempt_at or d.due_at) < end_of_day
    )

    def referral_item(r: m.Referral, what: str, hint_text: str) -> dg.Item:
        return dg.Item(f"{_names(q.parties(s, r.id, Role.PROSPECT))}: {what}",
                       f"introduced by {_names(q.parties(s, r.id, Role.REFERRER))} ({single_line(r.intro_subject)})",
                       hint_text, r.id, r.updated_at)

    escalated = s.scalars(select(m.Referral).where(m.Referral.state == State.ESCALATED.value)
                          .order_by(m.Referral.updated_at)).all()
    items[dg.SectionKind.ESCALATED] = tuple(
        referral_item(r, "no answer after two messages; the referrer has been asked what to do next",
                      f"refmail outcome {r.id} met|won|lost") for r in escalated)
    stalled = s.scalars(select(m.Referral).where(m.Referral.state.in_([x.value for x in STALLED]),
                                                 m.Referral.updated_at > after).order_by(m.Referral.updated_at)).all()
    items[dg.SectionKind.STALLED] = tuple(
        referral_item(r, r.state.replace("_", " "), f"refmail show {r.id}") for r in stalled)
    # Told once: in the first digest after its fate became unknown (`refmail show` keeps saying it).
    unconfirmed = s.scalars(select(m.Draft).where(m.Draft.status == q.UNCERTAIN, m.Draft.sent_at > after)
                            .order_by(m.Draft.sent_at)).all()
    items[dg.SectionKind.UNCONFIRMED] = tuple(
        dg.Item(single_line(d.subject), f"{_label(d.kind)} to {address_line(q.people(d.to))}: the mail server may or "
                "may not have taken it; counted as sent, the follow-ups go on",
                f"refmail resolve {d.id} sent (it arrived) or refmail resolve {d.id} resend", d.id, d.sent_at)
        for d in unconfirmed)
    # Failures stay until settled; a withdrawn draft she sent anyway is news once.
    problems = s.scalars(select(m.Draft).where(or_(
        m.Draft.status == q.FAILED,
        and_(m.Draft.status == q.SENT_AFTER_WITHDRAWAL, m.Draft.sent_at > after)))
                         .order_by(m.Draft.created_at)).all()
    items[dg.SectionKind.PROBLEMS] = tuple(
        dg.Item(single_line(d.subject), f"{_label(d.kind)} to {_names(list(q.people(d.to)))}: {single_line(d.last_error or d.status)}",
                f"refmail show {d.referral_id}", d.id, d.decided_at) for d in problems)
    refused = s.scalars(select(m.ApprovalAttempt).where(m.ApprovalAttempt.accepted.is_(False),
                                                        m.ApprovalAttempt.reported_at.is_(None))
                        .order_by(m.ApprovalAttempt.at)).all()
    items[dg.SectionKind.REFUSED] = tuple(
        dg.Item(f"answer from {single_line(a.sender) or 'an unknown sender'}"
                + (f" about draft {a.draft_id}" if a.draft_id else ""),
                single_line(a.reason), "nothing was sent or changed", a.draft_id or "", a.at) for a in refused)
    broken = s.scalars(select(m.Message).where(m.Message.error.is_not(None), m.Message.processed_at > after)
                       .order_by(m.Message.id)).all()
    items[dg.SectionKind.QUARANTINED] = tuple(
        dg.Item(single_line(f"message {b.message_id}"), single_line(f"{b.error_stage or 'process'}: {b.error}")[:300],
                f"folder {single_line(b.folder)}, kept in the database", "", b.processed_at) for b in broken)
    items.update(questions.digest_items(s, now, after))
    snap = dg.Snapshot(day, now, since, items, ())
    return snap, [a.id for a in refused]


def _whose_item(s: Session, t: m.TimelineEntry) -> dg.Item:
    """A reply on a group intro's thread from an address refmail could not tie to one prospect."""
    sender = single_line(str(t.detail.get("sender")))
    ref = s.get(m.Referral, t.referral_id)
    group = [ref, *q.siblings(s, ref)] if ref is not None else []
    tracks = "; ".join(f"{g.id} is {_names(q.parties(s, g.id, Role.PROSPECT))}" for g in group)
    if len(group) == 1:  # one prospect: the thread says which referral, not that the sender speaks for her
        detail, hint = f"an address refmail does not know, on the intro's thread ({tracks})", \
            f"if it is about her: refmail claim {t.referral_id} {sender}"
    else:
        detail, hint = f"a group intro: {tracks}", f"refmail claim ID {sender}  (ID: the prospect it is about)"
    return dg.Item(f"reply from {sender} on the thread, whose?", detail, hint, t.referral_id, t.at,
                   dg.snippet(str(t.detail.get("reply_text") or "")))


def _meeting_cues(s: Session) -> tuple[dg.Item, ...]:
    """Replies that read like a meeting is set, on referrals not yet marked met: one line per referral."""
    rows = s.scalars(select(m.TimelineEntry).join(m.Referral, m.Referral.id == m.TimelineEntry.referral_id).where(
        m.TimelineEntry.event == TimelineEvent.REPLY, m.Referral.state == State.REPLIED.value).order_by(m.TimelineEntry.at)).all()
    latest = {t.referral_id: t for t in rows if (t.detail or {}).get("meeting_cue")}
    return tuple(
        dg.Item(f"looks like a meeting with {_names(q.parties(s, t.referral_id, Role.PROSPECT))}: mark met?",
                f"introduced by {_names(q.parties(s, t.referral_id, Role.REFERRER))}",
                f"refmail outcome {t.referral_id} met", t.referral_id, t.at, single_line(str(t.detail["meeting_cue"])))
        for t in latest.values())


def _sources(app: App) -> tuple[dg.SourceRow, ...]:
    return tuple(dg.SourceRow(single_line(r["name"] or ""), r["email"], r["intros"], r["replied"], r["met"], r["won"],
                              r["intros_made"], r["you_owe"])
                 for r in report.sources(app))


def render(app: App, digest: dg.Digest) -> tuple[str, str, str]:
    """(subject, text, html) from the templates; HTML autoescapes every value."""
    zone = app.rules.zone
    data: dict[str, object] = {
        "digest": digest, "owner_first": first_name(app.identity.owner),
        "day": f"{digest.day:%A %d %B %Y}", "since": dg.local_time(digest.since, zone) if digest.since else None,
        "fmt": lambda at: dg.local_time(at, zone) if at else "",
        "timezone": app.rules.timezone,
        "approval_emails": app.open_transport is not None,
    }
    subject = single_line(app.renderer.text("digest.subject.j2", data))
    return subject, app.renderer.text("digest.txt.j2", data), app.renderer.html("digest.html.j2", data)


def build(app: App, now: datetime) -> tuple[dg.Digest, list[int]]:
    with app.sessions() as s:
        snap, refused = snapshot(s, app, now)
    snap = dg.Snapshot(snap.day, snap.now, snap.since, snap.items, _sources(app))
    return dg.build(snap), refused


def _mail(app: App, digest: dg.Digest, now: datetime, message_id: str):  # type: ignore[no-untyped-def]
    subject, text, html = render(app, digest)
    assistant = assistant_person(app)
    env = Envelope(message_id=message_id, kind="digest", sender=assistant, to=(app.identity.owner,), cc=(),
                   subject=subject, body=text, html=html, reply_to=assistant.email)
    return compose(env, now)


def _message_id(app: App, day: Any, extra: str = "") -> str:
    domain = assistant_person(app).email.rpartition("@")[2] or "refmail.invalid"
    return f"refmail.digest.{day.isoformat()}{extra}@{domain}"


def _claim(app: App, day: Any, now: datetime) -> str | None:
    """Insert the day's row first: the primary key lets exactly one worker through, across restarts.

    "new", or "stale" when taking over a claim a crashed worker left (it may have sent), or None.
    """
    try:
        with app.sessions.begin() as s:
            s.add(m.DigestRun(day=day, claimed_at=now))
        return "new"
    except IntegrityError:
        pass
    with app.sessions.begin() as s:
        taken = s.execute(update(m.DigestRun).where(
            m.DigestRun.day == day, m.DigestRun.sent_at.is_(None), m.DigestRun.skipped.is_(False),
            m.DigestRun.claimed_at < now - STALE_CLAIM).values(claimed_at=now))
        return "stale" if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def _arrived_already(app: App, owner: Mailbox | None, day: Any) -> bool | None:
    """After a crash between SMTP and the record: is the day's digest in her INBOX? None: cannot tell."""
    if owner is None:
        return None
    try:
        return owner.contains_message_id("INBOX", _message_id(app, day))
    except MailError as exc:
        log.warning("cannot check the INBOX for the digest of %s: %s", day, exc)
        return None


def is_due(app: App, now: datetime) -> bool:
    rules = app.rules
    local = now.astimezone(rules.zone)
    if rules.digest.business_days_only and not is_business_day(local.date(), rules.calendar):
        return False
    return local.time() >= rules.digest.time


def morning_mail_read(app: App, now: datetime, intake_read: bool) -> bool:
    """Whether the mail that arrived by now has been read and understood, by this worker and every other:
    this cycle's poll succeeded, no worker holds a folder lease (it is reading), no message waits to be
    processed (another worker may hold it right now)."""
    if not intake_read:
        return False
    with app.sessions() as s:
        reading = s.scalar(select(func.count()).select_from(m.FolderCheckpoint)
                           .where(m.FolderCheckpoint.lease_until > now))
        waiting = s.scalar(select(m.Message.id).where(m.Message.processed_at.is_(None)).limit(1))
    return not reading and waiting is None


def _may_wait(app: App, now: datetime) -> bool:
    """Within digest.wait_for_mail_minutes of digest time: a stuck intake never costs the whole day."""
    local = now.astimezone(app.rules.zone)
    due = datetime.combine(local.date(), app.rules.digest.time, tzinfo=app.rules.zone)
    return local < due + timedelta(minutes=app.rules.digest.wait_for_mail_minutes)


def send_if_due(app: App, transport: Transport, now: datetime, owner: Mailbox | None = None,
                intake_read: bool = True) -> bool:
    """Send today's digest when its time has come and nobody has; True when this call sent it.

    `owner` (her mailbox) settles a claim a crashed worker left: sent if the digest is in her INBOX.
    `intake_read`: this cycle's poll succeeded. Until the morning's mail is read (here and by the
    other workers), "nothing to say" is not decided: the claim is given back and a later cycle looks again.
    """
    if not is_due(app, now):
        return False
    day = local_date(now, app.rules)
    with app.sessions() as s:
        row = s.get(m.DigestRun, day)
        if row is not None and (row.sent_at is not None or row.skipped or row.claimed_at >= now - STALE_CLAIM):
            return False
    claim = _claim(app, day, now)
    if claim is None:
        return False
    if claim == "stale":
        arrived = _arrived_already(app, owner, day)
        if arrived is None:  # a missing digest beats a doubled one: tomorrow's will carry the news
            log.warning("the digest for %s may have gone out before a crash; not resent", day)
            with app.sessions.begin() as s:
                s.execute(update(m.DigestRun).where(m.DigestRun.day == day).values(skipped=True))
            return False
        if arrived:
            _, refused = build(app, now)
            _mark_sent(app, day, now, _message_id(app, day), refused)
            return False
    try:
        # Looked at before the snapshot is read: mail a worker finishes after this look is in the snapshot.
        read = morning_mail_read(app, now, intake_read)
        digest, refused = build(app, now)
        if not digest.has_news and not app.rules.digest.send_when_empty:
            if not read and _may_wait(app, now):
                with app.sessions.begin() as s:
                    s.execute(delete(m.DigestRun).where(m.DigestRun.day == day, m.DigestRun.sent_at.is_(None)))
                log.info("digest for %s: nothing to say yet, but the morning's mail is not all read; waiting", day)
                return False
            with app.sessions.begin() as s:
                s.execute(update(m.DigestRun).where(m.DigestRun.day == day).values(skipped=True))
            log.info("digest for %s skipped: nothing to say", day)
            return False
        mail = _mail(app, digest, now, _message_id(app, day))
        try:
            transport.send(mail)
        except AmbiguousSendError as exc:  # it may have arrived: a missing digest beats a doubled one
            log.warning("the digest for %s may not have arrived (%s); not resent", day, exc)
    except BaseException as exc:
        # Not sent: give the day back so the next cycle tries again.
        with app.sessions.begin() as s:
            s.execute(delete(m.DigestRun).where(m.DigestRun.day == day, m.DigestRun.sent_at.is_(None)))
        if isinstance(exc, PermanentSendError):
            log.error("the digest for %s was refused by the mail server: %s", day, exc)
            return False
        raise
    _mark_sent(app, day, now, mail.message_id, refused)
    logs.event(f"digest sent to {app.identity.owner.email}: {digest.headline}", kind="digest")
    return True


def _mark_sent(app: App, day: Any, now: datetime, message_id: str, refused: list[int]) -> None:
    with app.sessions.begin() as s:
        row = s.get(m.DigestRun, day)
        if row is None:
            s.add(m.DigestRun(day=day, claimed_at=now, sent_at=now, message_id=message_id))
        elif row.sent_at is None:
            row.sent_at, row.message_id, row.skipped = now, message_id, False
        if refused:
            s.execute(update(m.ApprovalAttempt).where(m.ApprovalAttempt.id.in_(refused)).values(reported_at=now))


def send_now_cli(app: App) -> int:
    """`refmail digest --send`: send today's digest now, whatever the schedule; counts as today's."""
    if app.open_transport is None:
        print("refmail: no SMTP server configured (set REFMAIL_SMTP_HOST)", file=sys.stderr)
        return 1
    now = app.clock.now()
    digest, refused = build(app, now)
    mail = _mail(app, digest, now, _message_id(app, digest.day, f".{int(now.timestamp())}"))
    transport = app.open_transport()
    try:
        transport.send(mail)
    except (MailError, PermanentSendError) as exc:
        print(f"refmail: the digest could not be sent: {exc}", file=sys.stderr)
        return 1
    finally:
        transport.close()
    _mark_sent(app, digest.day, now, mail.message_id, refused)
    print(f"digest sent to {app.identity.owner.email}: {digest.headline}")
    return 0


def print_today(app: App) -> str:
    """Today's digest as plain text, for the terminal; marks nothing as reported."""
    digest, _ = build(app, app.clock.now())
    return render(app, digest)[1].rstrip("\n")

