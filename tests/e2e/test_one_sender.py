"""Exactly one sender: a message with two From (or two Sender) headers is never believed (issue 9)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from refmail.domain.parse import parse_message
from refmail.domain.types import Person
from tests.e2e.harness import message
from tests.e2e.test_approval_by_email import MONDAY, approval_email, draft, quoted, start, to_prospect

pytestmark = pytest.mark.e2e


def _with_extra_header(data: bytes, line: str) -> bytes:
    """`line` added below the message's own headers: the owner's From stays the first one."""
    head, sep, body = data.partition(b"\r\n\r\n")
    return head + b"\r\n" + line.encode() + sep + body


@pytest.mark.parametrize("extra", ["From: Mallory Intruder <mallory@example.org>",
                                   "Sender: mallory@example.org\r\nSender: owner-helper@example.org"])
def test_a_right_approval_reply_with_a_second_from_or_sender_is_refused(cast, extra):
    first = start(cast)["first_touch"]
    approval = approval_email(cast)
    # Everything else is right: the owner's From, the thread, the quoted draft with its token, "send".
    mail = message(cast.owner, [Person("", cast.assistant)], "Re: " + approval["Subject"],
                   "send\n\n" + quoted(approval), MONDAY + timedelta(minutes=2),
                   in_reply_to=approval["Message-ID"].strip().strip("<>"))
    mail = replace(mail, data=_with_extra_header(mail.data, extra))
    cast.send(mail)
    cast.cycle(MONDAY + timedelta(minutes=3))
    cast.cycle(MONDAY + timedelta(minutes=4))
    assert to_prospect(cast) == []
    assert draft(cast, first["id"], MONDAY + timedelta(minutes=4))["status"] == "pending"


def test_two_from_headers_leave_the_sender_unknown_whichever_comes_first():
    for first, second in (("owner@example.com", "mallory@example.org"), ("mallory@example.org", "owner@example.com")):
        raw = (f"From: {first}\r\nFrom: {second}\r\nTo: assistant@example.com\r\nSubject: send\r\n"
               f"Message-ID: <two-from@x>\r\n\r\nsend\r\n").encode()
        parsed = parse_message(raw)
        assert parsed.sender is None
        assert any("2 From headers" in d for d in parsed.defects)
    one = parse_message(b"From: owner@example.com\r\nSender: helper@example.com\r\nSubject: x\r\n\r\nhi\r\n")
    assert one.sender is not None and one.sender.email == "owner@example.com"
