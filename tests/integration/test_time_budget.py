"""A message whose reading still takes longer than rules.yaml's time budget is quarantined, not acted on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from refmail.app import process, quarantine
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.store import models as m
from refmail.wiring import build_app

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
INTRO = (b"From: Alice Source <alice@example.org>\r\nTo: Olivia Owner <owner@example.com>, "
         b"Carol Prospect <carol@example.net>\r\nCc: assistant@example.com\r\nSubject: Intro: Olivia <> Carol\r\n"
         b"Message-ID: <slow-intro@example.org>\r\nDate: Mon, 16 Nov 2026 08:00:00 +0000\r\n\r\n"
         b"Olivia, meet Carol. Carol runs a bakery and wants to talk. Carol, Olivia is great.\r\n")


class SlowCpu:
    """A CPU clock where every reading costs `step` seconds: reading any message runs over budget."""

    def __init__(self, step: float) -> None:
        self.at, self.step = 0.0, step

    def __call__(self) -> float:
        self.at += self.step
        return self.at


def _app(tmp_path, cpu):  # type: ignore[no-untyped-def]
    env = {"REFMAIL_OWNER": "Olivia Owner <owner@example.com>", "REFMAIL_ASSISTANT": "assistant@example.com",
           "REFMAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "REFMAIL_DATA_DIR": str(tmp_path)}
    app = build_app(load_settings(environ=env), clock=FixedClock(NOW))
    app.cpu = cpu
    with app.sessions.begin() as s:
        s.add(m.Message(message_id="slow-intro@example.org", account="assistant@example.com", folder="INBOX",
                        source="intake", uid=1, raw=INTRO, received_at=NOW))
    return app


def test_over_budget_message_is_quarantined_listed_and_acts_on_nothing(tmp_path):
    app = _app(tmp_path, SlowCpu(step=3.0))  # default budget 5 s: the second reading is already past it
    assert process.process_pending(app, NOW) == 1
    with app.sessions() as s:
        row = s.scalars(select(m.Message)).one()
        assert row.error_stage == "budget" and "time budget" in (row.error or "")
        assert row.processed_at is not None and row.referral_id is None
        assert s.scalars(select(m.Referral)).all() == []
    listed = quarantine.listing(app)
    assert [r["message_id"] for r in listed] == ["slow-intro@example.org"] and listed[0]["stage"] == "budget"


def test_within_budget_the_same_intro_becomes_a_referral(tmp_path):
    app = _app(tmp_path, SlowCpu(step=0.001))
    process.process_pending(app, NOW)
    with app.sessions() as s:
        row = s.scalars(select(m.Message)).one()
        assert row.error is None and row.referral_id is not None
