"""Mail about referrals already followed: the handlers of routes (domain/routing.py) for replies, the owner
writing by hand, out-of-office notices and bounces. The choice is made there; here it is carried out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from refmail.app.approval_mail import DRAFT_HEADER
from refmail.app.outbox import decide, move, new_draft
from refmail.app.transitions import apply, record
from refmail.app.whose import remember
from refmail.domain import lifecycle as lc
from refmail.domain import routing as rt
from refmail.domain.cadence import start_of_local_day
from refmail.domain.drafting import draft_ids
from refmail.domain.meeting_cue import meeting_cue
from refmail.domain.outbox import DraftEvent
from refmail.domain.kinds import DraftKind
from refmail.domain.screen import delay_only
from refmail.domain.types import ParsedMessage, Role, TimelineEvent, TimelineKind, Understanding
from refmail.store import models as m
from refmail.store import queries as q
from refmail.store.thread_facts import thread_facts
from refmail.app.context import App

# A meeting may be set after the cadence gave up, or after a bounce (she was reached another way).
MEETABLE = lc.OPEN | {lc.State.CLOSED_NO_RESPONSE, lc.State.BOUNCED}


@dataclass(frozen=True)
class Visit:
    """One message being handled: what every route handler is given with its Route."""

    s: Session
    app: App
    row: m.Message
    parsed: ParsedMessage
    u: Understanding | None
    now: datetime

    @property
    def sender(self) -> str | None:
        return self.parsed.sender.email if self.parsed.sender else None


def facts_for(s: Session, app: App, parsed: ParsedMessage, source: str = "inbox", handed: bool = False) -> rt.ThreadFacts:
    """The store's facts about this message's thread, as routing needs them (read now: after an intro was
    taken, the thread knows its new referral). Recipients matter only when the owner wrote."""
    return thread_facts(s, parsed, source=source, handed=handed, marker=(parsed.header(DRAFT_HEADER) or "").strip(),
                        meetable=MEETABLE, recipients=parsed.sender is not None and app.identity.is_owner(
                            parsed.sender.email))


def owner_wrote(s: Session, app: App, parsed: ParsedMessage, now: datetime) -> str:
    """The owner wrote to a prospect outside refmail: that stops the cadence."""
    return owner_wrote_on(s, app, parsed, rt.owner_wrote_on(parsed, facts_for(s, app, parsed)), now)


def owner_wrote_on(s: Session, app: App, parsed: ParsedMessage, rids: tuple[str, ...], now: datetime) -> str:
    touched = []
    for ref in q.referrals(s, rids):
        before = ref.state
        q.link_thread(s, parsed.message_id, ref.id)
        record(s, ref.id, now, TimelineKind.MESSAGE_OUT, f"owner wrote by hand: {parsed.subject}",
               happened=TimelineEvent.OWNER_WROTE, actor=parsed.sender.email if parsed.sender else None,
               message_id=parsed.message_id)
        try:
            apply(s, app, ref, lc.OwnerWroteByHand(), now)
            touched.append(ref.id)
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
    draft = new_draft(
        id=did, referral_id=ref.id, kind=DraftKind.FIRST_TOUCH.value,
        to=[p.as_dict() for p in parsed.to], cc=[p.as_dict() for p in parsed.cc], subject=parsed.subject,
        body=parsed.text[:20000], message_id=parsed.message_id, in_reply_to=parsed.in_reply_to,
        references=list(parsed.references), due_at=now, created_at=now, sent_at=now, attempts=0,
    )
    decide(draft, DraftEvent.APPROVED, now, "owner by hand")
    move(draft, DraftEvent.SENT)  # from her own mail client
    s.add(draft)


def track(s: Session, app: App, row: m.Message, parsed: ParsedMessage, u: Understanding, now: datetime) -> str:
    """Replies, out-of-office notices and bounces on referrals refmail follows."""
    route = rt.track_route(parsed, u, facts_for(s, app, parsed), app.identity)
    return TRACK_HANDLERS[route.kind](Visit(s, app, row, parsed, u, now), route)


def not_trusted(v: Visit, route: rt.Route) -> str:
    return f"not trusted: {route.why}"


def reply_on(v: Visit, route: rt.Route) -> str:
    """Her reply (tied by an address of hers, or by our own mail she answers) on each of her tracks."""
    assert v.u is not None
    u, sender = v.u, v.sender or ""
    refs = q.referrals(v.s, route.referrals)
    if u.do_not_contact and not route.by_address:
        # Someone else's "stop emailing me" is theirs, not the prospect's: counted as a reply, not as her opt-out.
        for ref in refs:
            record(v.s, ref.id, v.now, TimelineKind.NOTE,
                   f"{sender} asked not to be contacted: not applied to the prospect")
        u = replace(u, do_not_contact=False)
    matched = [ref.id for ref in refs if counted(v.s, v.app, v.row, ref, v.parsed, u, sender, v.now)]
    return f"reply on {', '.join(matched)}" if matched else "not about a referral"


def untied_reply(v: Visit, route: rt.Route) -> str:
    """An address nobody knows answering the intro: the owner says whose it is (`refmail claim`)."""
    said = ((v.u.reply_text if v.u else None) or v.parsed.text)[:4000]
    for rid in route.referrals:
        q.link_thread(v.s, v.parsed.message_id, rid)
        record(v.s, rid, v.now, TimelineKind.WHOSE, f"reply from {v.sender} on the thread, whose?",
               happened=TimelineEvent.UNTIED_REPLY, actor=v.sender, message_id=v.parsed.message_id,
               sender=v.sender, reply_text=said)
    return f"reply from {v.sender} on the thread of {', '.join(route.referrals)}: whose? (asked)"


def referrer_wrote(v: Visit, route: rt.Route) -> str:
    for rid in route.referrals:
        record(v.s, rid, v.now, TimelineKind.MESSAGE_IN, f"referrer wrote on the thread: {v.parsed.subject}",
               happened=TimelineEvent.REFERRER_WROTE, actor=v.sender, message_id=v.parsed.message_id)
    return unrelated(v, route)


def unrelated(v: Visit, route: rt.Route) -> str:
    return "not about a referral"


def counted(s: Session, app: App, row: m.Message, ref: m.Referral, parsed: ParsedMessage, u: Understanding,
            sender: str, now: datetime) -> bool:
    """Her reply (from any address): remembered, recorded, the cadence stopped; the group told when the rule says."""
    learnt = remember(s, ref, sender, now)
    if learnt:
        record(s, ref.id, now, TimelineKind.NOTE, f"{sender} wrote on the thread: kept as another address of {learnt}")
    what = f"reply from {sender}" + (f" (for {learnt})" if learnt else "")
    if not _replied(s, app, row, ref, parsed, u, what, sender, now):
        return False
    if app.rules.group_intro.stop_on_first_reply:
        for other in q.siblings(s, ref):
            if lc.State(other.state) in lc.ACTIVE:
                apply(s, app, other, lc.GroupAnswered(sender), now)
    return True


def _replied(s: Session, app: App, row: m.Message, ref: m.Referral, parsed: ParsedMessage, u: Understanding,
             what: str, actor: str, now: datetime) -> bool:
    """The prospect answered: the reply goes on the timeline and the cadence stops."""
    q.link_thread(s, parsed.message_id, ref.id)
    row.referral_id = ref.id
    said = (u.reply_text or parsed.text)[:4000]
    cue = meeting_cue(said)
    record(s, ref.id, now, TimelineKind.MESSAGE_IN, f"{what}: {parsed.subject}", happened=TimelineEvent.REPLY,
           actor=actor, message_id=parsed.message_id, reply_text=said, **({"meeting_cue": cue} if cue else {}))
    try:
        apply(s, app, ref, lc.ProspectReplied(do_not_contact=u.do_not_contact), now)
    except lc.InvalidTransition as exc:
        record(s, ref.id, now, TimelineKind.NOTE, f"reply not applied: {exc}")
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
            record(s, ref.id, now, TimelineKind.NOTE, why, message_id=parsed.message_id)
        return why
    touched = [r.id for r in refs
               if _replied(s, app, row, r, parsed, u, f"reply from {prospect}, forwarded by the owner", prospect, now)]
    return f"forwarded reply from {prospect} on {', '.join(touched) or 'no open referral'}"


def from_owner(app: App, parsed: ParsedMessage) -> bool:
    """Sent by the owner, as far as the receiving server could tell (domain/routing.py decides)."""
    return rt.from_owner(parsed, app.identity)


def _sent_to_prospect(s: Session, referral_id: str) -> set[str]:
    """Message-IDs of what refmail (or the owner by hand) sent the prospect on this referral."""
    return {d.message_id for d in s.scalars(select(m.Draft).where(
        m.Draft.referral_id == referral_id, m.Draft.status.in_(q.OUT_STATUSES),
        m.Draft.kind.in_([k.value for k in lc.PROSPECT_FACING])))}


def _referrals_for(s: Session, parsed: ParsedMessage, address: str | None) -> list[m.Referral]:
    """The thread's referrals, then the open ones with `address` as prospect: what a notice may be about."""
    rows = q.thread_referrals(s, parsed.thread_ids)
    rids = {r.id for r in rows}
    if address:
        rows += [r for r in q.open_referrals_with(s, address) if r.id not in rids]
    return rows


def autoreply_on(v: Visit, route: rt.Route) -> str:
    """An out-of-office: the cadence waits past her return date; a closed mailbox is a bounce."""
    assert v.u is not None
    s, app, parsed, u, sender, now = v.s, v.app, v.parsed, v.u, v.sender, v.now
    raw = v.row.raw
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
    for ref in q.referrals(s, route.referrals):
        record(s, ref.id, now, TimelineKind.MESSAGE_IN, f"out-of-office from {sender}"
               + (f", back {u.return_date.isoformat()}" if u.return_date else ""), happened=TimelineEvent.AUTOREPLY,
               actor=sender, message_id=parsed.message_id)
        try:
            apply(s, app, ref, lc.AutoReplied(until), now)
            touched.append(ref.id)
        except lc.InvalidTransition:
            pass
    return f"out of office on {', '.join(touched) or 'no referral'}"


def bounce_on(v: Visit, route: rt.Route) -> str:
    """A delivery failure that returns our mail to a prospect: her track ends as bounced."""
    assert v.u is not None
    s, app, raw, parsed, u, now = v.s, v.app, v.row.raw, v.parsed, v.u, v.now
    if delay_only(parsed):
        return "delivery delayed, not failed: nothing to do yet"
    results = []
    for address in u.failed_addresses or ():
        rows = _referrals_for(s, parsed, address)
        results.append(_bounce_referrals(s, app, raw, rows, address, parsed, now, "bounced"))
    if not u.failed_addresses:
        rows = _referrals_for(s, parsed, None)
        for ref in rows:
            for p in q.parties(s, ref.id, Role.PROSPECT):
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
        if address not in {p.email for p in q.parties(s, ref.id, Role.PROSPECT)}:
            continue
        if not _returns_our_mail(s, ref, raw, parsed):
            record(s, ref.id, now, TimelineKind.NOTE, f"a notice says {address} {why}, but it does not return "
                   "anything we sent: not acted on", message_id=parsed.message_id)
            continue
        record(s, ref.id, now, TimelineKind.MESSAGE_IN, f"{address} {why}", happened=TimelineEvent.BOUNCE,
               actor=address, message_id=parsed.message_id)
        try:
            apply(s, app, ref, lc.Bounced(address), now, bounced_address=address)
            touched.append(ref.id)
        except lc.InvalidTransition:
            pass
    return f"{address} {why}: {', '.join(touched) or 'no open referral'}"


TRACK_HANDLERS = {
    rt.RouteKind.BOUNCE_ON: bounce_on,
    rt.RouteKind.NOT_TRUSTED: not_trusted,
    rt.RouteKind.AUTOREPLY_ON: autoreply_on,
    rt.RouteKind.REPLY_ON: reply_on,
    rt.RouteKind.UNTIED_REPLY: untied_reply,
    rt.RouteKind.REFERRER_WROTE: referrer_wrote,
    rt.RouteKind.UNRELATED: unrelated,
}
