"""Calendar invitations between the owner and a prospect: the prospect is met, the referrer hears of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from refmail.app.transitions import apply, record
from refmail.domain import invitation as ics
from refmail.domain import lifecycle as lc
from refmail.domain import routing as rt
from refmail.domain.types import ParsedMessage, TimelineEvent, TimelineKind
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App


def seen(s: Session, app: App, row: m.Message, parsed: ParsedMessage, met: tuple[rt.Meeting, ...], now: datetime) -> str:
    """Mark met every prospect the invitations set a meeting with (domain/routing.py found them)."""
    notes = []
    for meeting in met:
        ref = s.get(m.Referral, meeting.referral_id)
        if ref is not None:
            notes.append(_met(s, app, row, ref, parsed, meeting.invitation, meeting.address, now))
    return "; ".join(notes)


def _met(s: Session, app: App, row: m.Message, ref: m.Referral, parsed: ParsedMessage, inv: ics.Invitation,
         address: str, now: datetime) -> str:
    q.link_thread(s, parsed.message_id, ref.id)
    row.referral_id = ref.id
    what = "invitation sent" if inv.method is ics.Method.REQUEST else f"invitation accepted by {address}"
    record(s, ref.id, now, TimelineKind.MESSAGE_IN, f"calendar {what}: {inv.summary or parsed.subject}",
           happened=TimelineEvent.MEETING, actor=address,
           message_id=parsed.message_id, meeting_at=inv.start.isoformat() if inv.start else None)
    if ref.state == lc.State.MET.value:
        return f"meeting with {address} already recorded on {ref.id}"
    if inv.start is not None:
        ref.meeting_at = inv.start
    if ref.replied_at is None and address not in app.identity.owner_emails and inv.method is ics.Method.REPLY:
        ref.replied_at = now
    apply(s, app, ref, lc.MeetingSet(inv.start), now)
    return f"meeting with {address} on {ref.id}: met"
