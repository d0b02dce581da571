"""Issue 11 end to end: any reply in the thread counts, each prospect of a group intro has her own track,
meetings (calendar invitations and "see you Tuesday at 10"), on the real mail world."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from refmail.domain.types import OutgoingMail, Person
from tests.e2e.harness import Cast, message
from tests.e2e.test_follow_up import approve_all, contacted, kinds

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
TUE = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
THU = datetime(2026, 11, 19, 9, 5, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_the_prospect_answering_from_another_address_stops_the_follow_up(cast):
    rid, first = contacted(cast)
    personal = cast.person("carol-home", "Carol Prospect", domain="home.example")
    cast.send(message(personal, [cast.owner], "Re: " + first["Subject"],
                      "Hi Olivia, writing from my own address - happy to talk next week.\n\nCarol\n", TUE,
                      in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(TUE)
    ref = cast.cli_json("show", rid, now=TUE)
    assert ref["state"] == "replied"
    assert ref["also_writes_from"] == {cast.prospect.email: [personal.email]}
    shown = cast.cli("show", rid, now=TUE).stdout
    assert f"{cast.prospect.email} (also writes from {personal.email})" in shown
    assert f"reply from {personal.email} (for {cast.prospect.email})" in shown
    assert "happy to talk next week" in shown
    cast.cycle(THU)  # when the second message would have been due
    cast.cycle(THU + timedelta(days=10))
    assert kinds(cast, cast.prospect) == ["first_touch"]
    assert [d["kind"] for d in cast.cli_json("drafts", now=THU)] == ["keep_in_loop"]


def _group_intro(cast: Cast, at: datetime) -> tuple[Person, OutgoingMail]:
    dana = cast.person("dana", "Dana Second")
    msg = EmailMessage(policy=SMTP)
    msg["From"] = cast.referrer.formatted()
    msg["To"] = f"{cast.owner.formatted()}, {cast.prospect.formatted()}, {dana.formatted()}"
    msg["Cc"] = cast.assistant
    msg["Subject"] = "Intro: Olivia <> Carol and Dana"
    msg["Message-ID"] = f"<group-{cast.assistant}>"
    msg.set_content("Olivia, meet Carol and Dana from Prospect & Co. Carol and Dana, meet Olivia - "
                    "you three should talk.\n\nAlice\n")
    mail = OutgoingMail(msg["Message-ID"].strip("<>"), cast.referrer.email,
                        (cast.owner.email, cast.prospect.email, dana.email, cast.assistant), msg.as_bytes())
    cast.send(mail)
    return dana, mail


def test_a_group_intro_follows_up_the_silent_prospect_only(cast):
    dana, _ = _group_intro(cast, MON - 30 * MINUTE)
    cast.cycle(MON)
    refs = cast.cli_json("referrals", now=MON)
    assert sorted(p["email"] for r in refs for p in r["prospects"]) == sorted([cast.prospect.email, dana.email])
    assert all(len(r["prospects"]) == 1 and len(r["group"]) == 1 for r in refs)
    drafts = cast.cli_json("drafts", now=MON)
    assert sorted(d["kind"] for d in drafts) == ["first_touch", "first_touch", "thank_source"]
    [thanks] = [d for d in drafts if d["kind"] == "thank_source"]
    assert "Carol" in thanks["body"] + thanks["subject"] and "Dana" in thanks["body"] + thanks["subject"]
    approve_all(cast, MON + MINUTE)
    cast.cycle(MON + 2 * MINUTE)
    [to_carol] = cast.from_refmail(cast.prospect)
    assert kinds(cast, dana) == ["first_touch"]
    cast.send(message(cast.prospect, [cast.owner], "Re: " + to_carol["Subject"], "Yes, let's talk!\n", TUE,
                      in_reply_to=to_carol["Message-ID"].strip("<>")))
    cast.cycle(TUE)
    by_prospect = {r["prospects"][0]["email"]: r for r in cast.cli_json("referrals", now=TUE)}
    assert by_prospect[cast.prospect.email]["state"] == "replied"
    assert by_prospect[dana.email]["state"] == "contacted"
    assert by_prospect[dana.email]["group_state"] == "replied"
    cast.cycle(THU)
    assert sorted(d["kind"] for d in approve_all(cast, THU)) == ["keep_in_loop", "second_touch"]
    cast.cycle(THU + MINUTE)
    assert kinds(cast, dana) == ["first_touch", "second_touch"]
    assert kinds(cast, cast.prospect) == ["first_touch"]


def test_a_group_intro_can_stop_on_the_first_reply_by_rule(cast, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("group_intro:\n  stop_on_first_reply: true\n")
    cast.env_overrides["REFMAIL_RULES"] = str(rules)
    dana, _ = _group_intro(cast, MON - 30 * MINUTE)
    cast.cycle(MON)
    approve_all(cast, MON + MINUTE)
    cast.cycle(MON + 2 * MINUTE)
    [to_carol] = cast.from_refmail(cast.prospect)
    cast.send(message(cast.prospect, [cast.owner], "Re: " + to_carol["Subject"], "Yes, let's talk!\n", TUE,
                      in_reply_to=to_carol["Message-ID"].strip("<>")))
    cast.cycle(TUE)
    cast.cycle(THU)
    assert [d["kind"] for d in cast.cli_json("drafts", now=THU)] == ["keep_in_loop"]
    assert kinds(cast, dana) == ["first_touch"]


def test_a_reply_to_the_group_intro_from_an_unknown_address_is_asked_about(cast):
    dana, intro = _group_intro(cast, MON - 30 * MINUTE)
    cast.cycle(MON)
    approve_all(cast, MON + MINUTE)
    cast.cycle(MON + 2 * MINUTE)
    ea = cast.person("ea", "Erin Assistant", domain="prospect-co.example")
    cast.send(message(ea, [cast.owner, cast.referrer], "Re: Intro: Olivia <> Carol and Dana",
                      "Hello Olivia, I manage the calendar here; happy to find a slot.\n", TUE,
                      in_reply_to=intro.message_id))
    cast.cycle(TUE)
    assert sorted(r["state"] for r in cast.cli_json("referrals", now=TUE)) == ["contacted", "contacted"]
    digest = cast.cli("digest", "--print", now=TUE + MINUTE).stdout
    assert f"reply from {ea.email} on the thread, whose?" in digest
    assert f"refmail claim ID {ea.email}" in digest
    dana_ref = next(r for r in cast.cli_json("referrals", now=TUE) if r["prospects"][0]["email"] == dana.email)
    cast.cli("claim", dana_ref["id"], ea.email, now=TUE + MINUTE)
    by_prospect = {r["prospects"][0]["email"]: r for r in cast.cli_json("referrals", now=TUE + MINUTE)}
    assert by_prospect[dana.email]["state"] == "replied"
    assert by_prospect[cast.prospect.email]["state"] == "contacted"
    assert "whose?" not in cast.cli("digest", "--print", now=TUE + 2 * MINUTE).stdout


def test_a_reply_that_reads_like_a_meeting_is_offered_as_met_in_the_digest(cast):
    rid, first = contacted(cast)
    cast.send(message(cast.prospect, [cast.owner], "Re: " + first["Subject"],
                      "Perfect, see you Tuesday at 10 at your office.\n\nCarol\n", TUE,
                      in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(TUE)
    digest = cast.cli("digest", "--print", now=TUE + MINUTE).stdout
    assert "LOOKS LIKE A MEETING" in digest
    assert "looks like a meeting with Carol Prospect: mark met?" in digest
    assert f"refmail outcome {rid} met" in digest
    cast.cli("outcome", rid, "met", now=TUE + MINUTE)
    assert "mark met?" not in cast.cli("digest", "--print", now=TUE + 2 * MINUTE).stdout
    [update] = [d for d in cast.cli_json("drafts", now=TUE + MINUTE) if d["kind"] == "meeting_update"]
    assert update["to"] == [cast.referrer.email]
    assert "Carol and I are meeting" in update["body"]


def _ics_reply(cast: Cast, at: datetime, partstat: str) -> OutgoingMail:
    """Carol's calendar answers the owner's invitation for Thursday 10:00 Berlin time (iTIP REPLY)."""
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"] = cast.prospect.formatted(), cast.owner.formatted()
    msg["Subject"] = f"{partstat.capitalize()}: Olivia / Carol"
    msg["Message-ID"] = f"<ics-{partstat.lower()}-{cast.prospect.email}>"
    msg["Date"] = at.strftime("%a, %d %b %Y %H:%M:%S +0000")
    msg.set_content(f"Carol Prospect has {partstat.lower()} this invitation.\n")
    ics = "\r\n".join([
        "BEGIN:VCALENDAR", "PRODID:-//Example Calendar//EN", "VERSION:2.0", "METHOD:REPLY", "BEGIN:VEVENT",
        f"UID:meeting-{cast.prospect.email}", "DTSTAMP:20261117T100000Z",
        "DTSTART;TZID=Europe/Berlin:20261119T100000", "DTEND;TZID=Europe/Berlin:20261119T110000",
        "SUMMARY:Olivia / Carol", f"ORGANIZER;CN=Olivia Owner:mailto:{cast.owner.email}",
        f"ATTENDEE;PARTSTAT={partstat};CN=Carol Prospect:mailto:{cast.prospect.email}",
        "END:VEVENT", "END:VCALENDAR", ""])
    msg.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    return OutgoingMail(msg["Message-ID"].strip("<>"), cast.prospect.email, (cast.owner.email,), msg.as_bytes())


def test_an_accepted_calendar_invitation_marks_the_prospect_met_and_drafts_the_update(cast):
    rid, first = contacted(cast)
    cast.send(_ics_reply(cast, TUE + MINUTE, "ACCEPTED"))
    cast.cycle(TUE + MINUTE)
    ref = cast.cli_json("show", rid, now=TUE + MINUTE)
    assert ref["state"] == "met"
    assert ref["meeting_at"] == "2026-11-19T09:00:00+00:00"  # 10:00 in Berlin
    assert ref["next_action"]["kind"] == "approve_meeting_update"
    [update] = [d for d in cast.cli_json("drafts", now=TUE + MINUTE) if d["kind"] == "meeting_update"]
    assert update["to"] == [cast.referrer.email]
    assert "Carol and I are meeting on Thursday 19 November at 09:00" in update["body"]
    assert "thank you" in update["body"].lower()
    cast.cycle(THU)
    assert kinds(cast, cast.prospect) == ["first_touch"]  # the cadence stopped: no second message
    sources = cast.cli_json("sources", now=THU)
    assert sources[0]["met"] == 1


def test_sources_show_what_you_owe_and_the_intros_you_made_in_return(cast):
    from refmail.demo import intro_email

    rid, first = contacted(cast)
    cast.send(message(cast.prospect, [cast.owner], "Re: " + first["Subject"], "Glad to talk.\n", TUE,
                      in_reply_to=first["Message-ID"].strip("<>")))
    cast.cycle(TUE)
    cast.cli("outcome", rid, "met", now=TUE + MINUTE)  # the update to Alice is drafted, never sent
    soon = TUE + timedelta(days=10)
    assert cast.cli_json("sources", now=soon)[0]["you_owe"] is False  # within reciprocity.owe_after_days
    later = datetime(2026, 12, 21, 9, 0, tzinfo=UTC)  # a Monday, 34 days on
    [alice] = cast.cli_json("sources", now=later)
    assert (alice["email"], alice["met"], alice["intros_made"], alice["you_owe"]) == (
        cast.referrer.email, 1, 0, True)
    assert "You owe" in cast.cli("sources", now=later).stdout
    digest = cast.cli("digest", "--print", now=later).stdout
    assert "You owe" in digest and f"Alice Source <{cast.referrer.email}>" in digest
    # The owner introduces Alice to one of her contacts: an intro in return.
    dave = cast.person("dave", "Dave Buyer")
    cast.send(intro_email(cast.owner, dave, cast.referrer, cast.assistant, later, subject="Intro: Alice <> Dave",
                          body="Alice, meet Dave. Dave, meet Alice: you two should talk.\n\nOlivia\n"))
    cast.cycle(later + MINUTE)
    by_email = {r["email"]: r for r in cast.cli_json("sources", now=later + MINUTE)}
    assert by_email[cast.referrer.email]["intros_made"] == 1
    assert by_email[cast.referrer.email]["you_owe"] is False
    assert by_email[dave.email]["intros_made"] == 1 and by_email[dave.email]["intros"] == 0
    assert "You owe" not in cast.cli("digest", "--print", now=later + MINUTE).stdout


def test_the_second_prospect_of_a_group_answering_the_intro_is_her_own_reply(cast):
    dana, intro = _group_intro(cast, MON - 30 * MINUTE)
    cast.cycle(MON)
    quoted = "\n".join("> " + line for line in intro.data.decode().split("\r\n\r\n", 1)[1].splitlines())
    cast.send(message(dana, [cast.owner, cast.referrer], "Re: Intro: Olivia <> Carol and Dana",
                      f"Thanks Alice! Olivia, lovely to meet you - does Tuesday work?\n\n"
                      f"On Mon, Alice Source wrote:\n{quoted}\n", MON + 5 * MINUTE, in_reply_to=intro.message_id,
                      headers={"Cc": cast.assistant}))
    cast.cycle(MON + 6 * MINUTE)
    by_prospect = {r["prospects"][0]["email"]: r for r in cast.cli_json("referrals", now=MON + 6 * MINUTE)}
    assert by_prospect[dana.email]["state"] == "replied"
    assert by_prospect[cast.prospect.email]["state"] == "awaiting_approval"
    assert len(by_prospect) == 2  # her reply-all quoting the intro is no new intro
