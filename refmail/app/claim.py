"""`refmail claim ID ADDRESS`: the owner says whose a reply on a group intro's thread was."""

from __future__ import annotations

from sqlalchemy import select

from refmail.app.decide import DecisionError
from refmail.app.tracking import counted
from refmail.app.whose import mark_settled, pending_for
from refmail.domain.parse import parse_message
from refmail.domain.pipeline import understand
from refmail.domain.types import ParseFailure
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App


def claim(app: App, referral_id: str, address: str) -> str:
    """Count the unsettled reply from `address` as the reply of this referral's prospect."""
    now = app.clock.now()
    address = address.strip().lower()
    with app.sessions.begin() as s:
        ref = q.find_referral(s, referral_id)
        if ref is None:
            raise DecisionError(f"no referral {referral_id!r} (see `refmail referrals`)")
        mid = pending_for(s, ref, address)
        if mid is None:
            raise DecisionError(f"no unsettled reply from {address} on referral {ref.id}'s thread")
        row = s.scalars(select(m.Message).where(m.Message.message_id == mid)).first()
        parsed = parse_message(row.raw) if row is not None else None
        if row is None or parsed is None or isinstance(parsed, ParseFailure):
            raise DecisionError(f"the reply {mid} is no longer stored")
        u = understand(parsed, app.identity, app.rules.detection_rules, app.pipeline())
        mark_settled(s, mid, ref.id)
        if not counted(s, app, row, ref, parsed, u, address, now):
            return f"referral {ref.id}: the reply could not be counted (it is {ref.state}); see `refmail show {ref.id}`"
        return f"reply from {address} counted on referral {ref.id}, now {ref.state}"
