"""Whose reply is this? Tie a message on a referral's thread to one prospect's track, or ask the owner.

Any reply in the thread counts (DESIGN: "from any address but ours"): the prospect's known address, another
address of hers, a colleague, an assistant. An unknown address answering our own mail to a prospect is
tied to her (its Message-ID is keyed: only its readers know it). One answering only the intro, which
everyone on it knows, cannot be told from a stranger: the owner is asked in the digest ("whose?") and
`refmail claim` settles it; nothing changes for the prospect until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App


@dataclass(frozen=True)
class Tie:
    """Referrals the message is a prospect's reply on; or, when it cannot be told, the group it might be."""

    referrals: tuple[m.Referral, ...] = ()
    unsure: tuple[m.Referral, ...] = ()
    by_address: bool = True  # False: tied by the thread only (a new address for the prospect)


def _group(s: Session, ref: m.Referral) -> list[m.Referral]:
    return [ref, *q.siblings(s, ref)]


def _prospects(s: Session, ref: m.Referral) -> set[str]:
    return {p.email for p in q.parties(s, ref.id, "prospect")}


def thread_referrals(s: Session, thread_ids: tuple[str, ...]) -> list[m.Referral]:
    """Every referral the thread touches, with the other tracks of a group intro."""
    out: dict[str, m.Referral] = {}
    for rid in q.referrals_by_thread(s, thread_ids):
        ref = s.get(m.Referral, rid)
        if ref is not None:
            out.update((r.id, r) for r in _group(s, ref))
    return list(out.values())


def tie(s: Session, app: App, thread_ids: tuple[str, ...], sender: str | None) -> Tie:
    if sender is None or app.identity.is_ours(sender):
        return Tie()
    person = q.alias_of(s, sender) or sender
    on_thread = thread_referrals(s, thread_ids)
    known = {r.id: r for r in on_thread + q.open_referrals_with(s, person) if person in _prospects(s, r)}
    if known:
        return Tie(tuple(known.values()))
    if any(sender in {p.email for p in q.parties(s, r.id, "referrer")} for r in on_thread):
        return Tie()  # the referrer chiming in is not the prospect's answer
    for mid in thread_ids:  # nearest first: the message it answers says most
        draft = q.sent_prospect_draft(s, mid)
        if draft is not None:  # our own mail to one prospect (a keyed Message-ID only its readers know)
            ref = s.get(m.Referral, draft.referral_id)
            return Tie((ref,), by_address=False) if ref is not None else Tie()
        rids = q.referrals_by_thread(s, (mid,))
        ref = s.get(m.Referral, rids[0]) if rids else None
        if ref is not None:
            # The intro (or a later message of the thread) is known to everyone it went to: an unknown
            # address answering it could be anyone, so the owner says whose it is (`refmail claim`).
            return Tie(unsure=tuple(_group(s, ref)))
    return Tie()


def unsettled(s: Session) -> list[m.TimelineEntry]:
    """One "whose?" entry per message refmail could not tie to one prospect, not yet settled."""
    rows = s.scalars(select(m.TimelineEntry).where(m.TimelineEntry.kind == "whose").order_by(m.TimelineEntry.at))
    seen: dict[str, m.TimelineEntry] = {}
    settled = set()
    for t in rows:
        mid = str((t.detail or {}).get("message_id"))
        if (t.detail or {}).get("settled"):
            settled.add(mid)
        seen.setdefault(mid, t)
    return [t for mid, t in seen.items() if mid not in settled]


def mark_settled(s: Session, message_id: str, referral_id: str) -> None:
    for t in s.scalars(select(m.TimelineEntry).where(m.TimelineEntry.kind == "whose")):
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
