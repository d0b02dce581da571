"""A calendar invitation (iCalendar, RFC 5545/5546) -> who meets whom, when, and whether it is on.

Read with the maintained `icalendar` library: METHOD, ORGANIZER, ATTENDEE;PARTSTAT and a DTSTART with
its time zone. A REQUEST is an invitation sent; a REPLY says ACCEPTED (or not) for one attendee.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import icalendar


class Method(enum.StrEnum):
    REQUEST = "REQUEST"
    REPLY = "REPLY"
    CANCEL = "CANCEL"
    OTHER = "OTHER"


@dataclass(frozen=True)
class Invitation:
    method: Method
    start: datetime | None
    summary: str
    organizer: str
    # (address, PARTSTAT) of every attendee, addresses lower-cased.
    attendees: tuple[tuple[str, str], ...]

    @property
    def people(self) -> frozenset[str]:
        return frozenset({self.organizer, *(a for a, _ in self.attendees)} - {""})

    def accepted_by(self, email: str) -> bool:
        return any(a == email and status == "ACCEPTED" for a, status in self.attendees)

    def meeting_set(self, owner_emails: frozenset[str], prospect: str) -> bool:
        """An invitation between the owner and the prospect that is on: sent (REQUEST), or accepted (REPLY)."""
        if not (owner_emails & self.people) or prospect not in self.people:
            return False
        if self.method is Method.REQUEST:
            return not any(a == prospect and s == "DECLINED" for a, s in self.attendees)
        if self.method is Method.REPLY:
            return self.accepted_by(prospect) or (prospect == self.organizer and any(
                a in owner_emails and s == "ACCEPTED" for a, s in self.attendees))
        return False


def _address(value: object) -> str:
    text = str(value or "").strip()
    return text[7:].lower() if text.lower().startswith("mailto:") else text.lower()


def _start(component: icalendar.cal.Component) -> datetime | None:
    prop = component.get("DTSTART")
    if prop is None:
        return None
    value = prop.dt
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # floating: read as UTC
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    return None


def read(text: str) -> Invitation | None:
    """The first event of a calendar part, or None when it is not a readable invitation."""
    import icalendar  # here, not at the top: only mail with a calendar part pays for it, never an idle cycle

    try:
        cal = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    method_text = str(cal.get("METHOD", "")).upper()
    method = Method(method_text) if method_text in Method.__members__ else Method.OTHER
    for event in cal.walk("VEVENT"):
        attendees = event.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        return Invitation(
            method=method,
            start=_start(event),
            summary=" ".join(str(event.get("SUMMARY", "")).split()),
            organizer=_address(event.get("ORGANIZER")),
            attendees=tuple((_address(a), str(a.params.get("PARTSTAT", "NEEDS-ACTION")).upper())
                            for a in attendees if _address(a)),
        )
    return None
