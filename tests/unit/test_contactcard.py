"""Contact cards (vCard) sent with a mail: read as the "Name <address>" lines a signature would show."""

from __future__ import annotations

import base64

from refmail.domain.contactcard import card_lines, with_pasted_cards_read
from refmail.domain.parse import parse_message

APPLE = ("BEGIN:VCARD\nVERSION:3.0\nPRODID:-//Apple Inc.//iPhone OS 18.5//EN\nN:Romanenko;Anastasiia;;;\n"
         "FN:Anastasiia Romanenko\nORG:Kyiv Fresh;\nTITLE:COO\n"
         "item1.EMAIL;type=INTERNET;type=WORK;type=pref:a.romanenko@kyivfresh.example\n"
         "TEL;type=CELL:+380 67 410 22 85\nEND:VCARD\n")


def test_an_iphone_card_is_its_name_address_title_and_organisation():
    assert card_lines(APPLE) == "Anastasiia Romanenko <a.romanenko@kyivfresh.example>\nCOO, Kyiv Fresh"


def test_a_vcard_21_in_quoted_printable_is_decoded_in_its_charset_and_folded_lines_are_joined():
    card = ("BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Pienaar;=C3=89lize\r\n"
            "EMAIL;PREF;INTERNET:elize@pienaar\r\n graan.example\r\nEND:VCARD\r\n")
    assert card_lines(card) == "Élize Pienaar <elize@pienaargraan.example>"  # no FN: the name from N, given name first


def test_a_card_without_an_address_says_nothing():
    assert card_lines("BEGIN:VCARD\nVERSION:3.0\nFN:Esteban Luna\nTEL:+54 9 261\nEND:VCARD\n") == ""
    assert card_lines("not a card at all") == ""


def _with_card(body: str, card: str, ctype: str = "text/x-vcard", subject: str = "Contact") -> bytes:
    encoded = base64.encodebytes(card.encode()).decode()
    return ("From: Sergii Petrenko <s.petrenko@example.org>\nTo: Olivia Owner <owner@example.com>\n"
            f"Subject: {subject}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
            f"--b\nContent-Type: text/plain; charset=utf-8\n\n{body}\n--b\n"
            f"Content-Type: {ctype}; name=\"card.vcf\"\nContent-Disposition: attachment; filename=\"card.vcf\"\n"
            f"Content-Transfer-Encoding: base64\n\n{encoded}\n--b--\n").encode()


def test_an_attached_card_sits_under_what_the_sender_wrote_and_above_what_she_quotes():
    body = "Olivia, her details are on the card.\n\nOn Mon, 3 Mar 2025 at 10:00, Olivia Owner <owner@example.com> wrote:\n> Who?"
    msg = parse_message(_with_card(body, APPLE))
    assert msg.text.index("Anastasiia Romanenko <a.romanenko@kyivfresh.example>") < msg.text.index("On Mon, 3 Mar")
    assert msg.text.startswith("Olivia, her details are on the card.")
    assert msg.carded == {"a.romanenko@kyivfresh.example"}  # the address as a card gives it, not as a text does
    assert msg.embedded and msg.embedded[0].sender.email == "owner@example.com"  # the quote is still read as one


def test_a_forwards_card_is_the_forwarded_messages_own_and_sits_under_it():
    """Gmail and Outlook carry the forwarded message's attachments on the forward: "Piotr's contact is only in
    the attached vCard" was read under the owner's note, so the forwarded intro named nobody to introduce."""
    body = ("Please write to her from the office.\n\n---------- Forwarded message ---------\n"
            "From: Alice Source <alice@example.org>\nDate: Wed, 9 Oct 2024 at 18:37\nSubject: Introduction\n"
            "To: Olivia Owner <owner@example.com>\n\n\nHi Olivia, here is Anastasiia, her card is attached.\n\nAlice")
    msg = parse_message(_with_card(body, APPLE, subject="Fwd: Introduction"))
    assert msg.text.startswith("Please write to her from the office.\n\n---------- Forwarded")
    forwarded = msg.embedded[0]
    assert forwarded.sender.email == "alice@example.org"
    assert forwarded.text.rstrip().endswith("Anastasiia Romanenko <a.romanenko@kyivfresh.example>\nCOO, Kyiv Fresh")


def test_a_card_part_of_any_of_its_types_is_read_and_a_flood_of_cards_is_bounded():
    for ctype in ("text/vcard", "text/x-vcard", "text/directory"):
        assert "kyivfresh.example" in parse_message(_with_card("See the card.", APPLE, ctype)).text
    many = "".join(f"--b\nContent-Type: text/vcard\n\nBEGIN:VCARD\nFN:P {i}\nEMAIL:p{i}@x.example\nEND:VCARD\n"
                   for i in range(50))
    raw = ("From: a@example.org\nTo: owner@example.com\nSubject: Cards\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nCards.\n"
           f"{many}--b--\n").encode()
    assert parse_message(raw).text.count("@x.example>") == 10


def test_a_card_pasted_into_the_text_reads_as_an_attached_one():
    body = f"Please call him, I paste his card below.\n\n-----\n{APPLE}-----\n\nMulugeta"
    msg = parse_message(("From: m@example.org\nTo: owner@example.com\nSubject: Card\n\n" + body).encode())
    assert "Anastasiia Romanenko <a.romanenko@kyivfresh.example>\nCOO, Kyiv Fresh" in msg.text
    assert "BEGIN:VCARD" not in msg.text and msg.text.endswith("Mulugeta")
    assert msg.carded == {"a.romanenko@kyivfresh.example"}
    quoted = "> " + APPLE.replace("\n", "\n> ")
    text, cards = with_pasted_cards_read(f"Card:\n{quoted}")
    assert "Anastasiia Romanenko <a.romanenko@kyivfresh.example>" in text and len(cards) == 1


def test_a_pasted_card_without_an_address_or_an_end_is_left_as_written_and_stays_linear():
    no_address = "BEGIN:VCARD\nFN:Esteban Luna\nTEL:+54 9 261\nEND:VCARD"
    assert with_pasted_cards_read(f"His card:\n{no_address}\nbye") == (f"His card:\n{no_address}\nbye", ())
    hostile = "BEGIN:VCARD\n" * 100_000
    assert with_pasted_cards_read(hostile) == (hostile, ())
