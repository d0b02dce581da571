"""A message that lost a race with another worker is retried once, then quarantined; never silently dropped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from refmail.app import process
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.store import models as m
from refmail.wiring import build_app

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(sqlite_url):  # type: ignore[no-untyped-def]
    app = build_app(load_settings(environ={"REFMAIL_OWNER": "owner@example.com", "REFMAIL_DATABASE_URL": sqlite_url}),
                    clock=FixedClock(NOW))
    with app.sessions.begin() as s:
        s.add(m.Message(message_id="a@x", account="o", folder="INBOX", source="intake", uid=1,
                        raw=b"From: a@x\r\n\r\nhello\r\n", received_at=NOW))
    return app


def conflicting(times: int):  # type: ignore[no-untyped-def]
    real = process.handle
    calls = {"n": 0}

    def handle(s, app, row, now):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] <= times:
            raise IntegrityError("INSERT INTO referrals", {}, Exception("duplicate key"))
        return real(s, app, row, now)

    return handle


def message(app):  # type: ignore[no-untyped-def]
    with app.sessions() as s:
        return s.get(m.Message, 1)


def test_one_conflict_is_retried_next_cycle(app, monkeypatch):
    monkeypatch.setattr(process, "handle", conflicting(1))
    process.process_pending(app, NOW)
    assert message(app).processed_at is None and message(app).error_stage == "conflict"
    process.process_pending(app, NOW)
    row = message(app)
    assert row.processed_at == NOW and row.error is None


def test_two_conflicts_in_a_row_quarantine_the_message(app, monkeypatch):
    monkeypatch.setattr(process, "handle", conflicting(2))
    process.process_pending(app, NOW)
    process.process_pending(app, NOW)
    row = message(app)
    assert row.processed_at == NOW and row.error_stage == "process" and "IntegrityError" in row.error
    assert row.raw  # kept
