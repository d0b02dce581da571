"""What shadow mode found, read from its scratch store: each intro, how it went, what refmail would have done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from refmail.app.report import draft_dict, iso, referral_dict
from refmail.domain.lifecycle import HEARD_FROM, PROSPECT_FACING, State
from refmail.domain.kinds import DraftKind
from refmail.domain.types import TimelineEvent
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

# How an intro went without refmail.
ANSWERED = "answered"  # the prospect wrote back
BY_HAND = "followed_up_by_hand"  # the owner wrote to the prospect herself, no answer (yet)
DROPPED = "dropped"  # nobody wrote to the prospect


def next_due_at(app: App) -> datetime | None:
    """The earliest due action still waiting: the simulated clock stops there too, not only at mail."""
    with app.sessions() as s:
        return s.scalar(select(func.min(m.DueAction.due_at)).where(m.DueAction.done_at.is_(None)))


def _verdict(ref: m.Referral, by_hand_at: datetime | None) -> str:
    if ref.replied_at is not None or State(ref.state) in HEARD_FROM | {State.WON, State.LOST}:
        return ANSWERED
    if by_hand_at is not None or State(ref.state) is State.HANDLED_BY_OWNER:
        return BY_HAND
    if State(ref.state) in (State.DETECTED, State.AWAITING_APPROVAL):
        return DROPPED
    return ref.state  # bounced, asked not to be contacted, ...


def _would_follow_up(drafts: list[m.Draft], verdict: str) -> dict[str, Any] | None:
    """The first message refmail would have sent the prospect when the intro went quiet."""
    if verdict == ANSWERED:
        return None
    waiting = sorted((d for d in drafts if d.status == q.PENDING_DRAFT
                      and DraftKind(d.kind) in PROSPECT_FACING | {DraftKind.ESCALATION}), key=lambda d: d.due_at)
    if not waiting:
        return None
    first = waiting[0]
    return {"kind": first.kind, "at": iso(first.due_at), "to": [p["email"] for p in first.to],
            "subject": first.subject, "draft_id": first.id}


def intro_report(app: App) -> list[dict[str, Any]]:
    """One entry per intro found (a group intro gives one per prospect), oldest first."""
    out = []
    with app.sessions() as s:
        for ref in s.scalars(select(m.Referral).order_by(m.Referral.created_at, m.Referral.id)):
            timeline = q.timeline(s, ref.id)
            by_hand_at = next((t.at for t in timeline if t.event == TimelineEvent.OWNER_WROTE), None)
            drafts = list(s.scalars(select(m.Draft).where(m.Draft.referral_id == ref.id).order_by(m.Draft.created_at)))
            verdict = _verdict(ref, by_hand_at)
            entry = referral_dict(s, ref)
            entry.pop("next_action")  # the scratch store's "next" ends with the replay: not hers to act on
            entry.update({
                "found_at": iso(ref.created_at),
                "outcome": verdict,
                "followed_up_by_hand_at": iso(by_hand_at),
                "answered_at": iso(ref.replied_at),
                "went_quiet": verdict in (BY_HAND, DROPPED),  # no answer by the end of the period
                "would_follow_up": _would_follow_up(drafts, verdict),
                # What refmail would have written (her own messages, kept as drafts, are not refmail's).
                "drafts": [draft_dict(d) for d in drafts if d.decided_by != "owner by hand"],
                "timeline": [{"at": iso(t.at), "kind": t.kind, "event": t.event, "text": t.text} for t in timeline],
            })
            out.append(entry)
    return out


def mail_report(app: App) -> dict[str, int]:
    """How the replayed mail was read: stored, intros, questions refmail would have asked, problems."""
    with app.sessions() as s:
        count = lambda *where: s.scalar(select(func.count()).select_from(m.Message).where(*where)) or 0  # noqa: E731
        return {
            "messages": count(),
            "quarantined": count(m.Message.error.is_not(None)),
            "questions": s.scalar(select(func.count()).select_from(m.Question)) or 0,
        }
