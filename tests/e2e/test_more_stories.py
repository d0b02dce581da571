"""More of the playbook end to end: the owner as referrer, a prospect introduced twice, urgency, bad mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from refmail.demo import intro_email
from refmail.domain.types import OutgoingMail
from tests.e2e.harness import message

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_owner_introducing_two_contacts_gets_a_check_in_two_business_days_later(cast):
    dave = cast.person("dave", "Dave Buyer")
    body = ("Carol, meet Dave. Dave is looking for a logistics partner and Carol's team is the best I know.\n"
            "Dave, meet Carol. I'll let you two take it from here.\n\nOlivia\n")
    cast.send(intro_email(cast.owner, dave, cast.prospect, cast.assistant, MON, body=body,
                          subject="Intro: Carol <> Dave"))
    cast.cycle(MON + MINUTE)
    refs = cast.cli_json("referrals", now=MON + MINUTE)
    assert len(refs) == 1
    assert refs[0]["owner_is_referrer"] is True
    assert sorted(p["email"] for p in refs[0]["prospects"]) == sorted([cast.prospect.email, dave.email])
    assert cast.cli_json("drafts", now=MON + MINUTE) == []  # no first touch: she made the intro herself
    cast.cycle(datetime(2026, 11, 18, 9, 0, tzinfo=UTC))  # the intro came at 09:01: one minute early
    assert cast.cli_json("drafts", now=datetime(2026, 11, 18, 9, 0, tzinfo=UTC)) == []
    cast.cycle(datetime(2026, 11, 18, 9, 1, tzinfo=UTC))
    drafts = cast.cli_json("drafts", now=datetime(2026, 11, 18, 9, 2, tzinfo=UTC))
    assert [d["kind"] for d in drafts] == ["check_in"]
    assert sorted(drafts[0]["to"]) == sorted([cast.prospect.email, dave.email])
    assert "How did you get on?" in drafts[0]["body"]


def test_prospect_introduced_again_joins_the_open_referral(cast):
    cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    bob = cast.person("bob", "Bob Second", domain="example.org")
    cast.send(intro_email(bob, cast.owner, cast.prospect, cast.assistant, MON + MINUTE,
                          body="Olivia, meet Carol. Carol, meet Olivia: you two should talk.\n\nBob\n"))
    cast.cycle(MON + 2 * MINUTE)
    refs = cast.cli_json("referrals", now=MON + 2 * MINUTE)
    assert len(refs) == 1
    assert [r["email"] for r in refs[0]["referrers"]] == [cast.referrer.email, bob.email]
    assert refs[0]["referrer"]["email"] == cast.referrer.email  # credit: first (rules.yaml)
    drafts = cast.cli_json("drafts", now=MON + 2 * MINUTE)
    # No second first touch; Bob is thanked too (issue 10), though the credit stays with Alice.
    assert sorted((d["kind"], tuple(d["to"])) for d in drafts) == [
        ("first_touch", (cast.prospect.email,)), ("thank_source", (cast.referrer.email,)),
        ("thank_source", (bob.email,))]
    [bobs] = [d for d in drafts if d["to"] == [bob.email]]
    assert bobs["body"].startswith("Hi Bob,") and "introducing me to Carol Prospect" in bobs["body"]
    sources = cast.cli_json("sources", now=MON + 2 * MINUTE)
    assert [s["email"] for s in sources] == [cast.referrer.email]


def test_urgent_intro_runs_the_shorter_cadence(cast):
    cast.introduce(MON - 30 * MINUTE, body=(
        "Olivia, meet Carol. This is urgent: Carol needs a pricing review by Friday.\n"
        "Carol, meet Olivia.\n\nAlice\n"))
    cast.cycle(MON)
    for d in cast.cli_json("drafts", now=MON):
        cast.cli("approve", d["id"], now=MON)
    cast.cycle(MON + MINUTE)
    ref = cast.cli_json("referrals", now=MON + MINUTE)[0]
    # urgent_cadence.second_touch_after is 2 business days: Wednesday, not Thursday.
    assert ref["next_action"] == {"kind": "second_touch", "due_at": "2026-11-18T09:01:00+00:00"}


def test_broken_mail_is_kept_and_the_daemon_goes_on(cast):
    garbage = b"\x00\xff\xfe not an email at all \r\n\r\n\xc3\x28" * 50
    cast.send(OutgoingMail("garbage", cast.referrer.email, (cast.assistant,), garbage))  # gains a Return-Path
    cast.world.deliver(cast.assistant, garbage)  # stored as is: not even a header line
    bad_charset = message(cast.referrer, [cast.owner], "=?x-unknown?B?SGVsbG8=?=", "body", MON,
                          headers={"Content-Type": "text/plain; charset=x-no-such-charset"})
    cast.send(OutgoingMail(bad_charset.message_id, bad_charset.sender, (cast.assistant,), bad_charset.data))
    cast.introduce(MON - MINUTE)
    out = cast.cycle(MON)
    assert "processed 4" in out
    assert len(cast.cli_json("referrals", now=MON)) == 1
    # The unreadable ones are still there, stored, and cycles keep running.
    cast.cycle(MON + MINUTE)
    assert len(cast.cli_json("drafts", now=MON + MINUTE)) == 2
    held = cast.cli_json("quarantine", now=MON + MINUTE)
    assert [r["message_id"] for r in held] == ["refmail-sha256-" + held[0]["message_id"][15:]]
    assert held[0]["stage"] == "parse" and held[0]["error"]
    out = cast.cli("quarantine", "--retry", "all", now=MON + MINUTE).stdout
    assert out.startswith("1 message(s)")
    assert cast.cli_json("quarantine", now=MON + MINUTE) == []
    cast.cycle(MON + 2 * MINUTE)  # still unreadable: back in quarantine, never lost
    assert len(cast.cli_json("quarantine", now=MON + 2 * MINUTE)) == 1


def test_parse_command_prints_the_contract(cast, tmp_path):
    intro = intro_email(cast.referrer, cast.owner, cast.prospect, cast.assistant, MON)
    good = tmp_path / "intro.eml"
    good.write_bytes(intro.data)
    missing = tmp_path / "missing.eml"
    done = cast.cli("parse", str(good), str(missing), "--owner", cast.owner.email, "--json", now=MON, check=False)
    assert done.returncode == 1
    import json

    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["file"] for r in lines] == [str(good), str(missing)]
    first = lines[0]
    assert first["kind"] == "intro" and first["is_intro"] is True
    assert first["referrer"] == {"name": "Alice Source", "email": cast.referrer.email}
    assert first["prospects"] == [{"name": "Carol Prospect", "email": cast.prospect.email}]
    assert first["receiver"]["email"] == cast.owner.email
    assert 0 <= first["confidence"] <= 1 and first["reasons"]
    assert set(lines[1]) == {"file", "error"}


def test_someone_who_asked_to_be_left_alone_is_never_drafted_again(cast):
    cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    for d in cast.cli_json("drafts", now=MON):
        cast.cli("approve", d["id"], now=MON)
    cast.cycle(MON + MINUTE)
    first = cast.from_refmail(cast.prospect)[0]
    cast.send(message(cast.prospect, [cast.owner], "Re: " + first["Subject"],
                      "Please remove me from your list and stop emailing me.\n", MON + 2 * MINUTE,
                      in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(MON + 3 * MINUTE)
    assert [r["state"] for r in cast.cli_json("referrals", now=MON + 3 * MINUTE)] == ["do_not_contact"]
    assert cast.cli_json("drafts", now=MON + 3 * MINUTE) == []

    bob = cast.person("bob", "Bob Second", domain="example.org")
    cast.send(intro_email(bob, cast.owner, cast.prospect, cast.assistant, MON + 4 * MINUTE,
                          body="Olivia, meet Carol. Carol, meet Olivia: you two should talk.\n\nBob\n"))
    cast.cycle(MON + 5 * MINUTE)
    refs = cast.cli_json("referrals", now=MON + 5 * MINUTE)
    assert [r["state"] for r in refs] == ["do_not_contact", "do_not_contact"]
    assert cast.cli_json("drafts", now=MON + 5 * MINUTE) == []
    assert [m["X-Refmail"] for m in cast.from_refmail(cast.prospect)] == ["first_touch"]


def test_owner_reply_all_with_the_assistant_in_bcc_is_her_first_touch(cast):
    intro = intro_email(cast.referrer, cast.owner, cast.prospect, "someone-else@example.org", MON - 60 * MINUTE)
    quoted = "\n".join("> " + line for line in intro.data.decode().split("\r\n\r\n", 1)[1].splitlines())
    answer = message(cast.owner, [cast.referrer, cast.prospect], "Re: Intro: Olivia <> Carol",
                     "Thanks Alice! Carol, lovely to meet you. Would a call on Thursday work?\n\nOlivia\n\n"
                     f"On Mon, Nov 16, 2026 at 8:00 AM Alice Source <{cast.referrer.email}> wrote:\n{quoted}\n",
                     MON - 10 * MINUTE, in_reply_to=intro.message_id)
    # BCC: the assistant is only on the envelope.
    cast.send(OutgoingMail(answer.message_id, cast.owner.email,
                           (cast.referrer.email, cast.prospect.email, cast.assistant), answer.data))
    cast.world.deliver(cast.owner.email, answer.data, folder="Sent")
    cast.cycle(MON)
    refs = cast.cli_json("referrals", now=MON)
    assert len(refs) == 1 and refs[0]["state"] == "contacted"
    assert refs[0]["referrer"]["email"] == cast.referrer.email
    assert [p["email"] for p in refs[0]["prospects"]] == [cast.prospect.email]
    assert [d["kind"] for d in cast.cli_json("drafts", now=MON)] == ["thank_source"]
    thu = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    cast.cycle(thu)
    [second] = [d for d in cast.cli_json("drafts", now=thu) if d["kind"] == "second_touch"]
    cast.cli("approve", second["id"], now=thu)
    cast.cycle(thu + MINUTE)
    [follow] = cast.from_refmail(cast.prospect)
    assert follow["In-Reply-To"].strip("<>") == answer.message_id
    # Same thread, but her subject did not name Alice: the second message's does (seed 001, issue 10).
    assert follow["Subject"] == "Alice Source suggested we connect"
    assert intro.message_id in follow["References"]


@pytest.mark.parametrize("style", ["inline", "attached"])
def test_owner_forwarding_an_intro_to_the_assistant(cast, style):
    from email.message import EmailMessage
    from email.policy import SMTP

    intro = intro_email(cast.referrer, cast.owner, cast.prospect, "nobody@example.org", MON - 120 * MINUTE)
    fwd = EmailMessage(policy=SMTP)
    fwd["From"], fwd["To"] = cast.owner.formatted(), cast.assistant
    fwd["Subject"] = "Fwd: Intro: Olivia <> Carol"
    fwd["Message-ID"] = f"<fwd-{style}-{cast.assistant}>"
    if style == "inline":
        original = intro.data.decode().split("\r\n\r\n", 1)[1]
        fwd.set_content(
            "Please follow up on this one.\n\n---------- Forwarded message ---------\n"
            f"From: Alice Source <{cast.referrer.email}>\nDate: Mon, Nov 16, 2026 at 7:00 AM\n"
            "Subject: Intro: Olivia <> Carol\n"
            f"To: Olivia Owner <{cast.owner.email}>, Carol Prospect <{cast.prospect.email}>\n\n{original}")
    else:
        fwd.set_content("Please follow up on this one.\n")
        fwd.add_attachment(intro.data, maintype="message", subtype="rfc822")
    cast.send(OutgoingMail(fwd["Message-ID"].strip("<>"), cast.owner.email, (cast.assistant,), fwd.as_bytes()))
    cast.cycle(MON)
    refs = cast.cli_json("referrals", now=MON)
    assert len(refs) == 1 and refs[0]["state"] == "awaiting_approval"
    assert refs[0]["referrer"] == {"name": "Alice Source", "email": cast.referrer.email}
    assert refs[0]["prospects"] == [{"name": "Carol Prospect", "email": cast.prospect.email}]
    kinds = {d["kind"]: d for d in cast.cli_json("drafts", now=MON)}
    assert kinds["first_touch"]["subject"] == "Alice Source suggested we connect"


def test_mail_servers_down_cost_a_cycle_never_a_message(cast):
    from refmail.mail.world import free_port

    cast.introduce(MON - 30 * MINUTE)
    dead = {"REFMAIL_SMTP_PORT": str(free_port()), "REFMAIL_IMAP_PORT": str(free_port())}
    cast.env_overrides.update(dead)
    # IMAP and SMTP both down: the cycle still completes, and `run --once` says so (exit 1) for cron.
    down = cast.cli("run", "--once", now=MON, check=False)
    assert down.returncode == 1 and "new messages 0" in down.stdout
    assert "polling" in down.stderr and "Traceback" not in down.stderr
    cast.env_overrides.clear()
    cast.cycle(MON + MINUTE)
    drafts = cast.cli_json("drafts", now=MON + MINUTE)
    for d in drafts:
        cast.cli("approve", d["id"], now=MON + MINUTE)
    cast.env_overrides.update({"REFMAIL_SMTP_PORT": dead["REFMAIL_SMTP_PORT"]})
    send_down = cast.cli("run", "--once", now=MON + 2 * MINUTE, check=False)  # SMTP down: kept, retried later
    assert send_down.returncode == 1 and "sending" in send_down.stderr
    assert cast.from_refmail(cast.prospect) == []
    cast.env_overrides.clear()
    cast.cycle(MON + 3 * MINUTE)  # backoff: not yet
    assert cast.from_refmail(cast.prospect) == []
    cast.cycle(MON + 10 * MINUTE)
    cast.cycle(MON + 11 * MINUTE)
    assert [m["X-Refmail"] for m in cast.from_refmail(cast.prospect)] == ["first_touch"]
    assert sorted(m["X-Refmail"] for m in cast.from_refmail(cast.referrer)) == ["first_touch", "thank_source"]


def test_a_group_intro_with_one_known_prospect_still_follows_up_the_new_one(cast):
    cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    bob = cast.person("bob", "Bob Second", domain="example.org")
    dave = cast.person("dave", "Dave Newman")
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg["From"] = bob.formatted()
    msg["To"] = f"{cast.owner.formatted()}, {cast.prospect.formatted()}, {dave.formatted()}"
    msg["Cc"] = cast.assistant
    msg["Subject"] = "Intro: Olivia <> Carol and Dave"
    msg["Message-ID"] = f"<group-{cast.assistant}>"
    msg.set_content("Olivia, meet Carol and Dave. Carol and Dave, meet Olivia - you three should talk.\n\nBob\n")
    cast.send(OutgoingMail(msg["Message-ID"].strip("<>"), bob.email,
                           (cast.owner.email, cast.prospect.email, dave.email, cast.assistant), msg.as_bytes()))
    cast.cycle(MON + MINUTE)
    refs = cast.cli_json("referrals", now=MON + MINUTE)
    assert sorted([p["email"] for p in r["prospects"]] for r in refs) == sorted([[cast.prospect.email], [dave.email]])
    firsts = [d for d in cast.cli_json("drafts", now=MON + MINUTE) if d["kind"] == "first_touch"]
    assert sorted(d["to"][0] for d in firsts) == sorted([cast.prospect.email, dave.email])


def _forwarded_reply(cast, forwarder, at: datetime) -> OutgoingMail:  # type: ignore[no-untyped-def]
    """`forwarder` forwards to the assistant Carol's answer to Alice's intro; Carol's client quoted the
    intro under a name-only attribution line ("On ..., Alice Source wrote:"), as Thunderbird does."""
    from email.message import EmailMessage
    from email.policy import SMTP

    fwd = EmailMessage(policy=SMTP)
    fwd["From"], fwd["To"] = forwarder.formatted(), cast.assistant
    fwd["Subject"] = "Fwd: Re: Intro: Olivia <> Carol"
    fwd["Message-ID"] = f"<fwd-reply-{forwarder.email}>"
    fwd.set_content(
        "Carol got back to me already, please keep track of this one.\n\n"
        "-------- Forwarded Message --------\n"
        "Subject: Re: Intro: Olivia <> Carol\n"
        "Date: Mon, 16 Nov 2026 08:30:00 +0000\n"
        f"From: Carol Prospect <{cast.prospect.email}>\n"
        f"To: Olivia Owner <{cast.owner.email}>\n"
        f"CC: Alice Source <{cast.referrer.email}>\n\n"
        "Thanks Alice! Olivia, glad to connect. Tuesday afternoon works for me.\n\nCarol\n\n"
        "On 16.11.2026 07:00, Alice Source wrote:\n"
        "> Olivia, meet Carol: she runs operations at Prospect & Co and is looking for help with pricing.\n"
        "> Carol, meet Olivia, the best pricing consultant I know. I'll let you two take it from here.\n"
        "> Alice\n")
    return OutgoingMail(fwd["Message-ID"].strip("<>"), forwarder.email, (cast.assistant,), fwd.as_bytes())


def test_owner_forwarding_the_prospects_answer_to_an_intro_records_the_reply(cast):
    cast.send(_forwarded_reply(cast, cast.owner, MON - 10 * MINUTE))
    cast.cycle(MON)
    [ref] = cast.cli_json("referrals", now=MON)
    assert ref["referrer"]["email"] == cast.referrer.email
    assert [p["email"] for p in ref["prospects"]] == [cast.prospect.email]
    assert ref["state"] == "replied"  # Carol already answered: no first touch goes out over her reply
    # The first touch is withdrawn; the thank-you to Alice and the keep-in-the-loop note remain.
    assert sorted(d["kind"] for d in cast.cli_json("drafts", now=MON)) == ["keep_in_loop", "thank_source"]
    timeline = cast.cli("show", ref["id"], now=MON).stdout
    assert f"reply from {cast.prospect.email}, forwarded by the owner" in timeline
    assert "Tuesday afternoon works for me" in timeline


def test_someone_elses_forward_of_a_prospects_answer_is_not_taken_as_her_reply(cast):
    cast.send(_forwarded_reply(cast, cast.referrer, MON - 10 * MINUTE))
    cast.cycle(MON)
    [ref] = cast.cli_json("referrals", now=MON)
    assert ref["state"] == "awaiting_approval"  # the owner decides: the first touch waits for her approval
    assert sorted(d["kind"] for d in cast.cli_json("drafts", now=MON)) == ["first_touch", "thank_source"]
    timeline = cast.cli("show", ref["id"], now=MON).stdout
    assert f"a reply from {cast.prospect.email} forwarded by {cast.referrer.email} is not counted" in timeline
