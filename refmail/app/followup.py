"""Act on everything the clock has made due: each due action is claimed, stepped and closed in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from refmail.app.transitions import apply, record
from refmail.domain import lifecycle as lc
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


def run_due(app: App, now: datetime) -> int:
    """Returns how many due actions were carried out."""
    done = 0
    while True:
        with app.sessions() as s:
            ids = q.due_action_ids(s, now)
        if not ids:
            return done
        progressed = 0
        for action_id, referral_id in ids:
            with app.sessions.begin() as s:
                # The referral first, then its action (the one lock order); a busy referral waits a cycle.
                ref = q.lock_referral(s, referral_id, skip_locked=True)
                if ref is None:
                    continue
                action = s.scalars(
                    select(m.DueAction).where(m.DueAction.id == action_id, m.DueAction.done_at.is_(None))
                    .with_for_update(skip_locked=True)
                ).first()
                if action is None or action.due_at > now:
                    continue  # another worker took it, or it was postponed meanwhile
                action.done_at = now
                progressed += 1
                try:
                    apply(s, app, ref, lc.Due(lc.DueKind(action.kind)), now)
                    done += 1
                except lc.InvalidTransition as exc:
                    record(s, ref.id, now, "note", f"due {action.kind} dropped: {exc}")
        if not progressed:
            return done
