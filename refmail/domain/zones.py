"""Someone's time zone, as their own mail tells it (the Date header's UTC offset), and when to write to them.

A prospect who writes at "-0800" reads her mail in that zone: a message sent at the owner's 09:00
lands at her 01:00. Mail to her goes out inside the send window in her zone too, on a day that is a
business day for both, never at night her time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from typing import TYPE_CHECKING

from refmail.domain.cadence import is_business_day, next_send_time
from refmail.domain.types import ParsedMessage

if TYPE_CHECKING:  # annotations only
    from refmail.domain.rules import Rules

_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})\s*(?:\([^)]*\))?\s*$")
LOOK_AHEAD_DAYS = 15


def offset_minutes(parsed: ParsedMessage) -> int | None:
    """Minutes east of UTC in the Date header; None when it has none or says -0000 ("zone unknown", RFC 5322)."""
    found = _OFFSET.search((parsed.header("Date") or "").strip())
    if not found or found.group(0).startswith("-0000"):
        return None
    sign, hours, minutes = found.groups()
    total = int(hours) * 60 + int(minutes)
    if total >= 24 * 60 or int(minutes) >= 60:
        return None
    return -total if sign == "-" else total


@dataclass(frozen=True)
class Evidence:
    """What a person's own mail says of her zone: the latest offset seen, when, and in how many messages."""

    offset: int
    seen_at: datetime
    messages: int

    @property
    def zone(self) -> tzinfo:
        return timezone(timedelta(minutes=self.offset))

    @property
    def label(self) -> str:
        sign = "-" if self.offset < 0 else "+"
        hours, minutes = divmod(abs(self.offset), 60)
        return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _in_window(at: datetime, zone: tzinfo, rules: Rules) -> bool:
    local = at.astimezone(zone)
    return rules.send_window.start <= local.time() < rules.send_window.end


def _business(at: datetime, zone: tzinfo, rules: Rules) -> bool:
    return is_business_day(at.astimezone(zone).date(), rules.calendar)


def _openings(at: datetime, zones: tuple[tzinfo, ...], rules: Rules) -> list[datetime]:
    """The instants at which 'may we send now?' can turn true: midnights and window openings in either zone."""
    points = {at}
    for zone in zones:
        start: date = at.astimezone(zone).date()
        for d in range(LOOK_AHEAD_DAYS):
            day = start + timedelta(days=d)
            for clock in (time(0, 0), rules.send_window.start):
                point = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
                if point >= at:
                    points.add(point)
    return sorted(points)


def next_send_time_for(at: datetime, rules: Rules, theirs: tzinfo | None) -> datetime:
    """`at` or the first moment after it inside the send window in the recipient's zone, on a business day
    for both; inside the owner's window too when the two windows ever overlap. Unknown zone: the owner's rule."""
    if theirs is None:
        return next_send_time(at, rules)
    owner = rules.zone
    candidates = _openings(at, (owner, theirs), rules)

    def theirs_ok(t: datetime) -> bool:
        return _in_window(t, theirs, rules) and _business(t, theirs, rules) and _business(t, owner, rules)

    both = next((t for t in candidates if theirs_ok(t) and _in_window(t, owner, rules)), None)
    if both is not None:
        return both
    # Zones so far apart that the windows never meet: her working hours win (it is her inbox).
    return next((t for t in candidates if theirs_ok(t)), next_send_time(at, rules))
