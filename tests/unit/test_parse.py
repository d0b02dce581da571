"""parse_message: bytes -> one normalised ParsedMessage, or a ParseFailure; never an exception."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings, strategies as st

from refmail.domain.parse import addresses, html_to_text, parse_message
from tests.reading import understand
from refmail.domain.types import Identity, ParsedMessage, ParseFailure, Person

OWNER = Identity(Person("Olivia Owner", "owner@example.com"), ("olivia@owner.example",), "assistant@example.com")


def eml(headers: str, body: str = "Hello", ctype: str = "text/plain; charset=utf-8") -> bytes:
    return (headers.strip() + f"\nContent-Type: {ctype}\n\n" + body).encode("utf-8")


def test_addresses_lower_cased_and_message_ids_without_brackets():
    msg = parse_message(eml("""
From: Alice Source <Alice@Example.ORG>
To: "Owner, Olivia" <OWNER@example.com>, carol@EXAMPLE.net
Subject: Hi
Message-ID: <ABC.123@Example.org>
In-Reply-To: <x1@a.example>
References: <x0@a.example> <x1@a.example>
"""))
    assert isinstance(msg, ParsedMessage)
    assert msg.sender == Person("Alice Source", "alice@example.org")
    assert msg.to == (Person("Olivia Owner", "owner@example.com"), Person("", "carol@example.net"))
    assert msg.message_id == "ABC.123@Example.org"
    assert msg.in_reply_to == "x1@a.example"
    assert msg.references == ("x0@a.example", "x1@a.example")


def test_unquoted_last_first_display_name_is_one_person():
    assert addresses("Prospect, Carol <carol@example.net>, bob@example.com") == (
        Person("Carol Prospect", "carol@example.net"), Person("", "bob@example.com"))


def test_rfc2047_names_are_decoded():
    msg = parse_message(eml("From: =?utf-8?b?VG9tw6FzIEdhcmPDrWE=?= <t@example.org>\nTo: owner@example.com\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?="))
    assert msg.sender.name == "Tomás García"
    assert msg.subject == "Grüße"


def test_missing_message_id_gets_a_stable_synthetic_one():
    raw = eml("From: a@example.org\nTo: owner@example.com\nSubject: x")
    first, again = parse_message(raw), parse_message(raw)
    assert first.message_id == again.message_id
    assert first.message_id.startswith("refmail-sha256-") and first.message_id.endswith("@missing")
    assert parse_message(raw + b"!").message_id != first.message_id


def test_broken_charset_is_decoded_not_raised():
    raw = eml("From: a@example.org\nTo: owner@example.com\nSubject: x", ctype="text/plain; charset=x-nonsense")
    assert parse_message(raw.replace(b"Hello", "Café".encode("latin-1"))).text.startswith("Caf")


def test_charsets_labelled_as_windows_labels_them_are_read_in_that_charset():
    """Thai Outlook labels its mail "windows-874", which Python knows only as cp874: the names stayed raw
    "=?windows-874?B?...?=" words (a draft could greet a prospect by one) and the body Latin mojibake."""
    name = base64.b64encode("สมชาย ใจดี".encode("cp874")).decode()
    subject = base64.b64encode("แนะนำให้รู้จัก".encode("cp874")).decode()
    raw = eml(f"From: =?windows-874?B?{name}?= <somchai@example.org>\nTo: owner@example.com\n"
              f"Subject: =?windows-874?B?{subject}?=", ctype="text/plain; charset=windows-874")
    msg = parse_message(raw.replace(b"Hello", "ขอแนะนำคุณแคโรลครับ".encode("cp874")))
    assert msg.sender == Person("สมชาย ใจดี", "somchai@example.org")
    assert msg.subject == "แนะนำให้รู้จัก"
    assert msg.text == "ขอแนะนำคุณแคโรลครับ"
    sjis = eml("From: a@example.org\nTo: owner@example.com\nSubject: x", ctype="text/plain; charset=x-sjis")
    assert parse_message(sjis.replace(b"Hello", "ご紹介します".encode("cp932"))).text == "ご紹介します"


@pytest.mark.parametrize("label", ["zlib", "base64", "rot13", "hex"])
def test_a_charset_naming_a_codec_that_is_no_text_encoding_is_read_as_no_charset(label):
    """Python's codecs include bytes-to-bytes ones; a hostile label naming one must not make the message
    unreadable (it would go to the quarantine instead of being read)."""
    raw = eml(f"From: a@example.org\nTo: owner@example.com\nSubject: =?{label}?B?SGk=?=", ctype=f"text/plain; charset={label}")
    msg = parse_message(raw)
    assert isinstance(msg, ParsedMessage) and msg.text == "Hello"
    assert msg.subject == "Hi"  # the encoded word's bytes, read as unlabelled


def test_html_only_body_becomes_sanitised_text():
    html = "<html><style>p{}</style><script>alert(1)</script><p>Carol, meet Olivia &amp; team.</p></html>"
    msg = parse_message(eml("From: a@example.org\nTo: owner@example.com\nSubject: x", html, "text/html"))
    assert "Carol, meet Olivia & team." in msg.text
    assert "alert" not in msg.text and "<p>" not in msg.text
    assert html_to_text("") == ""


def test_attached_message_is_parsed_recursively():
    raw = (b"From: owner@example.com\nTo: assistant@example.com\nSubject: Fwd\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nsee attached\n'
           b"--b\nContent-Type: message/rfc822\n\nFrom: Alice <alice@example.org>\nTo: owner@example.com, carol@example.net\n"
           b"Subject: Intro\n\nOlivia, meet Carol.\n--b--\n")
    msg = parse_message(raw)
    assert msg.text.strip() == "see attached"
    assert len(msg.attached) == 1
    assert msg.attached[0].sender.email == "alice@example.org"
    assert "meet Carol" in msg.attached[0].text


def test_an_attached_message_whose_type_header_is_one_encoded_word_is_still_read():
    """Mail tools built on Python's email package write a non-ASCII Content-Type as one RFC 2047 word."""
    raw = (b"From: owner@example.com\nTo: assistant@example.com\nSubject: Fwd\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nsee attached\n'
           b"--b\nContent-Type: =?utf-8?q?message/rfc822=3B_name=3D=22Intro_=E2=80=93_Carol=2Eeml=22?=\n"
           b"Content-Disposition: =?utf-8?q?attachment=3B_filename=3D=22Intro_=E2=80=93_Carol=2Eeml=22?=\n\n"
           b"From: Alice <alice@example.org>\nTo: owner@example.com, carol@example.net\n"
           b"Subject: Intro\n\nOlivia, meet Carol.\n--b--\n")
    msg = parse_message(raw)
    assert msg.text.strip() == "see attached"
    assert len(msg.attached) == 1 and msg.attached[0].sender.email == "alice@example.org"
    assert "meet Carol" in msg.attached[0].text


def test_inline_forward_is_an_embedded_message():
    body = ("FYI\n\n---------- Forwarded message ---------\nFrom: Alice Source <alice@example.org>\n"
            "Date: Mon, Mar 3, 2025 at 9:00 AM\nSubject: Intro\nTo: Olivia <owner@example.com>, Carol <carol@example.net>\n\n"
            "Olivia, meet Carol.\n")
    msg = parse_message(eml("From: owner@example.com\nTo: assistant@example.com\nSubject: Fwd: Intro", body))
    inner = msg.embedded[0]
    assert inner.sender.email == "alice@example.org"
    assert [p.email for p in inner.to] == ["owner@example.com", "carol@example.net"]
    assert inner.text.strip() == "Olivia, meet Carol."


def _quoting(attribution: str, cc: str) -> ParsedMessage:
    body = f"Sounds good!\n\n{attribution}\n> Olivia, meet Carol.\n"
    msg = parse_message(eml(f"From: Carol <carol@example.net>\nTo: owner@example.com\nCc: {cc}\nSubject: Re: Intro",
                            body))
    assert isinstance(msg, ParsedMessage)
    return msg


def test_a_name_only_attribution_is_the_person_of_that_name_on_the_message():
    msg = _quoting("On 05.03.2025 09:00, Alice Source wrote:", "Alice Source <alice@example.org>")
    [quoted] = msg.embedded
    assert quoted.sender == Person("Alice Source", "alice@example.org")
    assert quoted.text.strip() == "Olivia, meet Carol."


def test_a_name_only_attribution_that_fits_nobody_or_two_people_names_no_one():
    assert _quoting("On 05.03.2025 09:00, Bob Stranger wrote:", "Alice Source <alice@example.org>").embedded == ()
    two = "Alice Source <alice@example.org>, Alice Source <alice@other.example>"
    assert _quoting("On 05.03.2025 09:00, Alice Source wrote:", two).embedded == ()


def test_a_forwarded_reply_carries_the_message_it_quotes():
    body = ("FYI\n\n-------- Forwarded Message --------\nSubject: Re: Intro\nFrom: Carol <carol@example.net>\n"
            "To: Olivia Owner <owner@example.com>\nCC: Alice Source <alice@example.org>\n\nThanks Alice!\n\n"
            "On 05.03.2025 09:00, Alice Source wrote:\n> Olivia, meet Carol.\n")
    msg = parse_message(eml("From: owner@example.com\nTo: assistant@example.com\nSubject: Fwd: Re: Intro", body))
    [reply] = msg.embedded
    [intro] = reply.embedded
    assert (reply.sender.email, intro.sender.email) == ("carol@example.net", "alice@example.org")


def test_an_encoded_display_name_never_becomes_the_address():
    raw = eml("From: =?utf-8?q?Carol_=3Ccarol=40example=2Enet=3E?= <mallory@evil.test>\nTo: owner@example.com\n"
              "Cc: =?utf-8?q?=3Cowner=40example=2Ecom=3E?= <eve@evil.test>\nSubject: hi")
    msg = parse_message(raw)
    assert msg.sender == Person("", "mallory@evil.test")  # a "name" holding an address is no name at all
    assert [p.email for p in msg.cc] == ["eve@evil.test"]


def test_a_recipient_list_encoded_whole_is_read_decoded_but_a_from_never_is():
    raw = eml("From: =?utf-8?q?Carol_=3Ccarol=40example=2Enet=3E?=\n"
              "To: =?utf-8?q?Sara_M=C3=B8ller_=3Csara=40nordvolt=2Eexample=3E=2C_H?=\n =?utf-8?q?edda_Nygaard_=3Chedda=40kv=2Eexample=3E?=\n"
              "Cc: =?utf-8?q?Kasia_=3Ckasia=40example=2Ecom=3E?= <real@example.com>\nSubject: hi")
    msg = parse_message(raw)
    assert [(p.name, p.email) for p in msg.to] == [("Sara Møller", "sara@nordvolt.example"), ("Hedda Nygaard", "hedda@kv.example")]
    assert [p.email for p in msg.cc] == ["real@example.com"]  # an address as written wins over one encoded
    assert msg.sender is None


def test_a_quoted_writer_named_without_an_address_is_found_by_the_html_parts_mail_link():
    """Foxmail: "From: Ryan O'Neill" in the text part, <a href="mailto:ryan@...">Ryan O'Neill</a> in the HTML."""
    text = ("Thanks Ryan! Moving you to bcc.\n\nFrom: Ryan O'Neill\nDate: 2024-10-15 23:41\nTo: Olivia Owner; Carol\n"
            "Subject: Intro\nOlivia, meet Carol.")
    html = ("<div>Thanks Ryan!</div><div><b>From:</b>&nbsp;<a href=\"mailto:ryan@hardware.example\">Ryan O&#39;Neill</a>"
            "</div><div>Olivia, meet Carol.</div>")
    raw = ("From: Olivia Owner <owner@example.com>\nTo: Carol <carol@example.net>\nSubject: Re: Intro\nMIME-Version: 1.0\n"
           "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n" + text +
           "\n--b\nContent-Type: text/html; charset=utf-8\n\n" + html + "\n--b--\n").encode()
    [quoted] = parse_message(raw).embedded
    assert quoted.sender == Person("Ryan O'Neill", "ryan@hardware.example")


def test_yahoos_mark_of_a_new_message_is_no_reference():
    msg = parse_message(eml("From: barbara@aol.example\nTo: owner@example.com\nSubject: my friend Dot\n"
                            "References: <920441873.3307721.1726169163480.ref@mail.yahoo.com>"))
    assert msg.references == ()
    reply = parse_message(eml("From: barbara@aol.example\nTo: owner@example.com\nSubject: Re: Dot\n"
                              "References: <1.2.ref@mail.yahoo.com> <abc@owner.example>\nIn-Reply-To: <abc@owner.example>"))
    assert reply.references == ("abc@owner.example",)


def test_a_from_naming_several_addresses_has_no_trusted_sender():
    msg = parse_message(eml("From: owner@example.com, mallory@evil.test\nTo: assistant@example.com\nSubject: hi"))
    assert msg.sender is None
    assert any("From names 2 addresses" in d for d in msg.defects)


def test_a_folded_bare_message_id_is_replaced_not_kept():
    raw = b"From: a@example.org\r\nMessage-ID: x1@evil.test\r\n\tz\r\nSubject: s\r\n\r\nhello\r\n"
    msg = parse_message(raw)
    assert msg.message_id.startswith("refmail-sha256-") and not any(c.isspace() for c in msg.message_id)


def test_control_characters_never_stay_in_a_message_id():
    for header in (b"Message-ID: <a\x00b@evil.test>", b"Message-ID: a\x00b@evil.test", b"In-Reply-To: <c\x01d@x.test>"):
        msg = parse_message(b"From: a@example.org\r\n" + header + b"\r\nSubject: s\r\n\r\nhello\r\n")
        assert not any(ord(c) < 32 for c in msg.message_id + (msg.in_reply_to or ""))


def test_raw_utf8_and_latin1_headers_keep_their_letters():
    utf8 = parse_message("From: Lucía Morales <lucia@example.mx>\nCc: Andrés <andres@example.mx>\n"
                         "Subject: Presentación\n\nHola".encode("utf-8"))
    assert (utf8.sender.name, utf8.cc[0].name, utf8.subject) == ("Lucía Morales", "Andrés", "Presentación")
    latin1 = parse_message("From: Jörg Schüler <joerg@example.de>\nSubject: Grüße\n\nDanke".encode("latin-1"))
    assert (latin1.sender.name, latin1.subject) == ("Jörg Schüler", "Grüße")


def test_defects_are_kept():
    raw = b'From: a@example.org\nSubject: x\nContent-Type: multipart/mixed; boundary="zz"\n\n--zz\nContent-Type: text/plain\n\nhi'
    msg = parse_message(raw)
    assert isinstance(msg, ParsedMessage)
    assert msg.defects


def test_unreadable_input_is_a_parse_failure():
    assert isinstance(parse_message(b""), ParseFailure)
    assert isinstance(parse_message(b"   \n"), ParseFailure)
    assert isinstance(parse_message("not bytes"), ParseFailure)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw):
    result = parse_message(raw)
    assert isinstance(result, (ParsedMessage, ParseFailure))
    if isinstance(result, ParsedMessage):
        understand(result, OWNER)


_HEADER = st.sampled_from(["From: ", "To: ", "Cc: ", "Subject: ", "Message-ID: ", "In-Reply-To: ", "Content-Type: ",
                           "Content-Transfer-Encoding: ", "Auto-Submitted: ", "Date: ", "References: "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_HEADER, st.text(max_size=60)), max_size=8), st.text(max_size=800))
def test_email_shaped_noise_never_raises(headers, body):
    raw = "\n".join(k + v.replace("\n", " ") for k, v in headers) + "\n\n" + body
    result = parse_message(raw.encode("utf-8", "surrogateescape"))
    assert isinstance(result, (ParsedMessage, ParseFailure))
    if isinstance(result, ParsedMessage):
        understanding = understand(result, OWNER)
        assert understanding.kind is not None


def test_a_message_id_longer_than_a_line_is_replaced_by_a_stable_stand_in():
    from refmail.app.ingest import message_id_of
    from refmail.domain.parse import parse_message

    raw = b"From: a@example.org\r\nMessage-ID: <" + b"x" * 2000 + b"@example.org>\r\nIn-Reply-To: <" + \
        b"y" * 2000 + b"@x>\r\nSubject: hi\r\n\r\nbody\r\n"
    parsed = parse_message(raw)
    assert parsed.message_id.startswith("refmail-sha256-") and parsed.message_id == message_id_of(raw)
    assert parsed.in_reply_to is None
