"""Issue 8: an intro CC'd to the assistant that detection cannot place becomes a question to the owner."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest

from refmail.domain.types import Person
from tests.e2e.harness import Cast, message

pytestmark = pytest.mark.e2e
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
SUBJECT = "Coffee?"
# Both on the mail, no word of who either is: the intro score sits in the question band. ("I present you
# each other", the missed class issue 8 names, "Olivia, Carol - coffee sometime?" and, to the model fit at
# stop 33, "Are you two free for coffee sometime?" with the assistant copied are intros to the model.)
BODY = "Are you free for coffee next week? {r}\n"


def unsure_intro(cast: Cast) -> None:
    body = BODY.format(p=cast.prospect.name.split()[0], o=cast.owner.name.split()[0], r=cast.referrer.name.split()[0])
    cast.introduce(MONDAY - timedelta(minutes=30), subject=SUBJECT, body=body)
    cast.cycle(MONDAY)


def question_email(cast: Cast) -> Message:
    found = [m for m in cast.inbox(cast.owner) if m["Subject"] == "[refmail] Question: " + SUBJECT]
    assert len(found) == 1, [m["Subject"] for m in cast.inbox(cast.owner)]
    return found[0]


def text_of(msg: Message) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def reply(cast: Cast, question: Message, text: str, at: datetime, sender: Person | None = None,
          headers: dict[str, str] | None = None, token: bool = True) -> None:
    quote = "".join(f"> {line}\n" for line in text_of(question).splitlines() if token or "refmail." not in line)
    cast.send(message(sender or cast.owner, [Person("", cast.assistant)], "Re: " + question["Subject"],
                      f"{text}\n\nOn Mon, 16 Nov 2026 at 09:00, refmail wrote:\n{quote}", at,
                      in_reply_to=question["Message-ID"].strip().strip("<>") if token else None, headers=headers))


def test_an_unplaced_intro_gets_one_question_email_that_the_cli_agrees_with(cast):
    unsure_intro(cast)
    assert cast.cli_json("referrals", now=MONDAY) == []
    question = question_email(cast)
    assert cast.assistant in question["From"] and question["To"] == cast.owner.formatted()
    assert question["Reply-To"] == cast.assistant
    body = text_of(question)
    listed = cast.cli_json("questions", now=MONDAY)
    assert len(listed) == 1
    q = listed[0]
    assert q["subject"] == SUBJECT and cast.referrer.email in q["from"]
    assert q["received_at"].startswith("2026-11-16T09:00")
    assert q["readings"] == [{"referrer": {"name": "Alice Source", "email": cast.referrer.email},
                              "prospects": [{"name": "Carol Prospect", "email": cast.prospect.email}]}]
    # The email numbers the same readings and names the same question ID.
    assert f"1. Alice Source introduced you to Carol Prospect <{cast.prospect.email}>" in body
    assert not re.search(r"^\s*2\. ", body, flags=re.M)
    assert f"refmail answer {q['id']} 1" in body and "referrer: ADDRESS" in body and "no " in body
    assert question["Message-ID"].strip().startswith(f"<refmail.question.{q['id']}.")
    # Asked once: later cycles, and the digest, do not ask again (the digest lists it until answered).
    cast.cycle(MONDAY + timedelta(minutes=1))
    question_email(cast)
    digest = cast.cli("digest", "--print", now=MONDAY + timedelta(minutes=2)).stdout
    assert "QUESTIONS FOR YOU (1)" in digest and f"refmail answer {q['id']} 1" in digest


def test_her_reply_1_creates_the_referral_and_the_first_touch_draft(cast):
    unsure_intro(cast)
    q = cast.cli_json("questions", now=MONDAY)[0]
    reply(cast, question_email(cast), "1", MONDAY + timedelta(minutes=10))
    cast.cycle(MONDAY + timedelta(minutes=15))
    refs = cast.cli_json("referrals", now=MONDAY + timedelta(minutes=15))
    assert len(refs) == 1
    ref = refs[0]
    assert ref["referrer"]["email"] == cast.referrer.email
    assert [p["email"] for p in ref["prospects"]] == [cast.prospect.email]
    assert ref["created_at"].startswith("2026-11-16T09:00")  # timed from the original message, not the answer
    drafts = {d["kind"]: d for d in cast.cli_json("drafts", now=MONDAY + timedelta(minutes=15))}
    first = drafts["first_touch"]
    assert first["to"] == [cast.prospect.email] and first["subject"] == "Alice Source suggested we connect"
    assert first["due_at"].startswith("2026-11-17T09:00")  # one business day after it arrived
    assert cast.cli_json("questions", now=MONDAY + timedelta(minutes=15)) == []
    # Answering again, by email or on the command line, changes nothing.
    again = cast.cli("answer", q["id"], "1", now=MONDAY + timedelta(minutes=16), check=False)
    assert again.returncode == 1 and "already answered" in again.stderr
    assert len(cast.cli_json("referrals", now=MONDAY + timedelta(minutes=16))) == 1


def test_no_closes_the_question_and_creates_nothing(cast):
    unsure_intro(cast)
    reply(cast, question_email(cast), "no", MONDAY + timedelta(minutes=10))
    cast.cycle(MONDAY + timedelta(minutes=15))
    assert cast.cli_json("questions", now=MONDAY + timedelta(minutes=15)) == []
    assert cast.cli_json("referrals", now=MONDAY + timedelta(minutes=15)) == []
    assert cast.cli_json("drafts", now=MONDAY + timedelta(minutes=15)) == []
    assert "QUESTIONS FOR YOU" not in cast.cli("digest", "--print", now=MONDAY + timedelta(minutes=16)).stdout


def test_a_strangers_answer_carrying_the_token_is_refused(cast):
    unsure_intro(cast)
    mallory = cast.person("mallory", "Mallory Intruder", domain="example.org")
    reply(cast, question_email(cast), "1", MONDAY + timedelta(minutes=10), sender=mallory)
    cast.cycle(MONDAY + timedelta(minutes=15))
    assert cast.cli_json("referrals", now=MONDAY + timedelta(minutes=15)) == []
    assert len(cast.cli_json("questions", now=MONDAY + timedelta(minutes=15))) == 1
    digest = cast.cli("digest", "--print", now=MONDAY + timedelta(minutes=16)).stdout
    assert "not from an owner address" in digest and mallory.email in digest


def test_answer_on_the_command_line_with_her_own_reading(cast):
    unsure_intro(cast)
    q = cast.cli_json("questions", now=MONDAY)[0]
    dan = cast.person("dan", "Dan Other")
    done = cast.cli("answer", q["id"], "--referrer", cast.referrer.email, "--prospect", dan.email,
                    now=MONDAY + timedelta(minutes=5))
    assert "referral" in done.stdout
    refs = cast.cli_json("referrals", now=MONDAY + timedelta(minutes=5))
    assert [p["email"] for p in refs[0]["prospects"]] == [dan.email]
    wrong = cast.cli("answer", q["id"], "1", "--prospect", dan.email, now=MONDAY + timedelta(minutes=6), check=False)
    assert wrong.returncode == 2


def test_her_answer_without_the_code_or_with_failed_dkim_is_refused(cast):
    unsure_intro(cast)
    question = question_email(cast)
    reply(cast, question, "1", MONDAY + timedelta(minutes=10), token=False)
    results = "mx.example.com; dkim=fail (bad signature) header.d=example.com; spf=pass smtp.mailfrom=example.com"
    reply(cast, question, "1", MONDAY + timedelta(minutes=11), headers={"Authentication-Results": results})
    cast.cycle(MONDAY + timedelta(minutes=15))
    assert cast.cli_json("referrals", now=MONDAY + timedelta(minutes=15)) == []
    assert len(cast.cli_json("questions", now=MONDAY + timedelta(minutes=15))) == 1
    digest = cast.cli("digest", "--print", now=MONDAY + timedelta(minutes=16)).stdout
    assert "REFUSED APPROVAL ATTEMPTS (2)" in digest
    assert "no question code" in digest and "authentication failed" in digest
