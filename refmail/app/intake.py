"""A new introduction becomes a referral (or joins the open one for the same prospect)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from refmail.app.transitions import apply, record
from refmail.domain import lifecycle as lc
from refmail.domain.drafting import referral_ids
from refmail.domain.intake import plan_intake, thank_again
from refmail.domain.types import ParsedMessage, Person, Role, TimelineEvent, TimelineKind, Understanding
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App


def take_intro(s: Session, app: App, parsed: ParsedMessage, u: Understanding, now: datetime) -> tuple[str | None, str]:
    """The intro's referral ID (None: nobody to follow) and what happened, for the message's summary."""
    intro_mid = u.intro_message_id or parsed.message_id
    if not u.prospects:
        return None, "intro without a prospect refmail could name: left for the owner"
    rid, known = _referral_slot(s, intro_mid)
    if known:
        q.link_thread(s, parsed.message_id, rid)
        return rid, "intro already known"
    open_with = q.open_referrals_of(s, [p.email for p in u.prospects])
    plan = plan_intake(u, {p.email: refs[0].id for p in u.prospects if (refs := open_with.get(p.email))})
    for existing in q.referrals(s, plan.joined):
        added = _add_referrer(s, app, existing.id, u.referrer, now)
        q.link_threads(s, [intro_mid, parsed.message_id], existing.id)
        thank = thank_again(added, u.referrer, app.identity)
        apply(s, app, existing, lc.Reintroduced(u.referrer.email if u.referrer else "unknown", thank=thank), now)
    if not plan.fresh:
        return plan.joined[0], f"introduced again: joined referral {', '.join(plan.joined)}"
    # Anyone new in the same intro still gets a referral of their own (thread links stay with the first).
    fresh = plan.fresh
    u = replace(u, prospects=fresh)
    if plan.one_track:
        return rid, _start(s, app, _new_referral(s, app, rid, parsed, u, intro_mid, now), u, now, thank=True)
    # A group intro: each prospect her own track (cadence, reply, out-of-office, bounce), one thank-you
    # (drafted once every track exists, so it names them all).
    tracks = [(_new_referral(s, app, rid if i == 0 else _sibling_slot(s, intro_mid, p.email), parsed,
                             replace(u, prospects=(p,)), intro_mid, now), replace(u, prospects=(p,)))
              for i, p in enumerate(fresh)]
    notes = [_start(s, app, ref, one, now, thank=i == 0) for i, (ref, one) in enumerate(tracks)]
    return rid, "group intro: " + "; ".join(notes)


def _start(s: Session, app: App, ref: m.Referral, u: Understanding, now: datetime, thank: bool) -> str:
    opted_out = q.opted_out(s, [p.email for p in u.prospects])
    apply(s, app, ref, lc.IntroDetected(opted_out=bool(opted_out), thank_referrer=thank), now)
    return f"new referral {ref.id}" + (f" ({', '.join(opted_out)} opted out earlier)" if opted_out else "")


def _new_referral(s: Session, app: App, rid: str, parsed: ParsedMessage, u: Understanding, intro_mid: str,
                  now: datetime) -> m.Referral:
    cadence = app.rules.cadence_for(urgent=u.urgency is not None and u.urgency.value in ("urgent", "deadline"))
    hold = q.absence_of(s, [p.email for p in u.prospects], now)
    ref = m.Referral(
        id=rid, state=lc.State.DETECTED.value, intro_message_id=intro_mid, intro_subject=parsed.subject,
        context=u.context[:2000], urgency=u.urgency.value if u.urgency else None,
        owner_is_referrer=u.owner_is_referrer, cadence=cadence.model_dump(), unanswered=0, hold_until=hold,
        created_at=now, updated_at=now,
    )
    s.add(ref)
    s.flush()
    if u.referrer is not None:
        s.add(m.Party(referral_id=rid, role=Role.REFERRER, email=u.referrer.email, name=u.referrer.name, added_at=now))
    for p in dict.fromkeys(u.prospects):
        s.add(m.Party(referral_id=rid, role=Role.PROSPECT, email=p.email, name=p.name, added_at=now))
    q.link_threads(s, [intro_mid, parsed.message_id], rid)
    who = u.referrer.formatted() if u.referrer else "unknown referrer"
    record(s, rid, now, TimelineKind.MESSAGE_IN, f"intro from {who}: {parsed.subject}", happened=TimelineEvent.INTRO,
           actor=u.referrer.email if u.referrer else None, message_id=parsed.message_id, reasons=list(u.reasons))
    return ref


def _sibling_slot(s: Session, intro_mid: str, email: str) -> str:
    """The ID of one prospect's track of a group intro: stable, derived from the intro and her address."""
    for candidate in referral_ids(f"{intro_mid}\n{email}"):
        if s.get(m.Referral, candidate) is None:
            return candidate
    raise RuntimeError(f"no free referral ID for {email} in {intro_mid}")


def _referral_slot(s: Session, intro_mid: str) -> tuple[str, bool]:
    """The referral ID for this intro, and whether it exists; a prefix taken by another intro lengthens it."""
    for candidate in referral_ids(intro_mid):
        row = s.get(m.Referral, candidate)
        if row is None:
            return candidate, False
        if row.intro_message_id == intro_mid:
            return candidate, True
    raise RuntimeError(f"no free referral ID for {intro_mid}")


def _add_referrer(s: Session, app: App, rid: str, referrer: Person | None, now: datetime) -> bool:
    """True when this referrer is new to the referral."""
    if referrer is None or referrer.email in {p.email for p in q.parties(s, rid, Role.REFERRER)}:
        return False
    credit_new = app.rules.credit.value == "last"
    if credit_new:
        for party in s.query(m.Party).filter_by(referral_id=rid, role=Role.REFERRER):
            party.credited = False
    s.add(m.Party(referral_id=rid, role=Role.REFERRER, email=referrer.email, name=referrer.name,
                  credited=credit_new, added_at=now))
    s.flush()
    return True
