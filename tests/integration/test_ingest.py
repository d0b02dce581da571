"""Intake on real Dovecot: incremental, idempotent by Message-ID, headers first, bodies only where needed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

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
    env = {"REFMAIL_OWNER": "owner@example.com", "REFMAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    return build_app(load_settings(environ=env), clock=FixedClock(NOW))


def stored(app) -> list[m.Message]:  # type: ignore[no-untyped-def]
    with app.sessions() as s:
        return list(s.scalars(select(m.Message).order_by(m.Message.uid)))


def test_poll_is_incremental_idempotent_and_skips_bodies_it_does_not_need(app, mail_world, fresh_user, imap_for):
    box = imap_for(fresh_user)
    watch = Watch(fresh_user, "INBOX", "intake")
    assert poll_folder(app, box, watch, NOW) == 0  # empty folder: nothing fetched

    hello = make_mail("alice@example.org", [fresh_user], "Hello")
    mail_world.deliver(fresh_user, hello.data)
    mail_world.deliver(fresh_user, hello.data)  # the same Message-ID twice
    ours = make_mail("owner@example.com", [fresh_user], "Our own copy")
    mail_world.deliver(fresh_user, ours.data.replace(b"Subject:", b"X-Refmail: first_touch\r\nSubject:", 1))
    assert poll_folder(app, box, watch, NOW) == 1
    rows = stored(app)
    assert [r.message_id for r in rows] == [hello.message_id]
    assert rows[0].raw.endswith(b"Hi there.\r\n")

    with app.sessions() as s:
        cp = s.get(m.FolderCheckpoint, (fresh_user, "INBOX"))
        assert cp is not None and cp.last_uid == 3 and cp.lease_owner is None

    assert poll_folder(app, box, watch, NOW) == 0  # idle: one STATUS, no fetch
    later = make_mail("carol@example.net", [fresh_user], "Later")
    mail_world.deliver(fresh_user, later.data)
    assert poll_folder(app, box, watch, NOW) == 1
    with app.sessions() as s:
        assert s.scalar(select(func.count()).select_from(m.Message)) == 2
    # Fetching never marked anything \\Seen in the owner's mailbox.
    client = mail_world.imap(fresh_user)
    try:
        client.select_folder("INBOX", readonly=True)
        assert client.search(["SEEN"]) == []
    finally:
        client.logout()


def test_a_folder_leased_by_another_worker_is_left_alone(app, mail_world, fresh_user, imap_for):
    from datetime import timedelta

    box = imap_for(fresh_user)
    watch = Watch(fresh_user, "INBOX", "intake")
    mail_world.deliver(fresh_user, make_mail("alice@example.org", [fresh_user]).data)
    with app.sessions.begin() as s:
        s.add(m.FolderCheckpoint(account=fresh_user, folder="INBOX", uidvalidity=0, last_uid=0,
                                 lease_owner="someone-else", lease_until=NOW + timedelta(minutes=5)))
    assert poll_folder(app, box, watch, NOW) == 0
    assert poll_folder(app, box, watch, NOW + timedelta(minutes=6)) == 1  # the lease ran out


def test_the_owners_own_folders_start_at_their_first_poll(app, mail_world, fresh_user, imap_for):
    """Years of her mail are not intros to act on: only what arrives after refmail starts watching."""
    box = imap_for(fresh_user)
    watch = Watch(fresh_user, "INBOX", "inbox", read_history=False)
    mail_world.deliver(fresh_user, make_mail("old@example.org", [fresh_user], "Last year").data)
    assert poll_folder(app, box, watch, NOW) == 0
    new = make_mail("carol@example.net", [fresh_user], "New")
    mail_world.deliver(fresh_user, new.data)
    assert poll_folder(app, box, watch, NOW) == 1
    assert [r.message_id for r in stored(app)] == [new.message_id]


def _dated(sender: str, to: str, subject: str, when: datetime) -> bytes:
    from email.utils import format_datetime

    data = make_mail(sender, [to], subject).data
    return f"Date: {format_datetime(when)}\r\n".encode() + data


def test_a_new_uidvalidity_on_her_folder_never_brings_her_old_mail_back(app, mail_world, fresh_user, imap_for):
    box = imap_for(fresh_user)
    client = mail_world.imap(fresh_user)
    client.create_folder("Archive")
    watch = Watch(fresh_user, "Archive", "inbox", read_history=False)
    assert poll_folder(app, box, watch, NOW) == 0  # first sight: from now on
    mail_world.deliver(fresh_user, _dated("carol@example.net", fresh_user, "Before the rebuild", NOW), "Archive")
    assert poll_folder(app, box, watch, NOW) == 1
    # The server rebuilds the folder: same mail plus her history, new UIDVALIDITY.
    client.select_folder("INBOX")
    client.delete_folder("Archive")
    client.create_folder("Archive")
    client.logout()
    box.close()
    old = _dated("carol@example.net", fresh_user, "Re: lunch in 2023", datetime(2023, 5, 2, 10, 0, tzinfo=UTC))
    new = _dated("carol@example.net", fresh_user, "Re: your note", NOW)
    for data in (old, new):
        mail_world.deliver(fresh_user, data, "Archive")
    assert poll_folder(app, imap_for(fresh_user), watch, NOW) == 1
    assert [r.raw.count(b"Re: your note") for r in stored(app)][-1] == 1
    assert not any(b"lunch in 2023" in r.raw for r in stored(app))
