"""Issue 9.7: the day's digest is not lost to a failed first poll, nor to an idle worker deciding
"nothing to say" while another worker is still reading that morning's mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from refmail.app import ingest, process
from refmail.store import models as m
from tests.e2e.harness import Cast, together, workers as _workers

pytestmark = pytest.mark.e2e
MONDAY_8 = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def digests(cast: Cast) -> list:  # type: ignore[type-arg]
    return [msg for msg in cast.inbox(cast.owner) if str(msg["Subject"]).startswith("[refmail] Digest")]


def text_of(msg) -> str:  # type: ignore[no-untyped-def]
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


DOWN = {"REFMAIL_INTAKE_IMAP_PASSWORD": "not-the-password", "REFMAIL_IMAP_PASSWORD": "not-the-password"}


def imap_down(cast: Cast, down: bool) -> None:
    """The IMAP server refuses refmail (both mailboxes) until told otherwise; SMTP still works."""
    for key, value in DOWN.items():
        if down:
            cast.env_overrides[key] = value
        else:
            cast.env_overrides.pop(key, None)


def workers(cast: Cast, url: str, n: int):  # type: ignore[no-untyped-def]
    return _workers(cast, url, n, MONDAY_8)


def test_the_digest_is_sent_after_a_failed_first_poll(cast):
    cast.cycle(MONDAY_8 - timedelta(hours=1))
    cast.introduce(MONDAY_8 - timedelta(minutes=5))
    imap_down(cast, True)  # at 08:00
    failed = cast.cli("run", "--once", now=MONDAY_8, check=False)
    assert failed.returncode == 1 and "polling" in failed.stderr
    assert digests(cast) == []  # nothing to say *yet*: not decided on a poll that failed
    imap_down(cast, False)
    cast.cycle(MONDAY_8 + timedelta(minutes=5))
    cast.cycle(MONDAY_8 + timedelta(minutes=10))
    [digest] = digests(cast)
    assert "AWAITING YOUR APPROVAL (2)" in text_of(digest)


def test_a_digest_with_nothing_to_say_is_skipped_after_the_wait(cast):
    """The wait has an end: with the intake down all morning, 'nothing to say' is decided at 10:00."""
    imap_down(cast, True)
    for minutes in (0, 60, 119, 121, 180):
        cast.cli("run", "--once", now=MONDAY_8 + timedelta(minutes=minutes), check=False)
    imap_down(cast, False)
    cast.introduce(MONDAY_8 + timedelta(hours=4))
    cast.cycle(MONDAY_8 + timedelta(hours=4, minutes=1))
    assert digests(cast) == []  # decided at 10:01; the news waits for Tuesday's
    cast.cycle(MONDAY_8 + timedelta(days=1))
    assert len(digests(cast)) == 1


def test_four_postgres_workers_send_the_digest_once_after_the_mornings_mail_is_read(mail_world, tmp_path, pg_url):
    cast = Cast.new(mail_world, tmp_path)
    apps = workers(cast, pg_url, 4)
    together(apps, MONDAY_8 - timedelta(hours=1))
    cast.introduce(MONDAY_8 - timedelta(minutes=5))

    # Worker 0 has read the intro off IMAP and is processing it (its row lock is the claim) ...
    reader = apps[0]
    owner, intake = reader.open_owner_mailbox(), reader.open_intake_mailbox()
    assert ingest.poll_all(reader, owner, intake, MONDAY_8) >= 1
    owner.close()
    intake.close()
    with reader.sessions.begin() as s:
        held = s.scalars(select(m.Message).where(m.Message.processed_at.is_(None))
                         .with_for_update()).all()
        assert held
        # ... while the three idle workers run their 08:00 cycle: none may call the day empty.
        together(apps[1:], MONDAY_8)
        assert digests(cast) == []
    process.process_pending(reader, MONDAY_8)

    for minute in (1, 2, 3):
        together(apps, MONDAY_8 + timedelta(minutes=minute))
    [monday] = digests(cast)
    assert "AWAITING YOUR APPROVAL (2)" in text_of(monday)

    for minute in (30, 60):
        together(apps, MONDAY_8 + timedelta(minutes=minute))
    assert len(digests(cast)) == 1


def test_four_postgres_workers_starting_together_on_the_mornings_mail_send_one_digest_with_it(
        mail_world, tmp_path, pg_url):
    cast = Cast.new(mail_world, tmp_path)
    apps = workers(cast, pg_url, 4)
    together(apps, MONDAY_8 - timedelta(hours=1))
    cast.introduce(MONDAY_8 - timedelta(minutes=1))  # the only news of the day, just in
    for minute in (0, 1, 2, 3):
        together(apps, MONDAY_8 + timedelta(minutes=minute))
    [digest] = digests(cast)
    assert "AWAITING YOUR APPROVAL (2)" in text_of(digest)
