"""Whose reply is this? Tie a message on a referral's thread to one prospect's track, or ask the owner.

Any reply in the thread counts (DESIGN: "from any address but ours"): the prospect's known address, another
address of hers, a colleague, an assistant. An unknown address answering our own mail to a prospect is
tied to her (its Message-ID is keyed: only its readers know it). One answering only the intro, which
everyone on it knows, cannot be told from a stranger: the owner is asked in the digest ("whose?") and
`refmail claim` settles it; nothing changes for the prospect until then.

Which of these a message is, domain/routing.py decides (reply_route); this module keeps the "whose?" entries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from refmail.domain.types import Role, TimelineEvent
from refmail.store import models as m
from refmail.store import queries as q


def _group(s: Session, ref: m.Referral) -> list[m.Referral]:
    return [ref, *q.siblings(s, ref)]


def _prospects(s: Session, ref: m.Referral) -> set[str]:
    return {p.email for p in q.parties(s, ref.id, Role.PROSPECT)}


def unsettled(s: Session) -> list[m.TimelineEntry]:
    """One "whose?" entry per message refmail could not tie to one prospect, not yet settled."""
    rows = s.scalars(select(m.TimelineEntry).where(m.TimelineEntry.event == TimelineEvent.UNTIED_REPLY).order_by(m.TimelineEntry.at))
    seen: dict[str, m.TimelineEntry] = {}
    settled = set()
    for t in rows:
        mid = str((t.detail or {}).get("message_id"))
        if (t.detail or {}).get("settled"):
            settled.add(mid)
        seen.setdefault(mid, t)
    return [t for mid, t in seen.items() if mid not in settled]


def mark_settled(s: Session, message_id: str, referral_id: str) -> None:
    for t in s.scalars(select(m.TimelineEntry).where(m.TimelineEntry.event == TimelineEvent.UNTIED_REPLY)):
        if (t.detail or {}).get("message_id") == message_id:
            t.detail = {**t.detail, "settled": referral_id}


def pending_for(s: Session, ref: m.Referral, sender: str) -> str | None:
    """The Message-ID of the unsettled reply from `sender` on this referral's group, if any."""
    ids = {r.id for r in _group(s, ref)}
    for t in unsettled(s):
        d = t.detail or {}
        if t.referral_id in ids and str(d.get("sender", "")).lower() == sender.lower():
            return str(d.get("message_id"))
    return None


def remember(s: Session, ref: m.Referral, sender: str, now: datetime) -> str | None:
    """The new address is kept as the prospect's (one prospect per track): later mail from it is hers."""
    prospects = sorted(_prospects(s, ref))
    if len(prospects) != 1 or sender in prospects or q.open_referrals_with(s, sender):
        return None  # not one prospect to give it to, or the address is someone's own on another referral
    return prospects[0] if q.remember_alias(s, sender, prospects[0], ref.id, now) else None
