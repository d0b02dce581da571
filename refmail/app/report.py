"""Read-only views for the CLI and the digest: drafts, referrals, one timeline, referral sources."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from refmail.domain.cadence import business_days_between
from refmail.domain.lifecycle import State
from refmail.store import models as m
from refmail.store import queries as q
from refmail.wiring import App

REPLIED_STATES = {State.REPLIED, State.MET, State.WON, State.LOST}
MET_STATES = {State.MET, State.WON}


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def draft_dict(d: m.Draft) -> dict[str, Any]:
    return {
        "id": d.id, "referral_id": d.referral_id, "kind": d.kind,
        "to": [p["email"] for p in d.to], "cc": [p["email"] for p in d.cc],
        "subject": d.subject, "body": d.body, "status": d.status,
        "due_at": iso(d.due_at), "created_at": iso(d.created_at), "last_error": d.last_error,
    }


def drafts(app: App, include_all: bool = False) -> list[dict[str, Any]]:
    with app.sessions() as s:
        if include_all:
            rows = s.scalars(select(m.Draft).order_by(m.Draft.created_at)).all()
        else:
            rows = q.drafts_awaiting(s)
        return [draft_dict(d) for d in rows]


def next_action(s: Session, ref: m.Referral) -> dict[str, Any] | None:
    options: list[tuple[datetime, str]] = []
    due = q.next_due(s, ref.id)
    if due is not None:
        options.append((due.due_at, due.kind))
    for d in q.live_drafts(s, ref.id):
        if d.status == q.PENDING_DRAFT:
            options.append((d.due_at, f"approve_{d.kind}"))
        else:
            options.append((d.next_attempt_at or d.due_at, f"send_{d.kind}"))
    if not options:
        return None
    at, kind = min(options)
    return {"kind": kind, "due_at": at.isoformat()}


def referral_dict(s: Session, ref: m.Referral) -> dict[str, Any]:
    referrers = q.parties(s, ref.id, "referrer")
    group = q.siblings(s, ref)
    prospects = q.parties(s, ref.id, "prospect")
    return {
        "id": ref.id, "state": ref.state,
        "referrer": referrers[0].as_dict() if referrers else None,
        "referrers": [p.as_dict() for p in referrers],
        "prospects": [p.as_dict() for p in prospects],
        # Other addresses a prospect answered from on the thread (any reply in the thread counts).
        "also_writes_from": {p.email: q.aliases_of(s, p.email) for p in prospects if q.aliases_of(s, p.email)},
        # A group intro: the other prospects' tracks, and the group's state in one word.
        "group": [{"id": g.id, "state": g.state,
                   "prospect": ", ".join(p.email for p in q.parties(s, g.id, "prospect"))} for g in group],
        "group_state": group_state([ref.state, *(g.state for g in group)]),
        "meeting_at": iso(ref.meeting_at),
        "subject": ref.intro_subject, "urgency": ref.urgency, "owner_is_referrer": ref.owner_is_referrer,
        "created_at": iso(ref.created_at), "updated_at": iso(ref.updated_at),
        "next_action": next_action(s, ref),
    }


_PROGRESS = [State.WON, State.MET, State.REPLIED, State.HANDLED_BY_OWNER, State.ESCALATED, State.FOLLOWED_UP,
             State.CONTACTED, State.AWAITING_APPROVAL, State.DETECTED, State.CLOSED_NO_RESPONSE, State.BOUNCED,
             State.DO_NOT_CONTACT, State.LOST, State.CANCELLED]


def group_state(states: list[str]) -> str:
    """A group intro's state summarises its prospects': the furthest any of them got."""
    known = [State(x) for x in states]
    return min(known, key=_PROGRESS.index).value


def referrals(app: App, state: str | None = None) -> list[dict[str, Any]]:
    with app.sessions() as s:
        stmt = select(m.Referral).order_by(m.Referral.created_at)
        if state:
            stmt = stmt.where(m.Referral.state == state)
        return [referral_dict(s, r) for r in s.scalars(stmt)]


def show(app: App, referral_id: str) -> dict[str, Any] | None:
    with app.sessions() as s:
        ref = q.find_referral(s, referral_id)
        if ref is None:
            return None
        out = referral_dict(s, ref)
        out["timeline"] = [
            {"at": iso(t.at), "kind": t.kind, "text": t.text, "detail": t.detail} for t in q.timeline(s, ref.id)
        ]
        out["drafts"] = [draft_dict(d) for d in s.scalars(select(m.Draft).where(m.Draft.referral_id == ref.id))]
        return out


def sources(app: App) -> list[dict[str, Any]]:
    """Per referrer (credited only), best sources first (seed 002 step 6)."""
    stats: dict[str, dict[str, Any]] = {}
    with app.sessions() as s:
        rows = s.execute(
            select(m.Party, m.Referral).join(m.Referral, m.Referral.id == m.Party.referral_id)
            .where(m.Party.role == "referrer", m.Party.credited.is_(True))
        ).all()
        for party, ref in rows:
            entry = stats.setdefault(party.email, {"name": party.name, "email": party.email, "intros": 0,
                                                   "replied": 0, "met": 0, "won": 0, "_days": []})
            entry["name"] = entry["name"] or party.name
            entry["intros"] += 1
            state = State(ref.state)
            if ref.replied_at is not None or state in REPLIED_STATES:
                entry["replied"] += 1
            if state in MET_STATES:
                entry["met"] += 1
            if state is State.WON:
                entry["won"] += 1
            if ref.replied_at and ref.first_sent_at:
                entry["_days"].append(business_days_between(ref.first_sent_at, ref.replied_at, app.rules))
    out = []
    for entry in stats.values():
        days = entry.pop("_days")
        entry["reply_rate"] = round(entry["replied"] / entry["intros"], 3) if entry["intros"] else 0.0
        entry["median_days_to_reply"] = statistics.median(days) if days else None
        out.append(entry)
    out.sort(key=lambda e: (-e["won"], -e["met"], -e["replied"], -e["intros"], e["email"]))
    return out
