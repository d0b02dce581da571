"""Read-only views for the CLI and the digest: drafts, referrals, one timeline, referral sources."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from refmail.domain.cadence import business_days_between
from refmail.domain.lifecycle import State
from refmail.domain.types import Role
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

REPLIED_STATES = {State.REPLIED, State.MET, State.WON, State.LOST}
MET_STATES = {State.MET, State.WON}


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def draft_dict(d: m.Draft) -> dict[str, Any]:
    return {
        "id": d.id, "referral_id": d.referral_id, "kind": d.kind,
        "to": [p["email"] for p in d.to], "cc": [p["email"] for p in d.cc],
        "bcc": [p["email"] for p in d.bcc or []],
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
    referrers = q.parties(s, ref.id, Role.REFERRER)
    group = q.siblings(s, ref)
    prospects = q.parties(s, ref.id, Role.PROSPECT)
    return {
        "id": ref.id, "state": ref.state,
        "referrer": referrers[0].as_dict() if referrers else None,
        "referrers": [p.as_dict() for p in referrers],
        "prospects": [p.as_dict() for p in prospects],
        # Other addresses a prospect answered from on the thread (any reply in the thread counts).
        "also_writes_from": {p.email: q.aliases_of(s, p.email) for p in prospects if q.aliases_of(s, p.email)},
        # A group intro: the other prospects' tracks, and the group's state in one word.
        "group": [{"id": g.id, "state": g.state,
                   "prospect": ", ".join(p.email for p in q.parties(s, g.id, Role.PROSPECT))} for g in group],
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
            {"at": iso(t.at), "kind": t.kind, "event": t.event, "actor": t.actor, "text": t.text, "detail": t.detail} for t in q.timeline(s, ref.id)
        ]
        out["drafts"] = [draft_dict(d) for d in s.scalars(select(m.Draft).where(m.Draft.referral_id == ref.id))]
        out["time_zone"] = time_zone(s, app, ref)
        return out


def time_zone(s: Session, app: App, ref: m.Referral) -> dict[str, str]:
    """Which zone mail to the prospect is timed in, and why (`refmail show`)."""
    prospects = [p.email for p in q.parties(s, ref.id, Role.PROSPECT)]
    ev = q.zone_evidence(s, prospects)
    if ev is None:
        return {"zone": app.rules.timezone, "why": "no mail written by the prospect carries a time zone yet: "
                "the send window is yours (rules.yaml timezone)"}
    count = f"{ev.messages} message{'s' if ev.messages > 1 else ''}"
    return {"zone": ev.label, "why": f"the Date header of mail the prospect wrote ({count}, latest seen "
            f"{ev.seen_at:%Y-%m-%d}): messages to her go out inside the send window in that zone too"}


def sources(app: App) -> list[dict[str, Any]]:
    """Per person: intros received from them (credited referrer only), best sources first (seed 002 step 6),
    intros the owner made for them, and whether she owes them a thank-you, an update or an intro."""
    from statistics import median  # this command's alone: the other views start without it

    now = app.clock.now()
    stats: dict[str, dict[str, Any]] = {}

    def entry(email: str, name: str) -> dict[str, Any]:
        row = stats.setdefault(email, {"name": name, "email": email, "intros": 0, "replied": 0, "met": 0, "won": 0,
                                       "intros_made": 0, "_days": [], "_engaged": []})
        row["name"] = row["name"] or name
        return row

    with app.sessions() as s:
        rows = s.execute(
            select(m.Party, m.Referral).join(m.Referral, m.Referral.id == m.Party.referral_id)
            .where(m.Party.role == Role.REFERRER, m.Party.credited.is_(True), m.Referral.owner_is_referrer.is_(False))
        ).all()
        for party, ref in rows:
            e = entry(party.email, party.name)
            e["intros"] += 1
            state = State(ref.state)
            if ref.replied_at is not None or state in REPLIED_STATES:
                e["replied"] += 1
            if state in MET_STATES:
                e["met"] += 1
                e["_engaged"].append(engaged_at(s, ref))
            if state is State.WON:
                e["won"] += 1
            if ref.replied_at and ref.first_sent_at:
                e["_days"].append(business_days_between(ref.first_sent_at, ref.replied_at, app.rules))
        made = s.execute(
            select(m.Party, m.Referral).join(m.Referral, m.Referral.id == m.Party.referral_id)
            .where(m.Party.role == Role.PROSPECT, m.Referral.owner_is_referrer.is_(True))
        ).all()
        for party, ref in made:
            entry(party.email, party.name)["intros_made"] += 1
        owe_after = timedelta(days=app.rules.reciprocity.owe_after_days)
        for e in stats.values():
            e["you_owe"] = owes(s, e["email"], e.pop("_engaged"), now, owe_after)
    out = []
    for e in stats.values():
        days = e.pop("_days")
        e["reply_rate"] = round(e["replied"] / e["intros"], 3) if e["intros"] else 0.0
        e["median_days_to_reply"] = median(days) if days else None
        out.append(e)
    out.sort(key=lambda e: (-e["won"], -e["met"], -e["replied"], -e["intros"], -e["intros_made"], e["email"]))
    return out


# What counts as giving back to a referrer once her intro became a meeting or a win.
GIVING_BACK = ("thank_won", "meeting_update", "keep_in_loop")


def engaged_at(s: Session, ref: m.Referral) -> datetime:
    """When the referral first became met (or won): the moment the owner started owing the referrer."""
    for t in q.timeline(s, ref.id):
        if (t.detail or {}).get("state") in (State.MET.value, State.WON.value):
            return t.at
    return ref.updated_at


def owes(s: Session, email: str, engaged: list[datetime], now: datetime, after: timedelta) -> bool:
    """A meeting or win from their intro more than `after` ago, and no thank-you, update or intro since."""
    due = [at for at in engaged if at <= now - after]
    if not due:
        return False
    since = min(due)
    sent = s.scalars(select(m.Draft).where(m.Draft.status == q.SENT, m.Draft.kind.in_(GIVING_BACK),
                                           m.Draft.sent_at >= since)).all()
    if any(email in {p["email"] for p in d.to} for d in sent):
        return False
    made = s.scalars(select(m.Referral.id).join(m.Party, m.Party.referral_id == m.Referral.id).where(
        m.Referral.owner_is_referrer.is_(True), m.Party.role == Role.PROSPECT, m.Party.email == email,
        m.Referral.created_at >= since)).first()
    return made is None
