"""Forget the bytes of mail that concerned no referral, once the retention rule says so."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, update

from refmail.store import models as m
from refmail.app.context import App


def prune(app: App, now: datetime) -> int:
    """Keeps the row (so the Message-ID is never fetched again), drops the raw message."""
    cutoff = now - timedelta(days=app.rules.retention.unrelated_days)
    with app.sessions.begin() as s:
        result = s.execute(
            update(m.Message)
            .where(m.Message.processed_at < cutoff, m.Message.referral_id.is_(None), m.Message.error.is_(None),
                   m.Message.raw != b"", m.Message.kind.not_in(["intro", "approval"]),
                   # an open question still needs the message it asks about
                   ~exists().where(m.Question.message_row == m.Message.id, m.Question.status == "open"))
            .values(raw=b"")
        )
        return result.rowcount or 0  # type: ignore[attr-defined]
