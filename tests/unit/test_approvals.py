"""Approval tokens, answers and sender authentication: the pure half of approving by email."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from refmail.domain import approvals as ap
from refmail.domain.types import ParsedMessage, Person

SECRET = b"s3cret"
OWNER = "owner@example.com"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def message(text: str = "send\n", in_reply_to: str | None = None, references: tuple[str, ...] = (),
            subject: str = "Re: [refmail] Approve: Alice suggested we connect",
            headers: tuple[tuple[str, str], ...] = ()) -> ParsedMessage:
    return ParsedMessage(
        message_id="reply-1@example.com", subject=subject, sender=Person("Olivia", OWNER),
        to=(Person("", "assistant@example.com"),), cc=(), reply_to=(), date=NOW, in_reply_to=in_reply_to,
        references=references, headers=headers, text=text,
    )


def mid(draft: str = "d1234567", issued: datetime = NOW, secret: bytes = SECRET, owner: str = OWNER) -> str:
    return ap.approval_message_id(secret, draft, owner, issued, "example.com")


def test_message_id_carries_a_token_that_checks_out() -> None:
    found = ap.find_token(message(in_reply_to=mid()), SECRET, OWNER, NOW)
    assert found is not None
    ref, verdict = found
    assert (ref.draft_id, verdict) == ("d1234567", ap.TokenCheck.VALID)
    assert ref.issued == NOW


def test_token_depends_on_draft_owner_and_secret() -> None:
    base = ap.token(SECRET, "d1", OWNER, NOW)
    assert base != ap.token(SECRET, "d2", OWNER, NOW)
    assert base != ap.token(SECRET, "d1", "other@example.com", NOW)
    assert base != ap.token(b"other", "d1", OWNER, NOW)
    assert len(base) == 26


def test_token_for_another_draft_is_forged() -> None:
    real = mid("d1111111")
    forged = real.replace("d1111111", "d2222222")
    ref, verdict = ap.find_token(message(in_reply_to=forged), SECRET, OWNER, NOW)  # type: ignore[misc]
    assert verdict is ap.TokenCheck.FORGED and ref.draft_id == "d2222222"


def test_token_made_with_another_secret_is_forged() -> None:
    found = ap.find_token(message(in_reply_to=mid(secret=b"guess")), SECRET, OWNER, NOW)
    assert found is not None and found[1] is ap.TokenCheck.FORGED


def test_token_expires_after_thirty_days() -> None:
    msg = message(in_reply_to=mid())
    assert ap.find_token(msg, SECRET, OWNER, NOW + timedelta(days=29))[1] is ap.TokenCheck.VALID  # type: ignore[index]
    assert ap.find_token(msg, SECRET, OWNER, NOW + timedelta(days=31))[1] is ap.TokenCheck.EXPIRED  # type: ignore[index]


def test_token_found_in_references_and_in_quoted_body() -> None:
    by_refs = message(references=("intro@x", mid()))
    assert ap.find_token(by_refs, SECRET, OWNER, NOW)[1] is ap.TokenCheck.VALID  # type: ignore[index]
    quoted = message(text=f"send\n\n> Approval code: {mid()}\n> (keep it)\n")
    assert ap.find_token(quoted, SECRET, OWNER, NOW)[1] is ap.TokenCheck.VALID  # type: ignore[index]


def test_valid_token_wins_over_a_forged_one() -> None:
    msg = message(in_reply_to=mid("d9999999", secret=b"x"), text=f"ok\n> {mid()}\n")
    ref, verdict = ap.find_token(msg, SECRET, OWNER, NOW)  # type: ignore[misc]
    assert verdict is ap.TokenCheck.VALID and ref.draft_id == "d1234567"


def test_no_token_at_all() -> None:
    assert ap.find_token(message(in_reply_to="something@else"), SECRET, OWNER, NOW) is None


def test_looks_like_approval_by_subject_or_token() -> None:
    assert ap.looks_like_approval(message())
    assert ap.looks_like_approval(message(subject="AW: Re: [refmail] Approve: x"))
    assert ap.looks_like_approval(message(subject="lunch?", in_reply_to=mid()))
    assert not ap.looks_like_approval(message(subject="lunch?"))


@pytest.mark.parametrize("first", ["send", "Send", "SEND!", "yes", "Yes.", "approve", "ok", "OK", "okay"])
def test_send_words(first: str) -> None:
    assert ap.read_answer(f"{first}\n\nOn Mon, 5 Jan 2026, refmail wrote:\n> Hi\n").kind is ap.AnswerKind.SEND


@pytest.mark.parametrize("first", ["skip", "Skip", "no", "No.", "reject"])
def test_skip_words(first: str) -> None:
    assert ap.read_answer(f"{first}\n> quoted\n").kind is ap.AnswerKind.SKIP


def test_other_text_is_the_edited_body_without_quote_attribution_or_signature() -> None:
    text = (
        "Hi Carol,\n\nAlice told me about your work. Coffee next week?\n\nOlivia\n"
        "-- \nOlivia Owner | Example Inc\n\n"
        "On Mon, 5 Jan 2026 at 09:00, refmail <assistant@example.com>\nwrote:\n"
        "> Hi Olivia,\n> the draft\n"
    )
    answer = ap.read_answer(text)
    assert answer.kind is ap.AnswerKind.EDIT
    assert answer.body == "Hi Carol,\n\nAlice told me about your work. Coffee next week?\n\nOlivia\n"


def test_edit_above_an_outlook_style_original() -> None:
    text = "Hello Carol, shall we talk?\n\n-----Original Message-----\nFrom: refmail\nSubject: x\n\nsend\n"
    answer = ap.read_answer(text)
    assert answer == ap.Answer(ap.AnswerKind.EDIT, "Hello Carol, shall we talk?\n")


def test_send_with_more_lines_is_still_send() -> None:
    assert ap.read_answer("send\nthanks!\n").kind is ap.AnswerKind.SEND


def test_empty_answer() -> None:
    assert ap.read_answer("\n\n> send\n").kind is ap.AnswerKind.EMPTY


QUOTE = "\n\nOn Mon, 5 Jan 2026 at 09:00, refmail <assistant@example.com> wrote:\n> Hi Olivia,\n> the draft\n"
SIGNATURE = "\n\nOlivia Owner\nCEO | Example Inc\n+1 555 0100 | www.example.com\n"  # Outlook's, no "-- "
NAMES = ("Olivia Owner", "Olivia")


@pytest.mark.parametrize("said", ["yes please", "Yes, send it", "Looks good!", "Ok \U0001F44D", "send\nthanks!",
                                  "Yes please" + SIGNATURE, "Send\n\nSent from my iPhone"])
def test_everyday_ways_of_saying_send(said: str) -> None:
    assert ap.read_answer(said + QUOTE, NAMES).kind is ap.AnswerKind.SEND


@pytest.mark.parametrize("said", ["No thanks", "skip this one", "Don\u2019t send", "don't send it", "Nope."])
def test_everyday_ways_of_saying_skip(said: str) -> None:
    assert ap.read_answer(said + QUOTE, NAMES).kind is ap.AnswerKind.SKIP


@pytest.mark.parametrize("said", [
    "OK but make it Friday",  # a change she wants: refmail must not guess it, nor send it as the message
    "Send\n\nPS change Thursday to Friday",
    "Send this instead:\nHi Carol, are you free on Friday for a quick call about invoicing?",
    "FYI",  # what is left of a forward
    "Dana, does this look OK to you?",
    "Thursday?",
    "No problem, send it",  # 'no problem' is no 'no': unclear beats a wrong skip
])
def test_an_unclear_answer_is_neither_sent_nor_taken_as_the_message(said: str) -> None:
    assert ap.read_answer(said + QUOTE, NAMES).kind is ap.AnswerKind.UNCLEAR


@pytest.mark.parametrize("tagline", ["Von meinem iPhone gesendet", "Sent from Yahoo Mail for iPhone",
                                     "Sent from Mail for Windows", "Sent with Proton Mail secure email.",
                                     "Envoyé de mon iPhone", "Get Outlook for iOS"])
def test_mobile_taglines_never_reach_the_prospect(tagline: str) -> None:
    answer = ap.read_answer(f"Hi Carol,\n\nCould we talk on Thursday at 10?\n\nBest,\nOlivia\n\n{tagline}" + QUOTE, NAMES)
    assert answer == ap.Answer(ap.AnswerKind.EDIT, "Hi Carol,\n\nCould we talk on Thursday at 10?\n\nBest,\nOlivia\n")


def test_a_bare_outlook_signature_is_no_answer_and_her_signature_stays_on_her_edit() -> None:
    assert ap.read_answer(SIGNATURE.strip() + QUOTE, NAMES).kind is ap.AnswerKind.EMPTY
    edit = "Hi Carol,\n\nAlice tells me you're comparing invoicing tools - happy to help." + SIGNATURE
    answer = ap.read_answer(edit + QUOTE, NAMES)
    assert answer.kind is ap.AnswerKind.EDIT and answer.body.endswith("www.example.com\n")


@pytest.mark.parametrize("marker", ["---------- Forwarded message ---------", "Begin forwarded message:",
                                    "-------- Forwarded Message --------"])
def test_a_forwarded_approval_email_is_never_an_edit(marker: str) -> None:
    text = f"Dana, does this look OK to you?\n\n{marker}\nFrom: refmail <assistant@example.com>\n\nHi Olivia\n"
    assert ap.read_answer(text, NAMES).kind is ap.AnswerKind.UNCLEAR


DOMAINS = frozenset({"example.com"})


@pytest.mark.parametrize("header", [
    "mx.example.com; dkim=fail (signature did not verify) header.d=example.com; spf=pass smtp.mailfrom=example.com",
    "mx.example.com; spf=fail smtp.mailfrom=owner@example.com",
    "mx.example.com; dmarc=fail header.from=example.com",
    "mx.example.com; dkim=fail header.i=@example.com",
])
def test_failed_authentication_for_the_owner_domain_refuses(header: str) -> None:
    msg = message(headers=(("Authentication-Results", header),))
    assert ap.authenticity(msg, DOMAINS)[0] is ap.Authenticity.FAILED


@pytest.mark.parametrize("header", [
    "mx.example.com; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com",
    "mx.example.com; dkim=fail header.d=mailinglist.org; dkim=pass header.d=example.com",
    "mx.example.com; none",
    "mx.example.com; spf=pass (dkim=fail header.d=example.com in a comment) smtp.mailfrom=example.com",
])
def test_passing_or_unrelated_results_do_not_refuse(header: str) -> None:
    msg = message(headers=(("Authentication-Results", header),))
    assert ap.authenticity(msg, DOMAINS)[0] is ap.Authenticity.PASS


def test_no_authentication_results_is_not_a_failure() -> None:
    assert ap.authenticity(message(), DOMAINS) == (ap.Authenticity.PASS, "")


def test_message_id_shape_is_a_valid_msg_id() -> None:
    value = mid()
    assert value.startswith("refmail.approve.d1234567.") and value.endswith("@example.com")
    assert " " not in value and "<" not in value
    assert replace(message(), in_reply_to=value).thread_ids[0] == value


def test_a_crafted_out_of_range_reference_is_ignored_not_an_error():
    from refmail.domain.approvals import find_refs
    from refmail.domain.types import ParsedMessage

    crafted = "refmail.approve.dabc1234.zzzzzzzzzzzzzz." + "a" * 26 + "@example.com"
    msg = ParsedMessage("m@x", "Re: x", None, (), (), (), None, crafted, (crafted,), (), f"see {crafted}")
    assert find_refs(msg) == ()
