"""One connection per mailbox, kept (issue 9): an idle poll is one STATUS per watched folder, no new login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from refmail.app.kept import KeptMailboxes
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.daemon import run_once
from refmail.demo import world_env
from refmail.domain.types import Person
from refmail.wiring import build_app
from tests.tap import Tap

pytestmark = pytest.mark.integration
MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def test_idle_polls_on_kept_connections_are_status_only(mail_world, tmp_path):
    suffix = tmp_path.name[-12:].lower()
    owner, assistant = Person("Olivia Owner", f"owner-{suffix}@example.com"), f"assistant-{suffix}@example.com"
    mail_world.add_user(owner.email)
    mail_world.add_user(assistant)
    tap = Tap(mail_world.imap_host, mail_world.imap_port)
    try:
        env = world_env(mail_world, owner, assistant, tmp_path)
        env["REFMAIL_IMAP_PORT"] = str(tap.port)
        app = build_app(load_settings(environ=env), clock=FixedClock(MONDAY))
        kept = KeptMailboxes.open(app)
        try:
            run_once(app, MONDAY, kept)  # first cycle: logins, capabilities, the folder list
            run_once(app, MONDAY + timedelta(minutes=1), kept)
            before = tap.snapshot()
            report = run_once(app, MONDAY + timedelta(minutes=2), kept)
            idle = tap.snapshot().minus(before)
        finally:
            kept.close()
    finally:
        tap.close()
    assert report.problems == ()
    # Three watched folders (intake INBOX, her INBOX, her Sent): three STATUS commands, nothing else.
    assert idle.connections == 0, idle
    verbs = [c.split(b" ")[1].upper() for c in idle.commands]
    assert verbs == [b"STATUS"] * 3, idle.commands
    assert idle.round_trips == 3
