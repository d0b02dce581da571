"""The outbox's promises, with a fake of refmail's own Transport port: once, never on a guess, not too soon failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from refmail.app import decide, report, send
from refmail.app.intake import take_intro
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.domain.outbox import DraftEvent
from refmail.domain.types import Kind, OutgoingMail, ParsedMessage, Person, Understanding
from refmail.mail.ports import AmbiguousSendError, MailError, PermanentSendError
from refmail.wiring import build_app

pytestmark = pytest.mark.integration
FRI_EVENING = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
MON = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CAROL = Person("Carol Prospect", "carol@example.net")
ALICE = Person("Alice Source", "alice@example.org")


class Scripted:
    """Transport port fake: raises the scripted errors in turn, then accepts."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[OutgoingMail] = []
        self.calls = 0

    def send(self, mail: OutgoingMail) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(mail)

    def close(self) -> None:
        pass


@pytest.fixture
def app(sqlite_url):  # type: ignore[no-untyped-def]
    env = {"REFMAIL_OWNER": "Olivia Owner <owner@example.com>", "REFMAIL_DATABASE_URL": sqlite_url}
    app = build_app(load_settings(environ=env), clock=FixedClock(FRI_EVENING))
    parsed = ParsedMessage("intro-1@example.org", "Intro", ALICE, (CAROL,), (), (), FRI_EVENING, None, (), (), "")
    u = Understanding(Kind.INTRO, 1.0, referrer=ALICE, prospects=(CAROL,))
    with app.sessions.begin() as s:
        take_intro(s, app, parsed, u, FRI_EVENING)
    first = next(d for d in report.drafts(app) if d["kind"] == "first_touch")
    decide.decide_by_id(app, first["id"], DraftEvent.APPROVED, "test")
    app.first_id = first["id"]  # type: ignore[attr-defined]
    return app


def status(app) -> str:  # type: ignore[no-untyped-def]
    return next(d for d in report.drafts(app, include_all=True) if d["id"] == app.first_id)["status"]


def test_ambiguous_send_is_held_never_resent(app):
    transport = Scripted(AmbiguousSendError("lost after DATA"))
    assert send.send_ready(app, transport, None, MON) == 0
    assert status(app) == "uncertain"
    for minutes in (10, 60, 600):
        send.send_ready(app, transport, None, MON + timedelta(minutes=minutes))
    assert transport.calls == 1 and transport.sent == []


def test_retry_deadline_counts_from_the_first_attempt_not_the_approval(app):
    transport = Scripted(MailError("421 try later"))
    send.send_ready(app, transport, None, MON)  # 61.5 h after approval: still retried
    assert status(app) == "approved"
    assert send.send_ready(app, transport, None, MON + timedelta(minutes=10)) == 1
    assert status(app) == "sent" and len(transport.sent) == 1


def test_a_refused_sender_fails_the_draft_but_does_not_blame_the_prospect(app):
    transport = Scripted(PermanentSendError("553 sender rejected", {}))
    send.send_ready(app, transport, None, MON)
    assert status(app) == "failed"
    assert report.referrals(app)[0]["state"] == "awaiting_approval"


def test_a_refused_prospect_address_is_a_bounce(app):
    transport = Scripted(PermanentSendError("550 no such user", {CAROL.email: "550 5.1.1 unknown"}))
    send.send_ready(app, transport, None, MON)
    assert report.referrals(app)[0]["state"] == "bounced"


def test_a_draft_that_cannot_become_an_email_fails_alone_and_the_rest_still_go(app):
    from refmail.store import models as m

    thanks = next(d for d in report.drafts(app) if d["kind"] == "thank_source")
    decide.decide_by_id(app, thanks["id"], DraftEvent.APPROVED, "test")
    with app.sessions.begin() as s:  # what a junk Message-ID on a stranger's intro once led to
        s.get(m.Draft, app.first_id).in_reply_to = "x1@evil.test\r\n\tz"
    transport = Scripted()
    assert send.send_ready(app, transport, None, MON) == 1
    assert status(app) == "failed"
    assert [mail.recipients for mail in transport.sent] == [(ALICE.email,)]
