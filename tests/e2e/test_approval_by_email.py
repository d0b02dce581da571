"""Issue 5: the owner approves, skips or edits a draft by replying to its approval email; nobody else can."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest

from refmail.domain.types import Person
from tests.e2e.harness import Cast, message

pytestmark = pytest.mark.e2e
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
FIRST_SUBJECT = "Alice Source suggested we connect"


def start(cast: Cast) -> dict[str, dict]:
    """Intro in, one cycle: drafts exist and their approval emails are in the owner's inbox."""
    cast.introduce(MONDAY - timedelta(minutes=30))
    cast.cycle(MONDAY)
    return {d["kind"]: d for d in cast.cli_json("drafts", now=MONDAY)}


def approval_email(cast: Cast, subject: str = FIRST_SUBJECT) -> Message:
    found = [m for m in cast.inbox(cast.owner) if m["Subject"] == "[refmail] Approve: " + subject]
    assert len(found) == 1, [m["Subject"] for m in cast.inbox(cast.owner)]
    return found[0]


def text_of(msg: Message) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def quoted(approval: Message) -> str:
    body = text_of(approval)
    return "On Mon, 16 Nov 2026 at 09:00, refmail <assistant@example.com> wrote:\n" + "".join(
        f"> {line}\n" for line in body.splitlines())


def answer(cast: Cast, approval: Message, text: str, at: datetime, sender: Person | None = None,
           thread: bool = True, headers: dict[str, str] | None = None, quote: bool = True) -> str:
    """The owner's (or someone's) reply to an approval email, sent to the assistant like Reply-To says."""
    mail = message(sender or cast.owner, [Person("", cast.assistant)], "Re: " + approval["Subject"],
                   text + ("\n\n" + quoted(approval) if quote else ""), at,
                   in_reply_to=approval["Message-ID"].strip().strip("<>") if thread else None, headers=headers)
    cast.send(mail)
    return mail.message_id


def draft(cast: Cast, draft_id: str, now: datetime) -> dict:
    return next(d for d in cast.cli_json("drafts", "--all", now=now) if d["id"] == draft_id)


def to_prospect(cast: Cast) -> list[Message]:
    return cast.from_refmail(cast.prospect)


def test_approval_email_shows_the_draft_and_how_to_answer(cast):
    drafts = start(cast)
    first = drafts["first_touch"]
    approval = approval_email(cast)
    assert cast.assistant in approval["From"]
    assert approval["To"] == cast.owner.formatted()
    assert approval["Reply-To"] == cast.assistant
    assert approval["Message-ID"].strip().startswith(f"<refmail.approve.{first['id']}.")
    body = text_of(approval)
    assert first["body"].strip() in body
    assert cast.prospect.email in body and "Alice Source" in body and "Carol Prospect" in body
    assert "send" in body and "skip" in body and f"refmail approve {first['id']}" in body
    approval_email(cast, drafts["thank_source"]["subject"])  # one per draft
    cast.cycle(MONDAY + timedelta(minutes=1))
    assert len([m for m in cast.inbox(cast.owner) if m["Subject"].startswith("[refmail] Approve:")]) == 2


def test_approve_by_reply_sends_once_and_a_replay_does_nothing_more(cast):
    first = start(cast)["first_touch"]
    approval = approval_email(cast)
    answer(cast, approval, "Send", MONDAY + timedelta(minutes=2))
    cast.cycle(MONDAY + timedelta(minutes=3))
    sent = to_prospect(cast)
    assert len(sent) == 1 and sent[0]["Subject"] == FIRST_SUBJECT
    assert draft(cast, first["id"], MONDAY + timedelta(minutes=3))["status"] == "sent"

    # The same answer again (a new message, or the very same one re-delivered) changes nothing.
    answer(cast, approval, "send", MONDAY + timedelta(minutes=4))
    cast.cycle(MONDAY + timedelta(minutes=5))
    cast.cycle(MONDAY + timedelta(minutes=6))
    assert len(to_prospect(cast)) == 1
    digest = cast.cli("digest", "--print", now=MONDAY + timedelta(minutes=7)).stdout
    assert "REFUSED APPROVAL ATTEMPTS (1)" in digest and "already" in digest


def test_answer_after_approval_on_the_command_line_does_nothing_more(cast):
    first = start(cast)["first_touch"]
    approval = approval_email(cast)
    cast.cli("approve", first["id"], now=MONDAY + timedelta(minutes=1))
    cast.cycle(MONDAY + timedelta(minutes=2))
    answer(cast, approval, "Hi Carol, something else entirely.", MONDAY + timedelta(minutes=3))
    cast.cycle(MONDAY + timedelta(minutes=4))
    sent = to_prospect(cast)
    assert len(sent) == 1 and "something else" not in text_of(sent[0])


def test_skip_by_reply_sends_nothing(cast):
    first = start(cast)["first_touch"]
    answer(cast, approval_email(cast), "skip", MONDAY + timedelta(minutes=2))
    cast.cycle(MONDAY + timedelta(minutes=3))
    cast.cycle(MONDAY + timedelta(days=1))
    assert to_prospect(cast) == []
    assert draft(cast, first["id"], MONDAY + timedelta(days=1))["status"] == "rejected"


def test_edit_by_reply_sends_her_text_and_the_timeline_shows_it(cast):
    first = start(cast)["first_touch"]
    edited = "Hi Carol,\n\nAlice speaks highly of you. Would Thursday at 10 suit you for a call?\n\nOlivia"
    answer(cast, approval_email(cast), edited + "\n-- \nOlivia Owner, Example Inc", MONDAY + timedelta(minutes=2))
    cast.cycle(MONDAY + timedelta(minutes=3))
    sent = to_prospect(cast)
    assert len(sent) == 1
    assert text_of(sent[0]).strip() == edited
    assert sent[0]["Subject"] == FIRST_SUBJECT
    shown = cast.cli_json("show", first["referral_id"], now=MONDAY + timedelta(minutes=4))
    edits = [t for t in shown["timeline"] if "edited" in t["text"]]
    assert edits and edits[0]["detail"]["body"].strip() == edited


def test_spoofed_owner_without_token_is_refused_and_reported(cast):
    first = start(cast)["first_touch"]
    approval = approval_email(cast)
    # Forged From: the owner's address, the right subject, "send", but no thread headers and no quoted code.
    answer(cast, approval, "send", MONDAY + timedelta(minutes=2), thread=False, quote=False)
    cast.cycle(MONDAY + timedelta(minutes=3))
    assert to_prospect(cast) == []
    assert draft(cast, first["id"], MONDAY + timedelta(minutes=3))["status"] == "pending"
    # The refusal shows in the next day's digest, once.
    tuesday = MONDAY + timedelta(days=1) - timedelta(minutes=55)  # 08:05 Tuesday
    cast.cycle(tuesday)
    digests = [m for m in cast.inbox(cast.owner) if m["Subject"].startswith("[refmail] Digest")]
    text = text_of(digests[-1])
    assert "REFUSED APPROVAL ATTEMPTS (1)" in text and "no approval token" in text
    assert "REFUSED APPROVAL ATTEMPTS" not in cast.cli("digest", "--print", now=tuesday).stdout


def test_correct_token_from_a_non_owner_is_refused(cast):
    first = start(cast)["first_touch"]
    mallory = cast.person("mallory", "Mallory Intruder", domain="example.org")
    answer(cast, approval_email(cast), "send", MONDAY + timedelta(minutes=2), sender=mallory)
    cast.cycle(MONDAY + timedelta(minutes=3))
    assert to_prospect(cast) == []
    assert draft(cast, first["id"], MONDAY + timedelta(minutes=3))["status"] == "pending"
    digest = cast.cli("digest", "--print", now=MONDAY + timedelta(minutes=4)).stdout
    assert "not from an owner address" in digest and mallory.email in digest


def test_failed_dkim_for_the_owner_domain_is_refused(cast):
    first = start(cast)["first_touch"]
    results = "mx.example.com; dkim=fail (bad signature) header.d=example.com; spf=pass smtp.mailfrom=example.com"
    answer(cast, approval_email(cast), "send", MONDAY + timedelta(minutes=2),
           headers={"Authentication-Results": results})
    cast.cycle(MONDAY + timedelta(minutes=3))
    assert to_prospect(cast) == []
    assert draft(cast, first["id"], MONDAY + timedelta(minutes=3))["status"] == "pending"
    assert "authentication failed" in cast.cli("digest", "--print", now=MONDAY + timedelta(minutes=4)).stdout


def test_drafts_folder_mode_recognises_a_draft_she_sent_from_her_client(mail_world, tmp_path):
    from email.utils import make_msgid

    from refmail.domain.types import OutgoingMail

    rules = tmp_path / "rules.yaml"
    rules.write_text("drafts_folder_mode: true\n")
    (tmp_path / "data").mkdir()
    cast = Cast.new(mail_world, tmp_path / "data", REFMAIL_RULES=str(rules))
    first = start(cast)["first_touch"]
    assert [m for m in cast.inbox(cast.owner) if m["Subject"].startswith("[refmail] Approve:")] == []
    in_drafts = {m["X-Refmail-Draft"]: m for m in cast.inbox(cast.owner, "Drafts")}
    assert set(in_drafts) == {first["id"], next(d["id"] for d in cast.cli_json("drafts", now=MONDAY)
                                                if d["kind"] == "thank_source")}
    mine = in_drafts[first["id"]]
    assert mine["X-Refmail"] is None and mine["Subject"] == FIRST_SUBJECT and cast.prospect.email in mine["To"]

    # Her client sends the draft with a Message-ID of its own and files a copy in Sent.
    del mine["Message-ID"]
    mine["Message-ID"] = make_msgid(domain="example.com")
    data = mine.as_bytes()
    cast.send(OutgoingMail(mine["Message-ID"].strip("<>"), cast.owner.email, (cast.prospect.email,), data))
    mail_world.deliver(cast.owner.email, data, folder="Sent", flags=("\\Seen",))
    cast.cycle(MONDAY + timedelta(minutes=5))
    cast.cycle(MONDAY + timedelta(minutes=6))

    assert draft(cast, first["id"], MONDAY + timedelta(minutes=6))["status"] == "sent"
    assert cast.cli_json("referrals", now=MONDAY + timedelta(minutes=6))[0]["state"] == "contacted"
    # The intro and hers: refmail never sends the draft again.
    assert [m["Subject"] for m in cast.inbox(cast.prospect)][1:] == [FIRST_SUBJECT]
    assert to_prospect(cast) == []


def _drafts_folder_cast(mail_world, tmp_path):  # type: ignore[no-untyped-def]
    rules = tmp_path / "rules.yaml"
    rules.write_text("drafts_folder_mode: true\n")
    (tmp_path / "data").mkdir()
    return Cast.new(mail_world, tmp_path / "data", REFMAIL_RULES=str(rules))


def test_her_bcc_copy_of_a_draft_sent_from_her_client_is_recorded_and_never_resent(mail_world, tmp_path):
    from refmail.domain.types import OutgoingMail

    cast = _drafts_folder_cast(mail_world, tmp_path)
    first = start(cast)["first_touch"]
    mine = {m["X-Refmail-Draft"]: m for m in cast.inbox(cast.owner, "Drafts")}[first["id"]]
    # Her client keeps the draft's Message-ID; she BCCs the assistant, whose copy arrives before Sent's.
    data = mine.as_bytes()
    cast.send(OutgoingMail(mine["Message-ID"].strip("<>"), cast.owner.email, (cast.prospect.email, cast.assistant),
                           data))
    cast.cycle(MONDAY + timedelta(minutes=5))
    assert draft(cast, first["id"], MONDAY + timedelta(minutes=5))["status"] == "sent"
    mail_world.deliver(cast.owner.email, data, folder="Sent", flags=("\\Seen",))
    cast.cycle(MONDAY + timedelta(minutes=6))
    approve = cast.cli("approve", first["id"], now=MONDAY + timedelta(minutes=7), check=False)
    assert "already sent" in approve.stdout + approve.stderr
    cast.cycle(MONDAY + timedelta(minutes=8))
    assert [m["Subject"] for m in cast.inbox(cast.prospect)][1:] == [FIRST_SUBJECT]  # hers, once
    assert to_prospect(cast) == []


def test_a_strangers_copy_with_our_draft_marker_records_nothing(mail_world, tmp_path):
    from refmail.domain.types import OutgoingMail

    cast = _drafts_folder_cast(mail_world, tmp_path)
    first = start(cast)["first_touch"]
    # Draft IDs can be worked out from the intro; the marker alone must never count outside her Sent folder.
    forged = message(Person("Mallory", "mallory@evil.example"), [cast.prospect], FIRST_SUBJECT, "Hi Carol",
                     MONDAY + timedelta(minutes=2), headers={"X-Refmail-Draft": first["id"]})
    cast.send(OutgoingMail(forged.message_id, "mallory@evil.example", (cast.assistant,), forged.data))
    cast.cycle(MONDAY + timedelta(minutes=5))
    assert draft(cast, first["id"], MONDAY + timedelta(minutes=5))["status"] == "pending"
    assert cast.cli_json("referrals", now=MONDAY + timedelta(minutes=5))[0]["state"] == "awaiting_approval"
