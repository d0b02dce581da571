"""Messages refmail could not handle: list them, and put them back in line once the cause is fixed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from refmail.app.report import iso
from refmail.domain.parse import parse_message
from refmail.domain.types import ParseFailure
from refmail.store import models as m
from refmail.app.context import App


def listing(app: App) -> list[dict[str, Any]]:
    with app.sessions() as s:
        rows = s.scalars(select(m.Message).where(m.Message.error.is_not(None), m.Message.processed_at.is_not(None))
                         .order_by(m.Message.id)).all()
        out = []
        for row in rows:
            parsed = parse_message(row.raw)
            subject = "" if isinstance(parsed, ParseFailure) else parsed.subject
            sender = "" if isinstance(parsed, ParseFailure) or parsed.sender is None else parsed.sender.email
            out.append({"id": row.id, "message_id": row.message_id, "from": sender, "subject": subject,
                        "folder": row.folder, "stage": row.error_stage, "error": row.error,
                        "at": iso(row.processed_at)})
        return out


def retry(app: App, which: str) -> int:
    """Clear the verdict so the next cycle processes the message again; `which` is an id or "all"."""
    with app.sessions.begin() as s:
        stmt = update(m.Message).where(m.Message.error.is_not(None), m.Message.processed_at.is_not(None))
        if which != "all":
            if not which.isdigit():
                raise ValueError(f"expected a message number from `refmail quarantine` or 'all', got {which!r}")
            stmt = stmt.where(m.Message.id == int(which))
        result = s.execute(stmt.values(processed_at=None, error=None, error_stage=None, kind=None,
                                                 outcome=None))
        return result.rowcount or 0  # type: ignore[attr-defined]
