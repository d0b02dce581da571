"""Issue 10: a prospect whose mail says -0800 gets the first touch in her morning, not at 03:00 her time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from tests.e2e.harness import message

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
PACIFIC = timezone(timedelta(hours=-8))


def test_first_touch_waits_for_the_prospects_morning(cast):
    # Weeks earlier (past the look-back for late intros) Carol wrote to Olivia from California: -0800.
    earlier = datetime(2026, 10, 27, 10, 30, tzinfo=PACIFIC)
    cast.cycle(earlier.astimezone(UTC) - timedelta(minutes=1))  # refmail watches her inbox from here on
    cast.send(message(cast.prospect, [cast.owner], "Quick question about pricing", "Hi Olivia, ...\n", earlier))
    cast.cycle(earlier.astimezone(UTC) + timedelta(minutes=1))

    cast.introduce(MON - timedelta(minutes=30))
    cast.cycle(MON)
    [first] = [d for d in cast.cli_json("drafts", now=MON) if d["kind"] == "first_touch"]
    cast.cli("approve", first["id"], now=MON + timedelta(minutes=1))
    # 09:02 UTC is 01:02 in California; 11:00 UTC is 03:00 there: inside Olivia's window, not Carol's.
    for at in (MON + timedelta(minutes=2), datetime(2026, 11, 16, 11, 0, tzinfo=UTC),
               datetime(2026, 11, 16, 15, 59, tzinfo=UTC)):
        cast.cycle(at)
        assert cast.from_refmail(cast.prospect) == [], at
    cast.cycle(datetime(2026, 11, 16, 16, 0, tzinfo=UTC))
    [sent] = cast.from_refmail(cast.prospect)
    arrived = parsedate_to_datetime(sent["Date"]).astimezone(PACIFIC)
    assert arrived.hour == 8 and arrived.date().isoformat() == "2026-11-16"

    shown = cast.cli_json("show", first["referral_id"], now=datetime(2026, 11, 16, 16, 1, tzinfo=UTC))
    assert shown["time_zone"]["zone"] == "UTC-08:00"
    assert "Date header of mail the prospect wrote" in shown["time_zone"]["why"]
    assert any("prospect's time zone (UTC-08:00)" in t["text"] for t in shown["timeline"])
    text = cast.cli("show", first["referral_id"], now=datetime(2026, 11, 16, 16, 1, tzinfo=UTC)).stdout
    assert "time zone: UTC-08:00" in text


def test_without_her_zone_the_owners_window_decides(cast):
    cast.introduce(MON - timedelta(minutes=30))
    cast.cycle(MON)
    [first] = [d for d in cast.cli_json("drafts", now=MON) if d["kind"] == "first_touch"]
    cast.cli("approve", first["id"], now=MON + timedelta(minutes=1))
    cast.cycle(MON + timedelta(minutes=2))
    assert len(cast.from_refmail(cast.prospect)) == 1
    shown = cast.cli_json("show", first["referral_id"], now=MON + timedelta(minutes=3))
    assert shown["time_zone"]["zone"] == "UTC" and "yours" in shown["time_zone"]["why"]
