"""Mail about referrals already followed: replies, the owner writing by hand, out-of-office notices, bounces."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from refmail.app.transitions import apply, record
from refmail.app.whose import remember, thread_referrals, tie
from refmail.domain import lifecycle as lc
from refmail.domain.approvals import Authenticity, authenticity
from refmail.domain.cadence import start_of_local_day
from refmail.domain.drafting import draft_ids
from refmail.domain.meeting_cue import meeting_cue
from refmail.domain.rules import DraftKind
from refmail.domain.screen import delay_only
from refmail.domain.types import Kind, ParsedMessage, Understanding
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App


def party_on_thread(s: Session, parsed: ParsedMessage, email: str) -> bool:
    """Someone on a referral of this thread (any track of a group intro), by any address of theirs."""
    person = q.alias_of(s, email) or email
    for ref in thread_referrals(s, parsed.thread_ids):
        if person in {p.email for role in ("prospect", "referrer") for p in q.parties(s, ref.id, role)}:
            return True
    return False


def owner_wrote(s: Session, app: App, parsed: ParsedMessage, now: datetime) -> str:
    """The owner wrote to a prospect outside refmail: that stops the cadence."""
    touched = []
    rids = set(q.referrals_by_thread(s, parsed.thread_ids))
    for person in parsed.recipients:
        rids.update(r.id for r in q.open_referrals_with(s, person.email))
    for rid in rids:
        ref = s.get(m.Referral, rid)
        prospects = {p.email for p in q.parties(s, rid, "prospect")}
        if ref is None or not prospects & {p.email for p in parsed.recipients}:
            continue
        before = ref.state
        q.link_thread(s, parsed.message_id, rid)
        record(s, rid, now, "message_out", f"owner wrote by hand: {parsed.subject}", message_id=parsed.message_id)
        try:
            apply(s, app, ref, lc.OwnerWroteByHand(), now)
            touched.append(rid)
        except lc.InvalidTransition:
            continue
        if before != ref.state == lc.State.CONTACTED.value:
            _keep_hand_touch(s, app, ref, parsed, now)
    return f"owner's own message; referrals {', '.join(touched) or 'none'}"


def _keep_hand_touch(s: Session, app: App, ref: m.Referral, parsed: ParsedMessage, now: datetime) -> None:
    """Her hand-written first touch, kept as a sent draft: the second message replies in its thread.

    Her one reply-all to a group intro touches every prospect's track; a Message-ID is one draft's, so
    the first track keeps it and the others only note when she wrote (their second message threads on
    the intro).
    """
    if ref.first_sent_at is None:
        ref.first_sent_at = now
    if s.scalar(select(m.Draft.id).where(m.Draft.message_id == parsed.message_id)) is not None:
        return
    did = next(c for c in draft_ids(ref.id, DraftKind.FIRST_TOUCH, 99) if s.get(m.Draft, c) is None)
    s.add(m.Draft(
        id=did, referral_id=ref.id, kind=DraftKind.FIRST_TOUCH.value, status=q.SENT,
        to=[p.as_dict() for p in parsed.to], cc=[p.as_dict() for p in parsed.cc], subject=parsed.subject,
        body=parsed.text[:20000], message_id=parsed.message_id, in_reply_to=parsed.in_reply_to,
        references=list(parsed.references), due_at=now, created_at=now, decided_at=now, decided_by="owner by hand",
        sent_at=now, attempts=0,
    ))


def _referrals_for(s: Session, parsed: ParsedMessage, sender: str | None) -> list[m.Referral]:
    rows = thread_referrals(s, parsed.thread_ids)
    rids = {r.id for r in rows}
    if sender:
        rows += [r for r in q.open_referrals_with(s, sender) if r.id not in rids]
    return rows


def track(s: Session, app: App, row: m.Message, parsed: ParsedMessage, u: Understanding, now: datetime) -> str:
    """Replies, out-of-office notices and bounces on referrals refmail follows."""
    sender = parsed.sender.email if parsed.sender else None
    if u.kind is Kind.BOUNCE:
        return _bounce(s, app, row.raw, parsed, u, now)
    forged = forged_sender(parsed)
    if forged:
        return f"not trusted: {forged}"
    if u.kind is Kind.AUTOREPLY:
        return _autoreply(s, app, row.raw, parsed, u, sender, now)
    return reply_on_thread(s, app, row, parsed, u, sender, now)


def reply_on_thread(s: Session, app: App, row: m.Message, parsed: ParsedMessage, u: Understanding,
                    sender: str | None, now: datetime) -> str:
    """Any reply in the thread, from any address but ours, is a reply on the referral it answers."""
    found = tie(s, app, parsed.thread_ids, sender)
    if found.unsure:
        for ref in found.unsure:
            q.link_thread(s, parsed.message_id, ref.id)
            record(s, ref.id, now, "whose", f"reply from {sender} on the thread, whose?", message_id=parsed.message_id,
                   sender=sender, reply_text=(u.reply_text or parsed.text)[:4000])
        return f"reply from {sender} on the thread of {', '.join(r.id for r in found.unsure)}: whose? (asked)"
    if not found.referrals:
        for ref in thread_referrals(s, parsed.thread_ids):
            if sender and sender in {p.email for p in q.parties(s, ref.id, "referrer")}:
                record(s, ref.id, now, "message_in", f"referrer wrote on the thread: {parsed.subject}",
                       message_id=parsed.message_id)
        return "not about a referral"
    if u.do_not_contact and not found.by_address:
        # Someone else's "stop emailing me" is theirs, not the prospect's: counted as a reply, not as her opt-out.
        for ref in found.referrals:
            record(s, ref.id, now, "note", f"{sender} asked not to be contacted: not applied to the prospect")
        u = replace(u, do_not_contact=False)
    matched = []
    for ref in found.referrals:
        if counted(s, app, row, ref, parsed, u, sender or "", now):
            matched.append(ref.id)
    return f"reply on {', '.join(matched)}" if matched else "not about a referral"


def counted(s: Session, app: App, row: m.Message, ref: m.Referral, parsed: ParsedMessage, u: Understanding,
            sender: str, now: datetime) -> bool:
    """Her reply (from any address): remembered, recorded, the cadence stopped; the group told when the rule says."""
    learnt = remember(s, ref, sender, now)
    if learnt:
        record(s, ref.id, now, "note", f"{sender} wrote on the thread: kept as another address of {learnt}")
    what = f"reply from {sender}" + (f" (for {learnt})" if learnt else "")
    if not _replied(s, app, row, ref, parsed, u, what, now):
        return False
    if app.rules.group_intro.stop_on_first_reply:
        for other in q.siblings(s, ref):
            if lc.State(other.state) in lc.ACTIVE:
                apply(s, app, other, lc.GroupAnswered(sender), now)
    return True


def _replied(s: Session, app: App, row: m.Message, ref: m.Referral, parsed: ParsedMessage, u: Understanding,
             what: str, now: datetime) -> bool:
    """The prospect answered: the reply goes on the timeline and the cadence stops."""
    q.link_thread(s, parsed.message_id, ref.id)
    row.referral_id = ref.id
    said = (u.reply_text or parsed.text)[:4000]
    cue = meeting_cue(said)
    record(s, ref.id, now, "message_in", f"{what}: {parsed.subject}", message_id=parsed.message_id,
           reply_text=said, **({"meeting_cue": cue} if cue else {}))
    try:
        apply(s, app, ref, lc.ProspectReplied(do_not_contact=u.do_not_contact), now)
    except lc.InvalidTransition as exc:
        record(s, ref.id, now, "note", f"reply not applied: {exc}")
        return False
    if ref.replied_at is None:
        ref.replied_at = now
    return True


def forwarded_reply(s: Session, app: App, row: m.Message, parsed: ParsedMessage, u: Understanding,
                    now: datetime) -> str:
    """The owner forwarded the prospect's answer to the intro: it is that prospect's reply.

    Only the owner's own forward is believed: anyone else's could put words in a prospect's mouth.
    """
    prospect = u.replied_by.email if u.replied_by else ""
    sender = parsed.sender
    refs = q.open_referrals_with(s, prospect)
    if not from_owner(app, parsed):
        why = f"a reply from {prospect} forwarded by {sender.email if sender else 'nobody'} is not counted as " \
              "hers: only the owner's own forward is"
        for ref in refs:
            record(s, ref.id, now, "note", why, message_id=parsed.message_id)
        return why
    touched = [r.id for r in refs
               if _replied(s, app, row, r, parsed, u, f"reply from {prospect}, forwarded by the owner", now)]
    return f"forwarded reply from {prospect} on {', '.join(touched) or 'no open referral'}"


def from_owner(app: App, parsed: ParsedMessage) -> bool:
    """Sent by the owner, as far as the receiving server could tell: one of her addresses, DKIM/SPF not failed."""
    return parsed.sender is not None and app.identity.is_owner(parsed.sender.email) and not forged_sender(parsed)


def forged_sender(parsed: ParsedMessage) -> str:
    """Why the From cannot be believed (the receiving server's DKIM/SPF/DMARC said fail), or ""."""
    if parsed.sender is None:
        return ""
    verdict, why = authenticity(parsed, {parsed.sender.email.rpartition("@")[2]})
    return why if verdict is Authenticity.FAILED else ""


def _sent_to_prospect(s: Session, referral_id: str) -> set[str]:
    """Message-IDs of what refmail (or the owner by hand) sent the prospect on this referral."""
    return {d.message_id for d in s.scalars(select(m.Draft).where(
        m.Draft.referral_id == referral_id, m.Draft.status.in_(q.OUT_STATUSES),
        m.Draft.kind.in_([k.value for k in lc.PROSPECT_FACING])))}


def _autoreply(s: Session, app: App, raw: bytes, parsed: ParsedMessage, u: Understanding, sender: str | None,
               now: datetime) -> str:
    if sender is None:
        return "autoreply without a sender"
    if u.permanent:
        return _bounce_referrals(s, app, raw, _referrals_for(s, parsed, sender), sender, parsed, now, "mailbox closed")
    until = None
    if u.return_date is not None:
        until = start_of_local_day(u.return_date, app.rules)
        absence = s.get(m.Absence, sender)
        if absence is None:
            s.add(m.Absence(email=sender, until=until, seen_at=now))
        else:
            absence.until, absence.seen_at = until, now
    touched = []
    person = q.alias_of(s, sender) or sender
    for ref in _referrals_for(s, parsed, person):
        if person not in {p.email for p in q.parties(s, ref.id, "prospect")}:
            continue
        record(s, ref.id, now, "message_in", f"out-of-office from {sender}"
               + (f", back {u.return_date.isoformat()}" if u.return_date else ""), message_id=parsed.message_id)
        try:
            apply(s, app, ref, lc.AutoReplied(until), now)
            touched.append(ref.id)
        except lc.InvalidTransition:
            pass
    return f"out of office on {', '.join(touched) or 'no referral'}"


def _bounce(s: Session, app: App, raw: bytes, parsed: ParsedMessage, u: Understanding, now: datetime) -> str:
    if delay_only(parsed):
        return "delivery delayed, not failed: nothing to do yet"
    results = []
    for address in u.failed_addresses or ():
        rows = _referrals_for(s, parsed, address)
        results.append(_bounce_referrals(s, app, raw, rows, address, parsed, now, "bounced"))
    if not u.failed_addresses:
        rows = _referrals_for(s, parsed, None)
        for ref in rows:
            for p in q.parties(s, ref.id, "prospect"):
                results.append(_bounce_referrals(s, app, raw, [ref], p.email, parsed, now, "bounced"))
    return "; ".join(results) or "bounce not about a referral"


def _returns_our_mail(s: Session, ref: m.Referral, raw: bytes, parsed: ParsedMessage) -> bool:
    """A real bounce carries what it returns: one of our Message-IDs to the prospect. A forged one rarely can."""
    ours = _sent_to_prospect(s, ref.id)
    return bool(ours & set(parsed.thread_ids)) or any(mid.encode() in raw for mid in ours)


def _bounce_referrals(
    s: Session, app: App, raw: bytes, rows: list[m.Referral], address: str, parsed: ParsedMessage, now: datetime,
    why: str,
) -> str:
    touched = []
    for ref in rows:
        if address not in {p.email for p in q.parties(s, ref.id, "prospect")}:
            continue
        if not _returns_our_mail(s, ref, raw, parsed):
            record(s, ref.id, now, "note", f"a notice says {address} {why}, but it does not return anything we "
                   "sent: not acted on", message_id=parsed.message_id)
            continue
        record(s, ref.id, now, "message_in", f"{address} {why}", message_id=parsed.message_id)
        try:
            apply(s, app, ref, lc.Bounced(address), now, bounced_address=address)
            touched.append(ref.id)
        except lc.InvalidTransition:
            pass
    return f"{address} {why}: {', '.join(touched) or 'no open referral'}"
