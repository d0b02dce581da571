"""Shadow mode's pieces without a server: the period, the replay mailbox's prefix rule, the ticks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from refmail.clock import FixedClock
from refmail.mail.replay import ReplayMailbox, dated
from refmail.shadow import TICK, _ticks, parse_period

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, days", [("90d", 90), ("12w", 84), ("3m", 90), ("30", 30), (" 7D ", 7)])
def test_periods(text: str, days: int) -> None:
    assert parse_period(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["", "0d", "-3d", "ninety", "3y", "d"])
def test_bad_periods_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="90d"):
        parse_period(text)


def raw(at: datetime | None, n: int) -> bytes:
    date = f"Date: {at:%a, %d %b %Y %H:%M:%S +0000}\r\n" if at else ""
    return f"Message-ID: <m{n}@x>\r\n{date}Subject: {n}\r\n\r\nbody\r\n".encode()


def test_mail_shows_when_the_clock_reaches_it_and_uids_follow_time() -> None:
    clock = FixedClock(T0)
    box = ReplayMailbox(clock.now)
    # Filed out of time order (a late-imported message): UIDs are given in time order anyway.
    box.add("INBOX", T0 + timedelta(hours=2), raw(T0, 2))
    box.add("INBOX", T0 + timedelta(hours=1), raw(T0, 1))
    box.seal()
    assert box.status("INBOX").uidnext == 1 and list(box.fetch_new("INBOX", 0)) == []
    clock.at = T0 + timedelta(hours=1)
    assert [m.raw for m in box.fetch_new("INBOX", 0)] == [raw(T0, 1)]
    clock.at = T0 + timedelta(hours=3)
    assert box.status("INBOX").uidnext == 3
    assert [(m.uid, m.raw) for m in box.fetch_new("INBOX", 1)] == [(2, raw(T0, 2))]
    skipped = list(box.fetch_new("INBOX", 0, wanted=lambda header: False))
    assert [m.skipped for m in skipped] == [True, True]


def test_what_refmail_would_file_is_kept_apart_from_her_mail() -> None:
    box = ReplayMailbox(FixedClock(T0).now)
    box.append("Sent", b"x", T0)
    assert box.appended == [("Sent", b"x")] and box.status("Sent").uidnext == 1


def test_a_message_without_a_date_plays_at_the_fallback() -> None:
    assert dated(raw(None, 1), T0) == T0
    assert dated(raw(T0 + timedelta(days=1), 1), T0) == T0 + timedelta(days=1)


def test_ticks_round_up_and_end_at_the_end() -> None:
    box = ReplayMailbox(FixedClock(T0).now)
    for minutes in (0, 1, 4, 5, 7):
        box.add("INBOX", T0 + timedelta(minutes=minutes), raw(T0, minutes))
    end = T0 + timedelta(days=1)
    assert _ticks(box, end) == [T0, T0 + TICK, T0 + 2 * TICK, end]
