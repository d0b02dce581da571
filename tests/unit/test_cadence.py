"""Business days in the owner's zone: weekends, holidays, the send window and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from refmail.domain.cadence import (
    add_business_days,
    business_days_between,
    is_business_day,
    local_date,
    next_business_day,
    next_send_time,
    start_of_local_day,
)
from refmail.domain.rules import Rules, rules_from_mapping

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC_RULES = Rules()

# 2026-01-05 is a Monday; the week runs Mon 5 .. Sun 11.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 1, d) for d in range(5, 12))


def at(day: date, hh: int, mm: int = 0, zone: ZoneInfo | None = None) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone or UTC)


# ---- business days ------------------------------------------------------


def test_weekdays_are_business_days_weekends_are_not() -> None:
    cal = UTC_RULES.calendar
    assert [is_business_day(d, cal) for d in (MON, TUE, WED, THU, FRI, SAT, SUN)] == [True] * 5 + [False] * 2


def test_next_business_day_skips_the_weekend() -> None:
    cal = UTC_RULES.calendar
    assert next_business_day(THU, cal) == FRI
    assert next_business_day(FRI, cal) == MON + timedelta(days=7)
    assert next_business_day(SAT, cal) == MON + timedelta(days=7)


def test_custom_business_days() -> None:
    rules = rules_from_mapping({"calendar": {"business_days": ["sun", "mon", "tue", "wed", "thu"]}})
    assert not is_business_day(FRI, rules.calendar)
    assert is_business_day(SUN, rules.calendar)
    assert next_business_day(THU, rules.calendar) == SUN


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (at(MON, 9), 1, at(TUE, 9)),
        (at(MON, 9), 3, at(THU, 9)),
        (at(WED, 9), 3, at(MON + timedelta(days=7), 9)),  # Thu, Fri, (weekend), Mon
        (at(FRI, 9), 1, at(MON + timedelta(days=7), 9)),
        (at(MON, 9), 5, at(MON + timedelta(days=7), 9)),
        (at(MON, 9), 10, at(MON + timedelta(days=14), 9)),
        (at(SAT, 9), 1, at(MON + timedelta(days=7), 9)),  # a weekend start counts from the next business day
        (at(SUN, 23), 1, at(MON + timedelta(days=7), 23) + timedelta(hours=9)),  # Mon 23:00 -> Tue 08:00
    ],
)
def test_add_business_days_over_weekends(start: datetime, days: int, expected: datetime) -> None:
    assert add_business_days(start, days, UTC_RULES) == expected


def test_add_business_days_keeps_the_time_of_day_inside_the_window() -> None:
    assert add_business_days(at(MON, 14, 37), 2, UTC_RULES) == at(WED, 14, 37)


def test_add_business_days_moves_out_of_hours_into_the_window() -> None:
    assert add_business_days(at(MON, 6), 1, UTC_RULES) == at(TUE, 8)  # before opening: same day 08:00
    assert add_business_days(at(MON, 19), 1, UTC_RULES) == at(WED, 8)  # after closing: next opening
    assert add_business_days(at(FRI, 20), 1, UTC_RULES) == at(TUE + timedelta(days=7), 8)


def test_zero_days_means_as_soon_as_the_window_allows() -> None:
    assert add_business_days(at(TUE, 10), 0, UTC_RULES) == at(TUE, 10)
    assert add_business_days(at(TUE, 7), 0, UTC_RULES) == at(TUE, 8)
    assert add_business_days(at(TUE, 18), 0, UTC_RULES) == at(WED, 8)  # the window end is exclusive
    assert add_business_days(at(SAT, 10), 0, UTC_RULES) == at(MON + timedelta(days=7), 8)


def test_results_are_utc() -> None:
    rules = rules_from_mapping({"timezone": "Europe/Berlin"})
    result = add_business_days(at(MON, 9, zone=BERLIN), 1, rules)
    assert result.tzinfo is UTC
    assert result == at(TUE, 8)  # 09:00 CET = 08:00 UTC


# ---- holidays -----------------------------------------------------------


def test_a_holiday_from_the_list_is_skipped() -> None:
    rules = rules_from_mapping({"calendar": {"holidays": ["2026-01-06"]}})
    assert not is_business_day(TUE, rules.calendar)
    assert add_business_days(at(MON, 9), 1, rules) == at(WED, 9)
    assert add_business_days(at(MON, 9), 3, rules) == at(FRI, 9)
    assert next_send_time(at(TUE, 10), rules) == at(WED, 8)


def test_holidays_and_a_weekend_together() -> None:
    rules = rules_from_mapping({"calendar": {"holidays": ["2026-01-09", "2026-01-12"]}})  # Fri and next Mon
    assert add_business_days(at(THU, 9), 1, rules) == at(TUE + timedelta(days=7), 9)


def test_holiday_country_us_thanksgiving() -> None:
    rules = rules_from_mapping({"timezone": "America/New_York", "calendar": {"holiday_country": "US"}})
    thanksgiving = date(2026, 11, 26)
    assert thanksgiving.weekday() == 3
    assert not is_business_day(thanksgiving, rules.calendar)
    assert is_business_day(date(2026, 11, 27), rules.calendar)  # Black Friday is not a federal holiday
    wed = at(date(2026, 11, 25), 9, zone=NEW_YORK)
    assert add_business_days(wed, 1, rules) == at(date(2026, 11, 27), 9, zone=NEW_YORK)
    assert add_business_days(wed, 3, rules) == at(date(2026, 12, 1), 9, zone=NEW_YORK)
    assert next_send_time(at(thanksgiving, 10, zone=NEW_YORK), rules) == at(date(2026, 11, 27), 8, zone=NEW_YORK)


def test_holiday_country_across_new_year() -> None:
    rules = rules_from_mapping({"calendar": {"holiday_country": "DE"}})
    # Thu 2026-12-31 + 1 business day: Fri 2027-01-01 is New Year's Day, so Mon 2027-01-04.
    assert add_business_days(at(date(2026, 12, 31), 9), 1, rules) == at(date(2027, 1, 4), 9)


def test_a_calendar_without_business_days_is_an_error_not_a_hang() -> None:
    rules = rules_from_mapping({"calendar": {"business_days": ["sat"], "holidays": [
        (date(2026, 1, 10) + timedelta(days=7 * i)).isoformat() for i in range(60)]}})
    with pytest.raises(ValueError, match="no business day within a year"):
        next_business_day(FRI, rules.calendar)


# ---- send window --------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(TUE, 7, 59), at(TUE, 8)),  # before: today's opening
        (at(TUE, 8), at(TUE, 8)),  # the opening itself is inside
        (at(TUE, 12, 30), at(TUE, 12, 30)),  # inside: now
        (at(TUE, 17, 59), at(TUE, 17, 59)),
        (at(TUE, 18), at(WED, 8)),  # after: tomorrow's opening
        (at(FRI, 19), at(MON + timedelta(days=7), 8)),  # Friday evening -> Monday 08:00
        (at(SAT, 10), at(MON + timedelta(days=7), 8)),
        (at(SUN, 7), at(MON + timedelta(days=7), 8)),
    ],
)
def test_send_window(now: datetime, expected: datetime) -> None:
    assert next_send_time(now, UTC_RULES) == expected


def test_send_window_is_in_the_owners_zone() -> None:
    rules = rules_from_mapping({"timezone": "America/New_York"})
    # 12:00 UTC on a January Tuesday is 07:00 in New York: before the window.
    assert next_send_time(at(TUE, 12), rules) == at(TUE, 8, zone=NEW_YORK)
    # Friday 23:30 UTC is Friday 18:30 in New York: after the window -> Monday 08:00 New York.
    assert next_send_time(at(FRI, 23, 30), rules) == at(MON + timedelta(days=7), 8, zone=NEW_YORK)
    # Saturday 03:00 UTC is still Friday evening in New York.
    assert next_send_time(at(SAT, 3), rules) == at(MON + timedelta(days=7), 8, zone=NEW_YORK)


def test_custom_send_window() -> None:
    rules = rules_from_mapping({"send_window": {"start": "09:30", "end": "16:00"}})
    assert next_send_time(at(TUE, 9), rules) == at(TUE, 9, 30)
    assert next_send_time(at(TUE, 16), rules) == at(WED, 9, 30)


# ---- DST ----------------------------------------------------------------
# Europe: 2026-03-29 (spring forward), 2026-10-25 (fall back).
# America/New_York: 2026-03-08 (spring forward), 2026-11-01 (fall back).


@pytest.mark.parametrize(
    ("zone_name", "friday", "monday", "offset_before", "offset_after"),
    [
        ("Europe/Berlin", date(2026, 3, 27), date(2026, 3, 30), 1, 2),
        ("Europe/Berlin", date(2026, 10, 23), date(2026, 10, 26), 2, 1),
        ("America/New_York", date(2026, 3, 6), date(2026, 3, 9), -5, -4),
        ("America/New_York", date(2026, 10, 30), date(2026, 11, 2), -4, -5),
    ],
)
def test_local_0800_stays_0800_across_a_dst_change(
    zone_name: str, friday: date, monday: date, offset_before: int, offset_after: int
) -> None:
    zone = ZoneInfo(zone_name)
    rules = rules_from_mapping({"timezone": zone_name})
    start = at(friday, 8, zone=zone)
    assert start.utcoffset() == timedelta(hours=offset_before)
    due = add_business_days(start, 1, rules)
    local = due.astimezone(zone)
    assert (local.date(), local.time()) == (monday, time(8, 0))
    assert local.utcoffset() == timedelta(hours=offset_after)
    # The UTC instant moved by the offset change, not by the wall clock.
    assert due - start == timedelta(days=3) - timedelta(hours=offset_after - offset_before)
    # A weekend instant lands on Monday's local opening too.
    assert next_send_time(at(friday + timedelta(days=1), 12, zone=zone), rules).astimezone(zone) == at(monday, 8, zone=zone)


def test_send_window_opening_on_the_dst_day_itself() -> None:
    rules = rules_from_mapping({"timezone": "Europe/Berlin", "calendar": {"business_days": ["sun"]}})
    # Sunday 2026-03-29 02:00 CET jumps to 03:00 CEST; 08:00 that day is 06:00 UTC.
    sunday = date(2026, 3, 29)
    assert next_send_time(at(sunday, 0, 30, zone=BERLIN), rules) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    # Fall back: Sunday 2026-10-25 08:00 CET is 07:00 UTC.
    assert next_send_time(at(date(2026, 10, 25), 1, zone=BERLIN), rules) == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)


def test_local_date_and_start_of_local_day() -> None:
    rules = rules_from_mapping({"timezone": "America/New_York"})
    assert local_date(at(TUE, 3), rules) == MON  # 03:00 UTC Tuesday is Monday evening in New York
    assert start_of_local_day(TUE, rules) == at(TUE, 5)  # midnight EST is 05:00 UTC


# ---- business_days_between ----------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(MON, 9), at(MON, 17), 0),
        (at(MON, 9), at(TUE, 8), 1),
        (at(MON, 9), at(FRI, 9), 4),
        (at(FRI, 9), at(MON + timedelta(days=7), 9), 1),  # the weekend counts for nothing
        (at(FRI, 9), at(SUN, 9), 0),
        (at(MON, 9), at(MON + timedelta(days=14), 9), 10),
        (at(TUE, 9), at(MON, 9), 0),  # backwards is zero, never negative
    ],
)
def test_business_days_between(start: datetime, end: datetime, expected: int) -> None:
    assert business_days_between(start, end, UTC_RULES) == expected


def test_business_days_between_counts_holidays_out_and_uses_local_dates() -> None:
    rules = rules_from_mapping({"timezone": "America/New_York", "calendar": {"holiday_country": "US"}})
    wed = at(date(2026, 11, 25), 9, zone=NEW_YORK)
    assert business_days_between(wed, at(date(2026, 11, 30), 9, zone=NEW_YORK), rules) == 2  # Fri, Mon
    # 02:00 UTC on Tuesday is still Monday in New York: no business day has passed since Monday morning.
    assert business_days_between(at(MON, 14), at(TUE, 2), rules) == 0


def test_add_then_count_round_trips() -> None:
    start = at(WED, 10)
    for days in range(0, 15):
        assert business_days_between(start, add_business_days(start, days, UTC_RULES), UTC_RULES) == days
