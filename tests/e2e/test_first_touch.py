"""Issue 2's story through the real command line: CC'd intro -> draft -> approve -> one first touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

pytestmark = pytest.mark.e2e
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def test_intro_to_first_touch(cast):
    """This story runs `python -m refmail` as a subprocess at every step: the installed command itself."""
    cast.cli = cast.cli_subprocess
    intro = cast.introduce(MONDAY - timedelta(minutes=30))
    cast.cycle(MONDAY)

    refs = cast.cli_json("referrals", now=MONDAY)
    assert len(refs) == 1
    ref = refs[0]
    assert ref["state"] == "awaiting_approval"
    assert ref["referrer"] == {"name": "Alice Source", "email": cast.referrer.email}
    assert ref["prospects"] == [{"name": "Carol Prospect", "email": cast.prospect.email}]

    drafts = {d["kind"]: d for d in cast.cli_json("drafts", now=MONDAY)}
    first = drafts["first_touch"]
    assert first["to"] == [cast.prospect.email]
    assert first["subject"] == "Alice Source suggested we connect"
    assert first["referral_id"] == ref["id"]
    assert "Carol" in first["body"] and "Alice" in first["body"]
    assert drafts["thank_source"]["to"] == [cast.referrer.email]

    # Nothing leaves before approval, however many cycles run.
    cast.cycle(MONDAY + timedelta(minutes=1))
    assert cast.from_refmail(cast.prospect) == []

    cast.cli("approve", first["id"], now=MONDAY + timedelta(minutes=2))
    sent_at = MONDAY + timedelta(minutes=3)
    cast.cycle(sent_at)

    received = cast.from_refmail(cast.prospect)
    assert len(received) == 1
    msg = received[0]
    assert msg["Subject"] == "Alice Source suggested we connect"
    assert cast.owner.email in msg["From"]
    assert msg["In-Reply-To"].strip("<>") == intro.message_id
    assert intro.message_id in msg["References"]
    assert parsedate_to_datetime(msg["Date"]) == sent_at
    sent_copies = [m for m in cast.inbox(cast.owner, "Sent") if m["Message-ID"] == msg["Message-ID"]]
    assert len(sent_copies) == 1

    assert cast.cli_json("referrals", now=sent_at)[0]["state"] == "contacted"
    cast.cycle(sent_at + timedelta(minutes=1))
    cast.cycle(sent_at + timedelta(minutes=2))
    assert len(cast.from_refmail(cast.prospect)) == 1
    # The referrer has the first touch in BCC (issue 10) and nothing else: the thank-you was never approved.
    assert [m["X-Refmail"] for m in cast.from_refmail(cast.referrer)] == ["first_touch"]


def test_same_intro_twice_is_one_referral_and_one_email(cast):
    intro = cast.introduce(MONDAY - timedelta(minutes=30))
    cast.send(intro)  # delivered again, same Message-ID
    cast.cycle(MONDAY)
    cast.cycle(MONDAY + timedelta(minutes=1))
    assert len(cast.cli_json("referrals", now=MONDAY)) == 1
    drafts = cast.cli_json("drafts", now=MONDAY)
    assert sorted(d["kind"] for d in drafts) == ["first_touch", "thank_source"]
    for d in drafts:
        cast.cli("approve", d["id"], now=MONDAY + timedelta(minutes=2))
    for minute in (3, 4, 5):
        cast.cycle(MONDAY + timedelta(minutes=minute))
    assert len(cast.from_refmail(cast.prospect)) == 1
    # Once each: the thank-you, and the first touch in BCC (issue 10).
    assert sorted(m["X-Refmail"] for m in cast.from_refmail(cast.referrer)) == ["first_touch", "thank_source"]


def test_approved_outside_send_window_waits_for_it(cast):
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    cast.introduce(saturday - timedelta(minutes=5))
    cast.cycle(saturday)
    first = [d for d in cast.cli_json("drafts", now=saturday) if d["kind"] == "first_touch"][0]
    cast.cli("approve", first["id"], now=saturday)
    cast.cycle(saturday + timedelta(hours=1))
    assert cast.from_refmail(cast.prospect) == []
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    cast.cycle(monday)
    assert len(cast.from_refmail(cast.prospect)) == 1


def test_approve_with_edit_sends_the_owners_words(cast):
    cast.introduce(MONDAY - timedelta(minutes=30))
    cast.cycle(MONDAY)
    first = [d for d in cast.cli_json("drafts", now=MONDAY) if d["kind"] == "first_touch"][0]
    cast.env_overrides["EDITOR"] = "sed -i 's/^Hi Carol,/Dear Carol,/'"
    cast.cli("approve", first["id"], "--edit", now=MONDAY)
    cast.cycle(MONDAY + timedelta(minutes=1))
    [sent] = cast.from_refmail(cast.prospect)
    assert sent.get_content().startswith("Dear Carol,")
    shown = cast.cli_json("show", first["referral_id"], now=MONDAY)
    assert any("edited by the owner" in t["text"] for t in shown["timeline"])
