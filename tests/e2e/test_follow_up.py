"""Issue 4's stories through the real command line, with the clock moved across weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from refmail.domain.types import OutgoingMail, Person
from tests.e2e.harness import Cast, message

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def approve_all(cast: Cast, now: datetime, kind: str | None = None) -> list[dict]:
    drafts = [d for d in cast.cli_json("drafts", now=now) if kind is None or d["kind"] == kind]
    for d in drafts:
        cast.cli("approve", d["id"], now=now)
    return drafts


def contacted(cast: Cast) -> tuple[str, object]:
    """Intro on Monday 09:00, both drafts approved, first touch and thank-you sent at 09:02."""
    cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    approve_all(cast, MON + MINUTE)
    cast.cycle(MON + 2 * MINUTE)
    first = cast.from_refmail(cast.prospect)
    assert len(first) == 1
    ref = cast.cli_json("referrals", now=MON + 2 * MINUTE)[0]
    assert ref["state"] == "contacted"
    return ref["id"], first[0]


def kinds(cast: Cast, who: Person) -> list[str]:
    return [m["X-Refmail"] for m in cast.from_refmail(who)]


def referrer_kinds(cast: Cast) -> list[str]:
    """What the referrer received, her BCC copy of the first touch (issue 10) checked and set aside."""
    got = kinds(cast, cast.referrer)
    assert got.count("first_touch") == 1
    return [k for k in got if k != "first_touch"]


def state(cast: Cast, now: datetime) -> str:
    return cast.cli_json("referrals", now=now)[0]["state"]


def test_silence_second_message_escalation_closed(cast):
    rid, first = contacted(cast)
    # Wednesday: not yet due (3 business days after Monday 09:02 is Thursday 09:02).
    cast.cycle(datetime(2026, 11, 18, 17, 0, tzinfo=UTC))
    assert cast.cli_json("drafts", now=datetime(2026, 11, 18, 17, 0, tzinfo=UTC)) == []

    thu = datetime(2026, 11, 19, 9, 2, tzinfo=UTC)
    cast.cycle(thu)
    second = approve_all(cast, thu + MINUTE)
    assert [d["kind"] for d in second] == ["second_touch"]
    cast.cycle(thu + 2 * MINUTE)
    prospect_mail = cast.from_refmail(cast.prospect)
    assert [m["X-Refmail"] for m in prospect_mail] == ["first_touch", "second_touch"]
    follow = prospect_mail[1]
    assert follow["Subject"] == "Re: Alice Source suggested we connect"
    assert follow["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in follow["References"]
    assert parsedate_to_datetime(follow["Date"]) == thu + 2 * MINUTE
    assert state(cast, thu + 2 * MINUTE) == "followed_up"

    # Five business days after Thursday 09:04 is the next Thursday 09:04: escalation to the referrer.
    cast.cycle(datetime(2026, 11, 26, 9, 3, tzinfo=UTC))
    assert cast.cli_json("drafts", now=datetime(2026, 11, 26, 9, 3, tzinfo=UTC)) == []
    esc_at = datetime(2026, 11, 26, 9, 4, tzinfo=UTC)
    cast.cycle(esc_at)
    assert [d["kind"] for d in approve_all(cast, esc_at + MINUTE)] == ["escalation"]
    cast.cycle(esc_at + 2 * MINUTE)
    assert referrer_kinds(cast) == ["thank_source", "escalation"]
    [escalation] = [m for m in cast.from_refmail(cast.referrer) if m["X-Refmail"] == "escalation"]
    assert "What do you suggest we do next?" in escalation.get_content()
    assert state(cast, esc_at + 2 * MINUTE) == "escalated"

    # Ten business days later: closed, and in all that time nothing more went to anyone.
    closed_at = datetime(2026, 12, 10, 9, 6, tzinfo=UTC)
    cast.cycle(closed_at - 2 * MINUTE)
    assert state(cast, closed_at - 2 * MINUTE) == "escalated"
    cast.cycle(closed_at)
    assert state(cast, closed_at) == "closed_no_response"
    cast.cycle(closed_at + timedelta(days=20))
    assert kinds(cast, cast.prospect) == ["first_touch", "second_touch"]
    assert referrer_kinds(cast) == ["thank_source", "escalation"]
    timeline = cast.cli("show", rid, now=closed_at).stdout
    assert "closed" in timeline and "escalation note sent" in timeline


def test_reply_after_first_touch_stops_the_cadence(cast):
    rid, first = contacted(cast)
    tue = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    cast.send(message(cast.prospect, [cast.owner], "Re: " + first["Subject"],
                      "Happy to talk! Thursday works.\n\nOn Mon, Olivia wrote:\n> Hi Carol\n", tue,
                      in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(tue + MINUTE)
    assert state(cast, tue + MINUTE) == "replied"
    drafts = cast.cli_json("drafts", now=tue + MINUTE)
    assert [(d["kind"], d["to"]) for d in drafts] == [("keep_in_loop", [cast.referrer.email])]
    shown = cast.cli_json("show", rid, now=tue + MINUTE)
    replies = [t for t in shown["timeline"] if t["kind"] == "message_in" and "reply" in t["text"]]
    assert replies and "Thursday works" in replies[0]["detail"]["reply_text"]
    assert "> Hi Carol" not in replies[0]["detail"]["reply_text"]
    for day in range(1, 15):
        cast.cycle(tue + timedelta(days=day))
    assert kinds(cast, cast.prospect) == ["first_touch"]
    assert state(cast, tue + timedelta(days=15)) == "replied"


def test_out_of_office_then_silence_waits_for_the_return_date(cast):
    rid, first = contacted(cast)
    cast.send(message(cast.prospect, [cast.owner], "Automatic reply: " + first["Subject"],
                      "I am out of the office until 2026-12-01 with limited access to email.\n", MON + 5 * MINUTE,
                      headers={"Auto-Submitted": "auto-replied", "In-Reply-To": first["Message-ID"]}))
    cast.cycle(MON + 10 * MINUTE)
    assert state(cast, MON + 10 * MINUTE) == "contacted"
    thu = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
    cast.cycle(thu)
    assert cast.cli_json("drafts", now=thu) == []  # would have been due: held for the return date
    back = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    cast.cycle(back - timedelta(hours=1))
    assert cast.cli_json("drafts", now=back) == []
    cast.cycle(back)
    drafts = cast.cli_json("drafts", now=back)
    assert [d["kind"] for d in drafts] == ["second_touch"]
    assert kinds(cast, cast.prospect) == ["first_touch"]


def test_bounce_asks_the_referrer_for_a_better_address(cast):
    rid, first = contacted(cast)
    daemon = Person("Mail Delivery System", f"mailer-daemon@{cast.owner.email.rpartition('@')[2]}")
    dsn = (f"This is the mail system.\n\nI'm sorry to have to inform you that your message could not\n"
           f"be delivered to one or more recipients.\n\n<{cast.prospect.email}>: host mx.example.net said:\n"
           f"550 5.1.1 <{cast.prospect.email}>: Recipient address rejected: User unknown\n")
    cast.send(message(daemon, [cast.owner], "Undelivered Mail Returned to Sender", dsn, MON + 5 * MINUTE,
                      in_reply_to=first["Message-ID"].strip("<>"), headers={"Auto-Submitted": "auto-replied"},
                      envelope_from=""))
    cast.cycle(MON + 10 * MINUTE)
    assert state(cast, MON + 10 * MINUTE) == "bounced"
    drafts = cast.cli_json("drafts", now=MON + 10 * MINUTE)
    assert [(d["kind"], d["to"]) for d in drafts] == [("bounce_notice", [cast.referrer.email])]
    assert cast.prospect.email in drafts[0]["body"]
    cast.cycle(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert kinds(cast, cast.prospect) == ["first_touch"]
    # Her mailbox was only full: she answers the first touch a week later. The reply counts.
    late = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    cast.send(message(cast.prospect, [cast.owner], "Re: " + first["Subject"], "Back now - happy to talk!\n", late,
                      in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(late + MINUTE)
    assert state(cast, late + MINUTE) == "replied"
    # ... and the unsent note asking Alice for a better address is withdrawn: it would now be wrong.
    assert [d["kind"] for d in cast.cli_json("drafts", now=late + MINUTE)] == ["keep_in_loop"]


def test_refused_address_at_send_time_is_a_bounce(cast):
    ghost = Person("Gary Ghost", f"ghost-{cast.owner.email[6:14]}@example.net")  # no such mailbox
    cast.prospect = ghost
    cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    approve_all(cast, MON, kind="first_touch")
    cast.cycle(MON + MINUTE)
    assert state(cast, MON + MINUTE) == "bounced"
    assert [d["kind"] for d in cast.cli_json("drafts", now=MON + MINUTE)] == ["bounce_notice"]


def test_owner_replying_by_hand_stops_the_cadence(cast):
    rid, first = contacted(cast)
    by_hand = message(cast.owner, [cast.prospect], "Quick question", "Carol, one more thing...\n",
                      MON + timedelta(hours=3))
    cast.send(by_hand)
    cast.world.deliver(cast.owner.email, by_hand.data, folder="Sent")
    cast.cycle(MON + timedelta(hours=4))
    assert state(cast, MON + timedelta(hours=4)) == "handled_by_owner"
    cast.cycle(datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    assert cast.cli_json("drafts", now=datetime(2026, 11, 20, 10, 0, tzinfo=UTC)) == []
    assert kinds(cast, cast.prospect) == ["first_touch"]
    # Carol answers her at last: that is a reply like any other, and Alice hears of it.
    mon = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    cast.send(message(cast.prospect, [cast.owner], "Re: Quick question", "Sorry for the delay - yes, let's talk.\n",
                      mon, in_reply_to=by_hand.message_id))
    cast.cycle(mon + MINUTE)
    assert state(cast, mon + MINUTE) == "replied"
    assert [(d["kind"], d["to"]) for d in cast.cli_json("drafts", now=mon + MINUTE)] == [
        ("keep_in_loop", [cast.referrer.email])]


def test_won_drafts_a_thank_you_to_the_referrer(cast):
    rid, first = contacted(cast)
    tue = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    cast.send(message(cast.prospect, [cast.owner], "Re: " + first["Subject"], "Let's talk.\n", tue,
                      in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(tue)
    cast.cli("outcome", rid, "met", now=tue + timedelta(days=2))
    cast.cli("outcome", rid, "won", now=tue + timedelta(days=9))
    drafts = cast.cli_json("drafts", now=tue + timedelta(days=9))
    # `outcome met` drafts the update to the referrer too (issue 11).
    assert sorted(d["kind"] for d in drafts) == ["keep_in_loop", "meeting_update", "thank_won"]
    won = [d for d in drafts if d["kind"] == "thank_won"][0]
    assert won["to"] == [cast.referrer.email]
    cast.cli("approve", won["id"], now=tue + timedelta(days=9))
    cast.cycle(tue + timedelta(days=9, minutes=1))
    assert referrer_kinds(cast) == ["thank_source", "thank_won"]
    sources = cast.cli_json("sources", now=tue + timedelta(days=9))
    assert sources == [{"name": "Alice Source", "email": cast.referrer.email, "intros": 1, "replied": 1, "met": 1,
                        "won": 1, "reply_rate": 1.0, "median_days_to_reply": 1,
                        "intros_made": 0, "you_owe": False}]


def test_reply_arriving_after_approval_withdraws_the_follow_up(cast):
    rid, first = contacted(cast)
    early_thu = datetime(2026, 11, 19, 9, 2, tzinfo=UTC)
    cast.cycle(early_thu)
    assert [d["kind"] for d in approve_all(cast, early_thu)] == ["second_touch"]
    # Approved, but the send happens at the next cycle; Carol's reply lands first.
    cast.send(message(cast.prospect, [cast.owner], "Re: " + first["Subject"], "Sorry, busy week! Yes.\n",
                      early_thu, in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(early_thu + MINUTE)
    assert kinds(cast, cast.prospect) == ["first_touch"]
    assert state(cast, early_thu + MINUTE) == "replied"
    shown = cast.cli_json("show", rid, now=early_thu + MINUTE)
    assert [d["status"] for d in shown["drafts"] if d["kind"] == "second_touch"] == ["cancelled"]


def test_reply_all_on_the_intro_before_any_first_touch_counts(cast):
    intro = cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    cast.send(message(cast.prospect, [cast.owner, cast.referrer], "Re: " + "Intro: Olivia <> Carol",
                      "Thanks Alice (moving you to BCC). Olivia, great to meet you: when are you free?\n",
                      MON + 5 * MINUTE, in_reply_to=intro.message_id))
    cast.cycle(MON + 6 * MINUTE)
    assert state(cast, MON + 6 * MINUTE) == "replied"
    kinds_now = sorted(d["kind"] for d in cast.cli_json("drafts", now=MON + 6 * MINUTE))
    assert kinds_now == ["keep_in_loop", "thank_source"]  # the first touch is withdrawn: she already wrote


def test_a_colleague_answering_our_message_counts(cast):
    # Issue 11 changed this story: it also said "a stranger does not", but an unknown address answering our
    # first touch (whose Message-ID only its readers know) cannot be told from Carol's own other address,
    # and "any reply in the thread counts". An unknown address answering only the intro is asked about
    # instead (tests/e2e/test_conversation.py).
    rid, first = contacted(cast)
    colleague = cast.person("colleague", "Cody Colleague", domain=cast.prospect.email.rpartition("@")[2])
    cast.send(message(colleague, [cast.owner], "Re: " + first["Subject"],
                      "Carol asked me to pick this up. Thursday?\n", MON + 7 * MINUTE,
                      in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(MON + 8 * MINUTE)
    assert state(cast, MON + 8 * MINUTE) == "replied"


def test_prospect_reply_all_quoting_the_intro_counts_as_a_reply(cast):
    intro = cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    quoted = "\n".join("> " + line for line in intro.data.decode().split("\r\n\r\n", 1)[1].splitlines())
    reply = message(cast.prospect, [cast.owner, cast.referrer], "Re: Intro: Olivia <> Carol",
                    f"Thanks Alice, moving you to BCC. Olivia, lovely to meet you - does Tuesday work?\n\n"
                    f"On Mon, Alice Source wrote:\n{quoted}\n", MON + 5 * MINUTE, in_reply_to=intro.message_id,
                    headers={"Cc": cast.assistant})
    cast.send(reply)
    cast.cycle(MON + 6 * MINUTE)
    refs = cast.cli_json("referrals", now=MON + 6 * MINUTE)
    assert [r["state"] for r in refs] == ["replied"]
    assert sorted(d["kind"] for d in cast.cli_json("drafts", now=MON + 6 * MINUTE)) == ["keep_in_loop", "thank_source"]


def test_a_referrer_at_the_prospects_company_thanking_back_is_not_the_prospect(cast):
    cast.referrer = cast.person("alice_same", "Alice Source", domain=cast.prospect.email.rpartition("@")[2])
    rid, first = contacted(cast)
    [thanks] = [m for m in cast.from_refmail(cast.referrer) if m["X-Refmail"] == "thank_source"]
    cast.send(message(cast.referrer, [cast.owner], "Re: " + thanks["Subject"], "You're welcome!\n",
                      MON + 5 * MINUTE, in_reply_to=thanks["Message-ID"].strip("<>")))
    cast.cycle(MON + 6 * MINUTE)
    assert state(cast, MON + 6 * MINUTE) == "contacted"
    assert "referrer wrote on the thread" in cast.cli("show", rid, now=MON + 6 * MINUTE).stdout


def test_a_delay_warning_or_a_bounce_that_returns_nothing_of_ours_changes_nothing(cast):
    rid, first = contacted(cast)
    daemon = Person("Mail Delivery System", "mailer-daemon@mx.example.net")
    delayed = (f"Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; {cast.prospect.email}\n"
               "Action: delayed\nStatus: 4.4.1\n")
    forged = (f"Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; {cast.prospect.email}\n"
              "Action: failed\nStatus: 5.1.1\n")
    for i, status in enumerate((delayed, forged)):
        report = message(daemon, [cast.owner], "Delivery Status Notification", "", MON + (5 + i) * MINUTE,
                         in_reply_to=first["Message-ID"].strip("<>") if i == 0 else None, envelope_from="")
        raw = report.data.decode()
        boundary = "==dsn=="
        head, _ = raw.split("\r\n\r\n", 1)
        head = head.replace("Content-Type: text/plain; charset=\"utf-8\"",
                            f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"")
        body = (f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nNotice.\r\n--{boundary}\r\n"
                f"Content-Type: message/delivery-status\r\n\r\n{status.replace(chr(10), chr(13) + chr(10))}\r\n"
                f"--{boundary}--\r\n")
        cast.send(type(report)(report.message_id, "", report.recipients, (head + "\r\n\r\n" + body).encode()))
    cast.cycle(MON + 10 * MINUTE)
    assert state(cast, MON + 10 * MINUTE) == "contacted"
    assert [d["kind"] for d in cast.cli_json("drafts", now=MON + 10 * MINUTE)] == []
    assert "does not return anything we sent" in cast.cli("show", rid, now=MON + 10 * MINUTE).stdout


def test_a_spoofed_owner_or_prospect_changes_nothing(cast):
    intro = cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    failed = {"Authentication-Results": "mx.example.com; dmarc=fail header.from={d}; spf=fail smtp.mailfrom={d}"}
    owner_domain = cast.owner.email.rpartition("@")[2]
    fake_owner = message(cast.owner, [cast.prospect], "Re: Intro", "Carol, let's talk\n", MON + MINUTE,
                         in_reply_to=intro.message_id,
                         headers={k: v.format(d=owner_domain) for k, v in failed.items()})
    cast.send(OutgoingMail(fake_owner.message_id, "mallory@evil.example", (cast.assistant,), fake_owner.data))
    prospect_domain = cast.prospect.email.rpartition("@")[2]
    fake_carol = message(cast.prospect, [cast.owner], "Re: Intro", "Sure!\n", MON + 2 * MINUTE,
                         in_reply_to=intro.message_id,
                         headers={k: v.format(d=prospect_domain) for k, v in failed.items()})
    cast.send(OutgoingMail(fake_carol.message_id, "mallory@evil.example", (cast.owner.email,), fake_carol.data))
    cast.cycle(MON + 3 * MINUTE)
    assert state(cast, MON + 3 * MINUTE) == "awaiting_approval"
    assert sorted(d["kind"] for d in cast.cli_json("drafts", now=MON + 3 * MINUTE)) == ["first_touch", "thank_source"]


def test_an_intro_forwarded_late_sees_the_prospects_earlier_reply(cast):
    from email.message import EmailMessage
    from email.policy import SMTP

    from refmail.demo import intro_email

    cast.cycle(MON - 60 * MINUTE)  # refmail is watching
    # Alice forgot the assistant; Carol answers at once; Olivia forwards the intro an hour later.
    intro = intro_email(cast.referrer, cast.owner, cast.prospect, "colleague.of.alice@example.org", MON - 50 * MINUTE)
    cast.send(OutgoingMail(intro.message_id, intro.sender, (cast.owner.email, cast.prospect.email), intro.data))
    cast.send(message(cast.prospect, [cast.owner, cast.referrer], "Re: Intro: Olivia <> Carol",
                      "Thanks Alice! Olivia, happy to talk on Thursday.\n", MON - 40 * MINUTE,
                      in_reply_to=intro.message_id))
    cast.cycle(MON - 30 * MINUTE)
    assert cast.cli_json("referrals", now=MON - 30 * MINUTE) == []
    fwd = EmailMessage(policy=SMTP)
    fwd["From"], fwd["To"], fwd["Subject"] = cast.owner.formatted(), cast.assistant, "Fwd: Intro: Olivia <> Carol"
    fwd["Message-ID"] = f"<late-fwd-{cast.assistant}>"
    fwd.set_content("Please track this one.\n")
    fwd.add_attachment(intro.data, maintype="message", subtype="rfc822")
    cast.send(OutgoingMail(fwd["Message-ID"].strip("<>"), cast.owner.email, (cast.assistant,), fwd.as_bytes()))
    cast.cycle(MON)
    refs = cast.cli_json("referrals", now=MON)
    assert [r["state"] for r in refs] == ["replied"]
    assert sorted(d["kind"] for d in cast.cli_json("drafts", now=MON)) == ["keep_in_loop", "thank_source"]


def test_an_address_smuggled_into_an_encoded_display_name_is_not_its_owner(cast):
    """Mallory's own domain passes DMARC; his display name decodes to "Carol <carol@...>". He is still Mallory."""
    import base64

    intro = cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    passed = {"Authentication-Results": "mx.example.com; dkim=pass header.d=evil.example; dmarc=pass "
                                        "header.from=evil.example; spf=pass smtp.mailfrom=evil.example"}
    for who in (cast.prospect, cast.owner):
        fake = message(Person("x", "mallory@evil.example"), [cast.owner], "Re: Intro",
                       "Please stop emailing me.\n", MON + MINUTE, in_reply_to=intro.message_id, headers=passed)
        disguise = base64.b64encode(f"{who.name} <{who.email}>".encode()).decode()
        data = fake.data.replace(b"From: x <mallory@evil.example>",
                                 f"From: =?utf-8?b?{disguise}?= <mallory@evil.example>".encode())
        assert data != fake.data
        cast.send(OutgoingMail(fake.message_id + who.email, "mallory@evil.example", (cast.owner.email,), data))
    cast.cycle(MON + 3 * MINUTE)
    assert state(cast, MON + 3 * MINUTE) == "awaiting_approval"  # not do_not_contact, not handled by hand
    assert sorted(d["kind"] for d in cast.cli_json("drafts", now=MON + 3 * MINUTE)) == ["first_touch", "thank_source"]
