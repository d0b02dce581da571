"""Issue 10: the prospect's zone from her Date headers, and the first moment mail may reach her."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from refmail.domain.parse import parse_message
from refmail.domain.rules import Rules
from refmail.domain.types import ParsedMessage
from refmail.domain.zones import Evidence, next_send_time_for, offset_minutes

PACIFIC = timezone(timedelta(hours=-8))


def dated(value: str) -> ParsedMessage:
    parsed = parse_message(f"From: c@example.net\r\nDate: {value}\r\nMessage-ID: <x@y>\r\n\r\nhi\r\n".encode())
    assert isinstance(parsed, ParsedMessage)
    return parsed


def test_offsets_from_the_date_header():
    assert offset_minutes(dated("Mon, 16 Nov 2026 01:00:00 -0800")) == -480
    assert offset_minutes(dated("Mon, 16 Nov 2026 01:00:00 +0530 (IST)")) == 330
    assert offset_minutes(dated("Mon, 16 Nov 2026 01:00:00 +0000")) == 0
    assert offset_minutes(dated("Mon, 16 Nov 2026 01:00:00 -0000")) is None  # RFC 5322: zone unknown
    assert offset_minutes(dated("Mon, 16 Nov 2026 01:00:00 GMT")) is None
    assert offset_minutes(dated("yesterday")) is None
    assert Evidence(-480, datetime(2026, 1, 1, tzinfo=UTC), 1).label == "UTC-08:00"


def test_her_morning_not_her_night():
    rules = Rules()
    at = datetime(2026, 11, 16, 9, 1, tzinfo=UTC)  # 01:01 in California
    assert next_send_time_for(at, rules, PACIFIC) == datetime(2026, 11, 16, 16, 0, tzinfo=UTC)
    assert next_send_time_for(at, rules, None) == at  # zone unknown: the owner's window, as before
    # Friday 18:00 UTC is Friday 10:00 hers, but the owner's window has closed: her next morning that is
    # also a business day for both is Monday.
    friday = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    assert next_send_time_for(friday, rules, PACIFIC) == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def test_zones_whose_windows_never_meet_use_hers():
    rules = Rules(timezone="Europe/London")
    sydney = timezone(timedelta(hours=11))
    sent = next_send_time_for(datetime(2026, 11, 16, 9, 1, tzinfo=UTC), rules, sydney)
    assert sent.astimezone(sydney).hour == 8 and sent == datetime(2026, 11, 16, 21, 0, tzinfo=UTC)
