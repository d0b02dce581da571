"""A message that lost a race with another worker is retried once, then quarantined; never silently dropped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
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


def _three_messages(app):  # type: ignore[no-untyped-def]
    with app.sessions.begin() as s:
        for i in (2, 3):
            s.add(m.Message(message_id=f"{i}@x", account="o", folder="INBOX", source="intake", uid=i,
                            raw=f"From: a@x\r\nMessage-ID: <{i}@x>\r\n\r\nhello {i}\r\n".encode(), received_at=NOW))


def failing_on(message_id: str, exc: Exception):  # type: ignore[no-untyped-def]
    real = process.handle

    def handle(s, app, row, now):  # type: ignore[no-untyped-def]
        if row.message_id == message_id:
            raise exc
        return real(s, app, row, now)

    return handle


def test_a_failure_inside_a_batch_costs_only_its_own_message(app, monkeypatch):
    """Messages share a transaction; one that fails is quarantined as if alone, and the rest of its batch is kept."""
    _three_messages(app)
    monkeypatch.setattr(process, "handle", failing_on("2@x", RuntimeError("a bug")))
    assert process.process_pending(app, NOW) == 2
    with app.sessions() as s:
        rows = {r.message_id: r for r in s.query(m.Message)}
        assert rows["a@x"].processed_at == NOW and rows["3@x"].processed_at == NOW
        assert rows["a@x"].error is None and rows["3@x"].error is None
        assert rows["2@x"].processed_at == NOW and rows["2@x"].error_stage == "process"
        assert "RuntimeError: a bug" in rows["2@x"].error and rows["2@x"].raw


def test_a_conflict_inside_a_batch_is_retried_next_cycle_alone(app, monkeypatch):
    _three_messages(app)
    monkeypatch.setattr(process, "handle", failing_on("2@x", IntegrityError("INSERT", {}, Exception("duplicate key"))))
    assert process.process_pending(app, NOW) == 2
    with app.sessions() as s:
        row = s.scalars(select(m.Message).where(m.Message.message_id == "2@x")).one()
        assert row.processed_at is None and row.error_stage == "conflict"
    monkeypatch.undo()
    assert process.process_pending(app, NOW) == 1
    with app.sessions() as s:
        assert all(r.processed_at == NOW for r in s.query(m.Message))
