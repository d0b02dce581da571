"""Nothing vanishes: a different message reusing a known Message-ID is kept, quarantined and listed (issue 9)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from refmail.app import quarantine
from refmail.app.ingest import Watch, poll_folder
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.store import models as m
from refmail.wiring import build_app
from tests.fixtures_mail import make_mail

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path):  # type: ignore[no-untyped-def]
    env = {"REFMAIL_OWNER": "owner@example.com", "REFMAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
           "REFMAIL_DATA_DIR": str(tmp_path)}
    return build_app(load_settings(environ=env), clock=FixedClock(NOW))


def _intro(user: str, message_id: str):  # type: ignore[no-untyped-def]
    return make_mail("alice@example.org", [user, "carol@example.net"], "Intro: Olivia <> Carol", message_id=message_id)


def test_a_second_different_message_with_a_known_message_id_is_kept_and_listed(app, mail_world, fresh_user, imap_for):
    box = imap_for(fresh_user)
    watch = Watch(fresh_user, "INBOX", "intake")
    intro = _intro(fresh_user, "intro-1@example.org")
    mail_world.deliver(fresh_user, intro.data)
    assert poll_folder(app, box, watch, NOW) == 1

    mail_world.deliver(fresh_user, intro.data)  # another copy of the same message: nothing new
    forged = make_mail("mallory@example.org", [fresh_user], "send", body="send\n", message_id="intro-1@example.org")
    mail_world.deliver(fresh_user, forged.data)
    mail_world.deliver(fresh_user, forged.data)  # and a copy of that one: kept once
    assert poll_folder(app, box, watch, NOW) == 1

    with app.sessions() as s:
        rows = list(s.scalars(select(m.Message).order_by(m.Message.id)))
    assert [r.message_id for r in rows][0] == "intro-1@example.org"
    assert len(rows) == 2
    second = rows[1]
    assert second.message_id.startswith("intro-1@example.org.refmail-reused-")
    assert b"mallory@example.org" in second.raw
    listed = quarantine.listing(app)
    assert [(r["message_id"], r["from"], r["stage"]) for r in listed] == [
        (second.message_id, "mallory@example.org", "reused_id")]
    assert "intro-1@example.org" in listed[0]["error"]

    assert poll_folder(app, box, watch, NOW) == 0  # idle again: nothing stored twice


def test_two_copies_of_a_new_message_in_one_poll_are_stored_once(app, mail_world, fresh_user, imap_for):
    """Intake looks Message-IDs up once per batch: a copy later in the same batch still finds the first."""
    intro = _intro(fresh_user, "twice@example.org")
    mail_world.deliver(fresh_user, intro.data)
    mail_world.deliver(fresh_user, intro.data)
    assert poll_folder(app, imap_for(fresh_user), Watch(fresh_user, "INBOX", "intake"), NOW) == 1
    with app.sessions() as s:
        assert [r.message_id for r in s.scalars(select(m.Message))] == ["twice@example.org"]
        assert s.get(m.FolderCheckpoint, (fresh_user, "INBOX")).last_uid == 2
