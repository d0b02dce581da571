"""Issue 11: calendar invitations (icalendar) and replies that read like a meeting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from refmail.domain.invitation import Method, read
from refmail.domain.meeting_cue import meeting_cue
from refmail.domain.parse import parse_message

OWNER = frozenset({"owner@example.com"})


def ics(method: str, organizer: str, attendee: str, partstat: str, start: str = "20261119T100000Z") -> str:
    return "\r\n".join([
        "BEGIN:VCALENDAR", "PRODID:-//Test//EN", "VERSION:2.0", f"METHOD:{method}", "BEGIN:VEVENT",
        "UID:1@example.com", "DTSTAMP:20261117T100000Z", f"DTSTART:{start}", "SUMMARY:Olivia / Carol",
        f"ORGANIZER:mailto:{organizer}", f"ATTENDEE;PARTSTAT={partstat}:mailto:{attendee}",
        "END:VEVENT", "END:VCALENDAR", ""])


def test_an_accepted_reply_sets_the_meeting_with_its_start() -> None:
    inv = read(ics("REPLY", "owner@example.com", "Carol@Example.net", "ACCEPTED"))
    assert inv is not None and inv.method is Method.REPLY
    assert inv.start == datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    assert inv.meeting_set(OWNER, "carol@example.net")


@pytest.mark.parametrize("partstat", ["DECLINED", "TENTATIVE", "NEEDS-ACTION"])
def test_a_reply_that_does_not_accept_sets_nothing(partstat: str) -> None:
    inv = read(ics("REPLY", "owner@example.com", "carol@example.net", partstat))
    assert inv is not None and not inv.meeting_set(OWNER, "carol@example.net")


def test_an_invitation_sent_either_way_sets_the_meeting() -> None:
    assert read(ics("REQUEST", "owner@example.com", "carol@example.net", "NEEDS-ACTION")).meeting_set(
        OWNER, "carol@example.net")
    assert read(ics("REQUEST", "carol@example.net", "owner@example.com", "NEEDS-ACTION")).meeting_set(
        OWNER, "carol@example.net")


def test_an_invitation_without_the_owner_or_cancelled_sets_nothing() -> None:
    assert not read(ics("REQUEST", "dan@example.org", "carol@example.net", "ACCEPTED")).meeting_set(
        OWNER, "carol@example.net")
    assert not read(ics("CANCEL", "owner@example.com", "carol@example.net", "ACCEPTED")).meeting_set(
        OWNER, "carol@example.net")


def test_garbage_is_no_invitation() -> None:
    assert read("BEGIN:VCALENDAR\r\nthis is not ical") is None
    assert read("") is None


def test_parse_keeps_calendar_parts_inline_and_attached() -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "carol@example.net", "owner@example.com", "Accepted: Olivia / Carol"
    msg.set_content("Carol has accepted.")
    msg.add_alternative(ics("REPLY", "owner@example.com", "carol@example.net", "ACCEPTED"), subtype="calendar")
    msg.add_attachment(ics("REQUEST", "owner@example.com", "carol@example.net", "NEEDS-ACTION").encode(),
                       maintype="application", subtype="ics", filename="invite.ics")
    parsed = parse_message(msg.as_bytes())
    assert [read(c).method for c in parsed.calendars] == [Method.REPLY, Method.REQUEST]
    assert parsed.text.strip() == "Carol has accepted."


@pytest.mark.parametrize("text", [
    "See you Tuesday at 10!", "Great, see you on Thursday.", "Tuesday at 10 works for me.",
    "Looking forward to meeting you on Friday at 3pm.", "Bis Dienstag um 10 Uhr!", "Nos vemos el jueves a las 10.",
    "Booked us in for Wednesday.",
])
def test_a_clear_meeting_cue(text: str) -> None:
    assert meeting_cue(text)


@pytest.mark.parametrize("text", [
    "Would Tuesday at 10 work?", "see you tuesday?", "I saw you on Tuesday.", "Thanks, I will think about it.",
    "> See you Tuesday at 10 (quoted)",
])
def test_no_meeting_cue(text: str) -> None:
    assert meeting_cue(text) is None
