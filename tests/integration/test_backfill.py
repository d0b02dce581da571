"""Backfill at the speed of the wire (issue 9): no per-cycle cap strands mail; SQLite commits without an fsync each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from refmail.app import process
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.store import models as m
from refmail.wiring import build_app

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path):  # type: ignore[no-untyped-def]
    env = {"REFMAIL_OWNER": "Olivia Owner <owner@example.com>", "REFMAIL_ASSISTANT": "assistant@example.com",
           "REFMAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "REFMAIL_DATA_DIR": str(tmp_path)}
    return build_app(load_settings(environ=env), clock=FixedClock(NOW))


def test_one_cycle_reads_a_backlog_larger_than_a_page_to_the_end(app):
    count = 1_007  # past a page of 1,000 (once also the cap of a cycle, which stranded the rest)
    with app.sessions.begin() as s:
        for i in range(count):
            raw = (f"From: news{i}@example.org\r\nTo: assistant@example.com\r\nSubject: note {i}\r\n"
                   f"Message-ID: <n{i}@example.org>\r\nList-Id: <news.example.org>\r\n\r\nhello\r\n").encode()
            s.add(m.Message(message_id=f"n{i}@example.org", account="assistant@example.com", folder="INBOX",
                            source="intake", uid=i + 1, raw=raw, received_at=NOW))
    assert process.process_pending(app, NOW) == count
    with app.sessions() as s:
        assert s.scalar(select(func.count()).select_from(m.Message).where(m.Message.processed_at.is_(None))) == 0


def test_sqlite_runs_wal_with_synchronous_normal(app):
    with app.sessions() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL: sync at checkpoints, not per commit
