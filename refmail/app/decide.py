"""The owner's decisions on drafts (approve, edit, reject), whichever way she gives them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from refmail.app import outbox as box
from refmail.app.transitions import apply, record
from refmail.domain import lifecycle as lc
from refmail.domain.outbox import DraftEvent, DraftStatus, allows
from refmail.domain.cadence import next_send_time
from refmail.domain.kinds import DraftKind
from refmail.errors import DecisionError
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App


@dataclass(frozen=True)
class Decision:
    draft_id: str
    status: DraftStatus
    changed: bool
    message: str


def approve(s: Session, app: App, draft: m.Draft, now: datetime, by: str, body: str | None = None) -> Decision:
    if draft.status == DraftStatus.UNCERTAIN:
        return Decision(draft.id, draft.status, False, f"draft {draft.id} may already have gone out (counted as sent); "
                        f"settle it with: refmail resolve {draft.id} sent|resend")
    if not allows(draft.status, DraftEvent.APPROVED):
        return Decision(draft.id, draft.status, False, f"draft {draft.id} is already {draft.status}")
    if body is not None and body.strip() and body.strip() != draft.body.strip():
        draft.original_body = draft.body
        draft.body = body.strip() + "\n"
        record(s, draft.referral_id, now, "draft", f"{draft.kind} edited by the owner ({by})",
               draft_id=draft.id, body=draft.body)
    box.decide(draft, DraftEvent.APPROVED, now, by)
    # The due time is a deadline, not a start: approved mail goes at the next send window.
    draft.next_attempt_at = next_send_time(now, app.rules)
    record(s, draft.referral_id, now, "draft", f"{draft.kind} approved ({by})", draft_id=draft.id)
    if app.open_transport is None:  # never promise a send that cannot happen
        return Decision(draft.id, draft.status, True, f"approved {draft.id}, but no SMTP server is configured "
                        "(REFMAIL_SMTP_HOST): it goes out once one is")
    return Decision(draft.id, draft.status, True, f"approved {draft.id}: it goes out {draft.next_attempt_at:%Y-%m-%d %H:%M} UTC or later")


def reject(s: Session, app: App, draft: m.Draft, now: datetime, by: str) -> Decision:
    if not allows(draft.status, DraftEvent.REJECTED):
        return Decision(draft.id, draft.status, False, f"draft {draft.id} is already {draft.status}")
    ref = q.lock_referral(s, draft.referral_id)
    assert ref is not None
    box.decide(draft, DraftEvent.REJECTED, now, by)
    record(s, ref.id, now, "draft", f"{draft.kind} skipped ({by})", draft_id=draft.id)
    try:
        apply(s, app, ref, lc.DraftRejected(DraftKind(draft.kind)), now)
    except lc.InvalidTransition as exc:
        record(s, ref.id, now, "note", str(exc))
    return Decision(draft.id, draft.status, True, f"skipped {draft.id}")


def decide_by_id(app: App, draft_id: str, action: DraftEvent, by: str, body: str | None = None) -> Decision:
    """The owner's word on a draft by its ID: APPROVED (with her edited body, if any) or REJECTED."""
    if action not in (DraftEvent.APPROVED, DraftEvent.REJECTED):
        raise ValueError(f"the owner approves or rejects a draft, not {action!r}")
    now = app.clock.now()
    with app.sessions.begin() as s:
        draft = q.find_draft(s, draft_id)
        if draft is None:
            raise DecisionError(f"no draft {draft_id!r} (see `refmail drafts`)")
        if action is DraftEvent.APPROVED:
            return approve(s, app, draft, now, by, body)
        return reject(s, app, draft, now, by)


def mark_outcome(app: App, referral_id: str, outcome: str) -> str:
    now = app.clock.now()
    with app.sessions.begin() as s:
        ref = q.find_referral(s, referral_id)
        if ref is None:
            raise DecisionError(f"no referral {referral_id!r} (see `refmail referrals`)")
        try:
            apply(s, app, ref, lc.OutcomeMarked(lc.Outcome(outcome)), now)
        except lc.InvalidTransition as exc:
            raise DecisionError(f"referral {ref.id}: {exc}") from None
        return f"referral {ref.id} is now {ref.state}"
