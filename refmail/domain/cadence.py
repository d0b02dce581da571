"""Business-day arithmetic in the owner's time zone: when is something due, when may it go out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the listing commands use these functions' module without validating rules
    from refmail.domain.rules import Calendar, Rules


@lru_cache(maxsize=64)
def _country_holidays(country: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_business_day(day: date, calendar: Calendar) -> bool:
    if day.weekday() not in calendar.weekday_numbers:
        return False
    if day in calendar.holidays:
        return False
    if calendar.holiday_country and day in _country_holidays(calendar.holiday_country, day.year):
        return False
    return True


def next_business_day(day: date, calendar: Calendar) -> date:
    """The first business day strictly after `day`."""
    day += timedelta(days=1)
    for _ in range(400):
        if is_business_day(day, calendar):
            return day
        day += timedelta(days=1)
    raise ValueError("no business day within a year: check calendar.business_days and holidays")


def _at_local(day: date, clock: time, rules: Rules) -> datetime:
    return datetime.combine(day, clock, tzinfo=rules.zone).astimezone(UTC)


def next_send_time(at: datetime, rules: Rules) -> datetime:
    """`at` itself when it falls in the send window on a business day, else the next window opening."""
    local = at.astimezone(rules.zone)
    window = rules.send_window
    day = local.date()
    if is_business_day(day, rules.calendar):
        if local.time() < window.start:
            return _at_local(day, window.start, rules)
        if local.time() < window.end:
            return at.astimezone(UTC)
    return _at_local(next_business_day(day, rules.calendar), window.start, rules)


def add_business_days(start: datetime, days: int, rules: Rules) -> datetime:
    """`days` business days after `start`, same local time of day, moved into the send window.

    Zero days means "as soon as the send window allows".
    """
    local = start.astimezone(rules.zone)
    day = local.date()
    for _ in range(days):
        day = next_business_day(day, rules.calendar)
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=rules.zone)
    return next_send_time(wall.astimezone(UTC), rules)


def business_days_between(start: datetime, end: datetime, rules: Rules) -> int:
    """Whole business days from start's local date to end's, for reports (median days to reply)."""
    a = start.astimezone(rules.zone).date()
    b = end.astimezone(rules.zone).date()
    count = 0
    while a < b:
        a += timedelta(days=1)
        if is_business_day(a, rules.calendar):
            count += 1
    return count


def local_date(at: datetime, rules: Rules) -> date:
    return at.astimezone(rules.zone).date()


def start_of_local_day(day: date, rules: Rules) -> datetime:
    return _at_local(day, time(0, 0), rules)
