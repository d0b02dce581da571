"""Mail about referrals already followed: replies, the owner writing by hand, out-of-office notices, bounces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from refmail.app.transitions import apply, record
from refmail.domain import lifecycle as lc
from refmail.domain.approvals import Authenticity, authenticity
from refmail.domain.cadence import start_of_local_day
from refmail.domain.drafting import draft_ids
from refmail.domain.rules import DraftKind
from refmail.domain.screen import delay_only
from refmail.domain.types import Kind, ParsedMessage, Understanding
from refmail.store import models as m
from refmail.store import queries as q
from refmail.wiring import App


def party_on_thread(s: Session, parsed: ParsedMessage, email: str) -> bool:
    for rid in q.referrals_by_thread(s, parsed.thread_ids):
        if email in {p.email for role in ("prospect", "referrer") for p in q.parties(s, rid, role)}:
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
    """Her hand-written first touch, kept as a sent draft: the second message replies in its thread."""
    did = next(c for c in draft_ids(ref.id, DraftKind.FIRST_TOUCH, 99) if s.get(m.Draft, c) is None)
    s.add(m.Draft(
        id=did, referral_id=ref.id, kind=DraftKind.FIRST_TOUCH.value, status=q.SENT,
        to=[p.as_dict() for p in parsed.to], cc=[p.as_dict() for p in parsed.cc], subject=parsed.subject,
        body=parsed.text[:20000], message_id=parsed.message_id, in_reply_to=parsed.in_reply_to,
        references=list(parsed.references), due_at=now, created_at=now, decided_at=now, decided_by="owner by hand",
        sent_at=now, attempts=0,
    ))
    if ref.first_sent_at is None:
        ref.first_sent_at = now


def _referrals_for(s: Session, parsed: ParsedMessage, sender: str | None) -> list[m.Referral]:
    rids = q.referrals_by_thread(s, parsed.thread_ids)
    rows = [r for r in (s.get(m.Referral, rid) for rid in rids) if r is not None]
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
    matched = []
    for ref in _referrals_for(s, parsed, sender):
        if not _from_prospect_side(s, ref, sender, parsed):
            if sender and sender in {p.email for p in q.parties(s, ref.id, "referrer")}:
                record(s, ref.id, now, "message_in", f"referrer wrote on the thread: {parsed.subject}",
                       message_id=parsed.message_id)
            continue
        if _replied(s, app, row, ref, parsed, u, f"reply from {sender}", now):
            matched.append(ref.id)
    return f"reply on {', '.join(matched)}" if matched else "not about a referral"


def _replied(s: Session, app: App, row: m.Message, ref: m.Referral, parsed: ParsedMessage, u: Understanding,
             what: str, now: datetime) -> bool:
    """The prospect answered: the reply goes on the timeline and the cadence stops."""
    q.link_thread(s, parsed.message_id, ref.id)
    row.referral_id = ref.id
    record(s, ref.id, now, "message_in", f"{what}: {parsed.subject}", message_id=parsed.message_id,
           reply_text=(u.reply_text or parsed.text)[:4000])
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


# Shared mail providers: two people at gmail.com are not colleagues.
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "gmx.com",
    "web.de", "mail.com", "yandex.ru", "yandex.com", "zoho.com", "fastmail.com", "hey.com", "qq.com", "163.com",
})


def _sent_to_prospect(s: Session, referral_id: str) -> set[str]:
    """Message-IDs of what refmail (or the owner by hand) sent the prospect on this referral."""
    return {d.message_id for d in s.scalars(select(m.Draft).where(
        m.Draft.referral_id == referral_id, m.Draft.status.in_(q.OUT_STATUSES),
        m.Draft.kind.in_([k.value for k in lc.PROSPECT_FACING])))}


def _from_prospect_side(s: Session, ref: m.Referral, sender: str | None, parsed: ParsedMessage) -> bool:
    """The prospect, or a colleague at the prospect's own domain answering what we sent the prospect."""
    if sender is None or sender in {p.email for p in q.parties(s, ref.id, "referrer")}:
        return False
    prospects = q.parties(s, ref.id, "prospect")
    if sender in {p.email for p in prospects}:
        return True
    domain = sender.rpartition("@")[2]
    if domain in FREE_MAIL or domain not in {p.email.rpartition("@")[2] for p in prospects}:
        return False
    return bool(_sent_to_prospect(s, ref.id) & set(parsed.thread_ids))


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
    for ref in _referrals_for(s, parsed, sender):
        if sender not in {p.email for p in q.parties(s, ref.id, "prospect")}:
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
