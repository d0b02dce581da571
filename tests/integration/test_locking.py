"""Workers sharing PostgreSQL take a referral's lock before its drafts: no deadlock, no send after a reply."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from refmail.app import decide, report, send
from refmail.app.intake import take_intro
from refmail.app.transitions import apply
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.domain import lifecycle as lc
from refmail.domain.outbox import DraftEvent
from refmail.domain.types import Kind, ParsedMessage, Person, Understanding
from refmail.store import queries as q
from refmail.wiring import build_app
from tests.fakes import Outbox, at_once

pytestmark = pytest.mark.integration
MON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALICE = Person("Alice Source", "alice@example.org")


def worker(url: str, name: str):  # type: ignore[no-untyped-def]
    env = {"REFMAIL_OWNER": "Olivia Owner <owner@example.com>", "REFMAIL_DATABASE_URL": url,
           "REFMAIL_SECRET": "0123456789abcdef0123456789abcdef"}
    app = build_app(load_settings(environ=env), clock=FixedClock(MON))
    app.worker_id = name
    return app


def introduce(app, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """n referrals, each with its first touch and thank-you approved: two drafts per referral to race on."""
    for i in range(n):
        carol = Person(f"Carol {i}", f"carol{i}@example.net")
        parsed = ParsedMessage(f"intro-{i}@example.org", "Intro", ALICE, (carol,), (), (), MON, None, (), (), "")
        with app.sessions.begin() as s:
            take_intro(s, app, parsed, Understanding(Kind.INTRO, 1.0, referrer=ALICE, prospects=(carol,)), MON)
    ids = [d["id"] for d in report.drafts(app)]
    for draft_id in ids:
        decide.decide_by_id(app, draft_id, DraftEvent.APPROVED, "test")
    return ids


def test_two_workers_sending_drafts_of_the_same_referrals_neither_deadlock_nor_double(pg_url):
    apps = [worker(pg_url, "w0"), worker(pg_url, "w1")]
    ids = introduce(apps[0], 12)
    transport = Outbox()
    errors = at_once(*(lambda app=app: send.send_ready(app, transport, None, MON) for app in apps))
    assert not errors, errors
    assert len(transport.sent) == len({m.message_id for m in transport.sent}) == len(ids) == 24
    assert {d["status"] for d in report.drafts(apps[0], include_all=True)} == {"sent"}
    assert {r["state"] for r in report.referrals(apps[0])} == {"contacted"}


def test_a_reply_being_recorded_holds_the_send_and_then_withdraws_it(pg_url):
    app = worker(pg_url, "w0")
    introduce(app, 1)
    referral_id = report.referrals(app)[0]["id"]
    transport = Outbox()
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            send.send_ready(app, transport, None, MON)
        except BaseException as exc:
            errors.append(exc)

    with app.sessions.begin() as s:  # another worker recording the prospect's reply, not yet committed
        ref = q.lock_referral(s, referral_id)
        assert ref is not None
        apply(s, app, ref, lc.ProspectReplied(do_not_contact=False), MON)
        thread = threading.Thread(target=sender)
        thread.start()
        assert _someone_waits_for_a_lock(pg_url), "the send should wait for the referral's lock"
        assert transport.sent == []
    thread.join(timeout=60)
    assert not errors, errors
    # The first touch was withdrawn by the reply; only the thank-you to the referrer may still go.
    assert [m.recipients for m in transport.sent] == [(ALICE.email,)]
    first = next(d for d in report.drafts(app, include_all=True) if d["kind"] == "first_touch")
    assert first["status"] == "cancelled"


def _someone_waits_for_a_lock(url: str, within_seconds: float = 20.0) -> bool:
    """Poll PostgreSQL's own view of who is blocked (no fixed sleep: it returns as soon as it sees it)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    deadline = time.monotonic() + within_seconds
    try:
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                waiting = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar()
                conn.commit()
                if waiting:
                    return True
                time.sleep(0.02)
    finally:
        engine.dispose()
    return False
