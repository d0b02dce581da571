"""Calendar invitations between the owner and a prospect: the prospect is met, the referrer hears of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from refmail.app.tracking import forged_sender
from refmail.app.transitions import apply, record
from refmail.domain import invitation as ics
from refmail.domain import lifecycle as lc
from refmail.domain.types import ParsedMessage
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

# A meeting may be set after the cadence gave up, or after a bounce (she was reached another way).
MEETABLE = lc.OPEN | {lc.State.CLOSED_NO_RESPONSE, lc.State.BOUNCED}


def seen(s: Session, app: App, row: m.Message, parsed: ParsedMessage, now: datetime) -> str | None:
    """Mark met every prospect an invitation in this message sets a meeting with; None when it concerns none.

    Only the owner or the prospect herself (any address of hers) can set it: a third party's invitation
    naming them both changes nothing.
    """
    sender = parsed.sender.email if parsed.sender else ""
    if not sender or (row.source != "sent" and forged_sender(parsed)):
        return None
    owner = app.identity.owner_emails
    notes = []
    texts = list(parsed.calendars)
    if sender in owner:  # her forward of the prospect's answer (attached as a message) carries its invitation
        texts += [c for inner in parsed.attached for c in inner.calendars]
    for text in texts:
        inv = ics.read(text)
        if inv is None:
            continue
        for address in sorted(inv.people - owner):
            person = q.alias_of(s, address) or address
            for ref in q.open_referrals_with(s, person, states=frozenset(MEETABLE)):
                if sender not in owner | {person, address} or not _sets(inv, owner, person, address):
                    continue
                notes.append(_met(s, app, row, ref, parsed, inv, address, now))
    return "; ".join(notes) or None


def _sets(inv: ics.Invitation, owner: frozenset[str], person: str, address: str) -> bool:
    return inv.meeting_set(owner, address) or inv.meeting_set(owner, person)


def _met(s: Session, app: App, row: m.Message, ref: m.Referral, parsed: ParsedMessage, inv: ics.Invitation,
         address: str, now: datetime) -> str:
    q.link_thread(s, parsed.message_id, ref.id)
    row.referral_id = ref.id
    what = "invitation sent" if inv.method is ics.Method.REQUEST else f"invitation accepted by {address}"
    record(s, ref.id, now, "message_in", f"calendar {what}: {inv.summary or parsed.subject}",
           message_id=parsed.message_id, meeting_at=inv.start.isoformat() if inv.start else None)
    if ref.state == lc.State.MET.value:
        return f"meeting with {address} already recorded on {ref.id}"
    if inv.start is not None:
        ref.meeting_at = inv.start
    if ref.replied_at is None and address not in app.identity.owner_emails and inv.method is ics.Method.REPLY:
        ref.replied_at = now
    apply(s, app, ref, lc.MeetingSet(inv.start), now)
    return f"meeting with {address} on {ref.id}: met"
