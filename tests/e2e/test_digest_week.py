"""Issue 5: over a simulated week of daemon cycles (each a fresh process), one digest per business day."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from tests.e2e.harness import Cast

pytestmark = pytest.mark.e2e
SUNDAY = datetime(2026, 11, 15, 20, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 16, tzinfo=UTC)
HOURS = (7, 8, 12, 17)  # cycles each day: before, at, and after the 08:00 digest


def digests(cast: Cast) -> list:
    return [m for m in cast.inbox(cast.owner) if str(m["Subject"]).startswith("[refmail] Digest")]


def text_of(msg) -> str:  # type: ignore[no-untyped-def]
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_one_digest_per_business_day_over_a_week_with_restarts(cast):
    cast.introduce(SUNDAY - timedelta(minutes=5))
    cast.cycle(SUNDAY)
    assert digests(cast) == []  # Sunday: not a business day
    first = next(d for d in cast.cli_json("drafts", now=SUNDAY) if d["kind"] == "first_touch")

    for day in range(7):
        base = MONDAY + timedelta(days=day)
        for hour in HOURS:
            at = base + timedelta(hours=hour)
            if day == 2 and hour == 8:
                # Two workers race for Wednesday's digest: the day's row lets one through. Two processes, as
                # in production: the in-process CLI swaps os.environ, which two threads cannot share.
                racers = [threading.Thread(target=cast.cli_subprocess, args=("run", "--once"), kwargs={"now": at})
                          for _ in range(2)]
                for r in racers:
                    r.start()
                for r in racers:
                    r.join()
            else:
                cast.cycle(at)
            if day == 1 and hour == 12:
                cast.cli("approve", first["id"], now=at)

    got = digests(cast)
    days = [parsedate_to_datetime(m["Date"]) for m in got]
    assert days == [MONDAY + timedelta(days=d, hours=8) for d in range(5)], days
    assert len({m["Message-ID"] for m in got}) == 5
    for msg in got:
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert cast.assistant in msg["From"] and msg["To"] == cast.owner.formatted()

    monday, tuesday, wednesday = (text_of(m) for m in got[:3])
    assert "AWAITING YOUR APPROVAL (2)" in monday and f"refmail approve {first['id']}" in monday
    assert "due Tue 17 Nov 08:00" in monday  # the first touch: one business day after Sunday's intro
    assert "REFERRAL SOURCES" in monday and "Alice Source" in monday
    assert "AWAITING YOUR APPROVAL (2)" in tuesday and "SENT SINCE" not in tuesday
    # Approved Tuesday noon, sent in that cycle: Wednesday's digest says so, and only it.
    assert "AWAITING YOUR APPROVAL (1)" in wednesday
    assert "SENT SINCE THE LAST DIGEST (1)" in wednesday and "Alice Source suggested we connect" in wednesday
    assert all("SENT SINCE" not in text_of(m) for m in got[3:])


def test_nothing_to_say_means_no_digest_unless_the_rule_asks(mail_world, tmp_path):
    quiet = Cast.new(mail_world, tmp_path / "quiet")
    (tmp_path / "quiet").mkdir()
    for hour in (8, 9):
        quiet.cycle(MONDAY + timedelta(hours=hour))
    assert digests(quiet) == []

    rules = tmp_path / "rules.yaml"
    rules.write_text("digest:\n  time: '07:30'\n  send_when_empty: true\n  business_days_only: false\n")
    eager = Cast.new(mail_world, tmp_path / "eager", REFMAIL_RULES=str(rules))
    (tmp_path / "eager").mkdir()
    eager.cycle(MONDAY + timedelta(hours=7, minutes=29))
    assert digests(eager) == []
    for at in (MONDAY + timedelta(hours=7, minutes=30), MONDAY + timedelta(hours=9),
               MONDAY - timedelta(days=1) + timedelta(hours=10)):  # and Sunday, by that rule
        eager.cycle(at)
    got = digests(eager)
    assert len(got) == 2
    assert "nothing new" in str(got[0]["Subject"])


def test_digest_send_and_print_from_the_command_line(cast):
    cast.introduce(MONDAY + timedelta(hours=6))
    cast.cycle(MONDAY + timedelta(hours=6, minutes=5))
    printed = cast.cli("digest", "--print", now=MONDAY + timedelta(hours=6, minutes=6)).stdout
    assert printed.startswith("Hi Olivia,") and "AWAITING YOUR APPROVAL (2)" in printed
    assert digests(cast) == []  # printing sends nothing
    cast.cli("digest", "--send", now=MONDAY + timedelta(hours=6, minutes=7))
    assert len(digests(cast)) == 1
    cast.cycle(MONDAY + timedelta(hours=8))  # today's digest already went out
    assert len(digests(cast)) == 1
