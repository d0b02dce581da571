"""The vocabulary of mail text: every variant an earlier copy recognised is still recognised, by every reader.

Before refmail/domain/mailtext.py, four modules each had their own list; the cases below name which copy
accepted each variant, so a narrowing of the shared patterns shows up as the reader that lost it.
"""

from __future__ import annotations

import pytest

from refmail.domain.approvals import AnswerKind, looks_like_approval, read_answer
from refmail.domain.introline import about_prospect
from refmail.domain.mailtext import (first_name, first_names, given_name, is_forward_subject, is_honorific,
                                     is_reply_subject, new_text, without_prefixes, without_reply_prefixes)
from refmail.domain.questions import QUESTION_SUBJECT, looks_like_answer
from refmail.domain.quoted import embedded_messages
from refmail.domain.replytext import reply_text
from refmail.domain.types import ParsedMessage, Person

# ---- subjects -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject", ["Re: Intro", "RE:Intro", "AW: Intro", "SV: Intro", "Antw: Intro", "Réf : Intro",
                                     "Rif: Intro", "R: Intro", "Re[2]: Intro", "  re : Intro",
                                     # the words Outlook and Gmail write in their users' languages
                                     "RES: Intro", "Odp: Intro", "ODG: Intro", "VS: Intro", "Vá: Intro", "YNT: Intro",
                                     "Ynt: YNT: Intro", "Răsp: Intro", "ATB: Intro", "BLS: Intro", "ΑΠ: Intro", "Отв: Intro",
                                     "回复：Intro", "答复: Intro", "回覆：Intro", "返信: Intro", "회신: Intro", "답장: Intro"])
def test_reply_prefixes(subject):
    assert is_reply_subject(subject) and not is_forward_subject(subject)
    assert without_reply_prefixes(subject) == "Intro"


@pytest.mark.parametrize("subject", ["Fwd: Intro", "FW: Intro", "Fw : Intro", "WG: Intro", "TR: Intro", "RV: Intro",
                                     "ENC: Intro", "Fwd[3]: Intro", "İLT: Intro", "ILT: Intro", "PD: Intro", "VL: Intro",
                                     "TOVÁBB: Intro", "I: Intro", "ΠΡΘ: Intro", "Пересл: Intro", "转发：Intro", "轉寄: Intro",
                                     "転送: Intro", "전달: Intro"])
def test_forward_prefixes(subject):
    assert is_forward_subject(subject) and not is_reply_subject(subject)
    assert without_prefixes(subject) == "Intro"


def test_prefixes_stack_and_words_that_only_start_alike_are_kept():
    assert without_reply_prefixes("Re: AW: Re[2]: Intro") == "Intro"
    assert without_reply_prefixes("Fwd: Intro") == "Fwd: Intro"  # a forward says something: kept here
    assert without_prefixes("Re: Fwd: WG: Intro") == "Intro"
    for subject in ("Regarding the intro", "Reply needed", "Fwdx: Intro", "Trip: Lisbon", "Rvsp", "Is it: Intro",
                    "Vsauce: Intro", "PDF: Intro", "Interview: Carol"):
        assert not is_reply_subject(subject) and not is_forward_subject(subject), subject


def _msg(subject: str) -> ParsedMessage:
    return ParsedMessage(message_id="m@x", subject=subject, sender=None, to=(), cc=(), reply_to=(), date=None,
                         in_reply_to=None, references=(), headers=(), text="yes")


@pytest.mark.parametrize("prefix", ["Re: ", "AW: ", "SV: ", "Antw: ", "Fwd: ", "Fw: ", "WG: ", "Re: Re: ", "Re: Fwd: "])
def test_an_approval_answer_is_known_by_its_subject_under_any_prefix(prefix):
    assert looks_like_approval(_msg(prefix + "[refmail] Approve: thank-you to Alice"))


# ---- separators, attributions and header blocks -------------------------------------------------------------

SEPARATORS = [
    "-----Original Message-----",  # Outlook (all three copies)
    "--Original Message--",  # two dashes: replytext and approvals
    "---------- Forwarded message ---------",  # Gmail
    "---------- Forwarded message",  # no trailing dashes: replytext
    "-------- Message transféré --------",
    "-----Ursprüngliche Nachricht-----",
    "---------- Weitergeleitete Nachricht ----------",
    "-------- Mensaje reenviado --------",
    "-----Mensaje original-----",
    "-----Message d'origine-----",
    "-----Oorspronkelijk bericht-----",  # nl, it, pt, no, sv: quoted only
    "---------- Doorgestuurd bericht ----------",
    "-----Messaggio originale-----",
    "---------- Messaggio inoltrato ---------",
    "-----Mensagem original-----",
    "---------- Mensagem encaminhada ---------",
    "-----Opprinnelig melding-----",
    "---------- Videresendt melding ----------",
    "-----Ursprungligt meddelande-----",
    "Begin forwarded message:",  # Apple Mail
    "________________________________",  # Outlook on the web
    "-----元のメッセージ-----",  # Outlook, Japanese
    "---------- 転送されたメッセージ ---------",  # Gmail, Japanese
    "転送されたメッセージ:",  # Apple Mail, Japanese
    "-----原始邮件-----",  # Outlook and Foxmail, Chinese
    "-----원본 메시지-----",  # Outlook, Korean
    "-----الرسالة الأصلية-----",  # Outlook, Arabic
    "---------- Προωθημένο μήνυμα ---------",  # Gmail, Greek
    "Αρχή προωθημένου μηνύματος:",  # Apple Mail, Greek
    "Početak proslijeđene poruke:",  # Apple Mail, Croatian
    "---------- Пересылаемое сообщение ---------",  # Gmail, Russian
    "-----Eredeti üzenet-----",  # Outlook, Hungarian
    "---------- Välitetty viesti ---------",  # Gmail, Finnish
    "---------- Yönlendirilmiş ileti ---------",  # Turkish
    "開始轉寄的郵件：",  # Apple Mail, Traditional Chinese
    "---------- Áframsend skilaboð ---------",  # Gmail and Thunderbird, Icelandic
    "Upphaf áframsends skeytis:",  # iOS Mail, Icelandic
    "---------- Mesej yang dimajukan ---------",  # Gmail, Malay
    "----- Mesej Dimajukan -----",  # Yahoo, Malay
    "---------- გადაგზავნილი შეტყობინება ---------",  # Gmail, Georgian
    "---------- Ujumbe uliosambazwa ---------",  # Gmail, Swahili
]
BLOCK = "From: Alice Source <alice@example.org>\nSent: Monday, 3 March 2025 10:00\nTo: Olivia <owner@example.com>\n" \
        "Subject: Intro\n\nOlivia, meet Carol."


def _every_reader_stops_above(text: str, head: str) -> None:
    """The owner's answer, an intro read for its words and a prospect's reply all end above the quote."""
    assert new_text(text) == head
    assert new_text(text, below_quotes=True) == head
    assert reply_text(text) == head


@pytest.mark.parametrize("line", SEPARATORS)
def test_each_separator_ends_the_new_text_and_opens_an_embedded_message(line):
    text = f"See below.\n\n{line}\n{BLOCK}\n"
    _every_reader_stops_above(text, "See below.")
    found = embedded_messages(text)
    assert found and found[0].sender == Person("Alice Source", "alice@example.org")
    assert found[0].text.strip() == "Olivia, meet Carol."


def test_lotus_notes_forwarded_by_line_ends_the_new_text():  # replytext's copy only
    text = "FYI\n\n---------------------- Forwarded by Alice Source/Acme on 03/03/2025 10:00 ---------------------------\n" + BLOCK
    assert new_text(text) == "FYI" and reply_text(text) == "FYI"


ATTRIBUTIONS = [
    "On Mon, Mar 3, 2025 at 9:00 AM Alice Source <alice@example.org> wrote:",
    "Am Mo., 3. März 2025 um 09:00 Uhr schrieb Alice Source <alice@example.org>:",
    "Le lun. 3 mars 2025 à 09:00, Alice Source <alice@example.org> a écrit :",
    "El lun, 3 mar 2025 a las 9:00, Alice Source (<alice@example.org>) escribió:",
    "Op ma 3 mrt. 2025 om 09:00 schreef Alice Source <alice@example.org>:",  # quoted only, like those below
    "Il giorno lun 3 mar 2025 alle ore 09:00 Alice Source <alice@example.org> ha scritto:",
    "Em seg., 3 de mar. de 2025 às 09:00, Alice Source <alice@example.org> escreveu:",
    "Den mån 3 mars 2025 kl 09:00 skrev Alice Source <alice@example.org>:",
    "On Mon, Mar 3, 2025 at 9:00 AM Alice Source\n<alice@example.org> wrote:",  # wrapped over two lines
    "Alice Source <alice@example.org> schreef op 3 maart 2025 09:00:",  # the writer before the verb
    "--- On Mon, 3 Mar 2025 09:00:00 +0530, Alice Source <alice@example.org> wrote:",  # Yahoo, Rediff
    "2025年3月3日(月) 9:00 Alice Source <alice@example.org>:",  # Gmail, Japanese: the date first
    "2025/03/03 9:00、Alice Source <alice@example.org>のメール:",  # Apple Mail, Japanese
    "2025年3月3日 09:00，Alice Source <alice@example.org> 写道：",  # Gmail, Chinese
    "2025년 3월 3일 (월) 오전 9:00, Alice Source <alice@example.org>님이 작성:",  # Gmail, Korean
    "في الاثنين، 3 مارس 2025 في 9:00 ص، كتب Alice Source <alice@example.org>:",  # Gmail, Arabic
    "A 03/03/2025, às 09:00, Alice Source <alice@example.org> escreveu:",  # iOS Mail, Portuguese
    "W dniu 03.03.2025 o 09:00, Alice Source <alice@example.org> pisze:",  # Thunderbird, Polish
    "Wiadomość napisana przez Alice Source <alice@example.org> w dniu 03.03.2025, o godz. 09:00:",  # Apple Mail, Polish
    "Op Ma., 3 Mrt. 2025 om 09:00 het Alice Source <alice@example.org> geskryf:",  # Gmail, Afrikaans
    "在 2025年3月3日，09:00，Alice Source <alice@example.org> 写道：",  # iOS Mail, Chinese
    "Op 3 mrt 2025, om 09:00 heeft Alice Source <alice@example.org> het volgende geschreven:",  # Apple Mail, Dutch
    "Alice Source <alice@example.org>, 3 Mar 2025 Pzt, 09:00 tarihinde şunu yazdı:",  # Gmail, Turkish
    "3 Mar 2025 tarihinde 09:00 saatinde, Alice Source <alice@example.org> şunları yazdı:",  # iOS Mail, Turkish
    "---- On Mon, 03 Mar 2025 09:00:11 +0530 Alice Source <alice@example.org> wrote ---",  # Zoho Mail
    "Vào Th 2, 3 thg 3, 2025 vào lúc 09:00 Alice Source <alice@example.org> đã viết:",  # Gmail, Vietnamese
    "Dne 3. 3. 2025 v 9:00 Alice Source <alice@example.org> napsal(a):",  # Apple Mail, Czech
    "2025. 3. 3. 오전 9:00, Alice Source <alice@example.org> 작성:",  # iOS Mail, Korean
    "Στις 3 Μαρ 2025, στις 09:00, ο χρήστης Alice Source <alice@example.org> έγραψε:",  # iOS Mail, Greek
    "pon, 3. ožu 2025. u 09:00 Alice Source <alice@example.org> napisao je:",  # Gmail, Croatian: the weekday leads
    "ma 3.3.2025 klo 9.00 Alice Source <alice@example.org> kirjoitti:",  # Gmail, Finnish
    "пн, 3 мар. 2025 г. в 09:00, Alice Source <alice@example.org>:",  # Gmail, Russian: no verb
    "Alice Source <alice@example.org> ezt írta (időpont: 2025. márc. 3., H, 9:00):",  # Gmail, Hungarian
    "Pe lun., 3 mar. 2025 la 09:00, Alice Source <alice@example.org> a scris:",  # Gmail, Romanian
    "3 бер. 2025 р. о 09:00 Alice Source <alice@example.org> написав(-ла):",  # iOS Mail, Ukrainian
    "Alice Source <alice@example.org> 於 2025年3月3日 週一 上午9:00寫道：",  # Gmail, Traditional Chinese: writer first
    "Alice Source <alice@example.org> 于2025年3月3日周一 09:00写道：",  # Gmail, Simplified Chinese
    "Il giorno lun 3 mar 2025 alle ore 09:00 Alice Source <alice@example.org> ha\nscritto:",  # Gmail wraps inside the verb
    '2025. 3. 3. 오전 9:00에 "Alice Source" <alice@example.org>이(가) 작성함:',  # newer iOS Mail, Korean
    "於 2025年3月3日 上午9:00，Alice Source <alice@example.org> 寫道：",  # iOS Mail, Traditional Chinese
    "ti 3.3.2025 klo 9.00 Alice Source (alice@example.org)\nkirjoitti:",  # Gmail, Finnish: the address in brackets
    "Þann mán., 3. mar. 2025 kl. 09:00 skrifaði Alice Source <alice@example.org>:",  # Gmail, Icelandic: the verb first
    "2025. márc. 3. dátummal, 09:00 időpontban Alice Source <alice@example.org> írta:",  # iOS Mail, Hungarian
    "Am Mo., 3. März 2025 um 09:00 Uhr schrieb Alice Source <\nalice@example.org>:",  # Gmail wraps inside the brackets
]


@pytest.mark.parametrize("line", ATTRIBUTIONS)
def test_each_attribution_ends_the_new_text_and_names_the_quoted_writer(line):
    text = f"Happy to.\n\n{line}\n> Olivia, meet Carol.\n"
    _every_reader_stops_above(text, "Happy to.")
    assert read_answer(text).kind is AnswerKind.UNCLEAR  # "Happy to." alone, nothing quoted read as an answer
    found = embedded_messages(text)
    assert found and found[0].sender is not None and found[0].sender.email == "alice@example.org"


@pytest.mark.parametrize("line,name", [
    ('2025. 3. 3. 오전 9:00에 "Alice Source" <alice@example.org>이(가) 작성함:', "Alice Source"),  # no particle in the name
    ('On Mon, 3 Mar 2025 at 09:00, "Source, Alice" <alice@example.org> wrote:', "Alice Source"),  # the quotes hold the comma
])
def test_the_quoted_writers_name_is_read_whole_from_the_attribution(line, name):
    assert embedded_messages(f"Happy to.\n\n{line}\n> Olivia, meet Carol.\n")[0].sender == Person(name, "alice@example.org")


def test_a_long_attribution_line_is_still_one():  # approvals read up to 300 characters on the line
    line = "On Monday, the third of March 2025, at nine in the morning, " + "x" * 150 + " Alice Source <alice@example.org> wrote:"
    assert 200 < len(line) < 300
    assert new_text(f"Send\n{line}\n> draft") == "Send"
    assert embedded_messages(f"Send\n{line}\n> draft")[0].sender.email == "alice@example.org"


@pytest.mark.parametrize("block", [
    "From: Alice Source <alice@example.org>\nSent: Monday",  # Outlook (replytext: From and Sent)
    "*From:* Alice Source <alice@example.org>\n*Sent:* Monday",  # bold, from HTML mail
    "Von: Alice Source <alice@example.org>\nGesendet: Montag",
    "De : Alice Source <alice@example.org>\nEnvoyé : lundi",
    "From: Alice Source <alice@example.org>",  # a bare From line (approvals)
    "差出人: Alice Source <alice@example.org>\n送信日時: 2025年3月3日 10:00",  # Outlook, Japanese
    "差出人：Alice Source <alice@example.org>\n件名：紹介",  # full-width colons
    "Šalje: Alice Source <alice@example.org>\nPoslano: četvrtak, 6. veljače 2025. 11:12",  # Outlook, Croatian
    "Από: Alice Source <alice@example.org>\nΣτάλθηκε: Τρίτη, 21 Ιανουαρίου 2025 8:33 πμ",  # Outlook, Greek
    "Gönderen: Alice Source <alice@example.org>\nGönderildi: 3 Mart 2025 Pazartesi 10:00",  # Outlook, Turkish
    "寄件人: Alice Source <alice@example.org>\n日期: 2025年3月3日 上午10:00",  # Apple Mail, Traditional Chinese
])
def test_an_outlook_header_block_ends_the_new_text(block):
    text = f"Go ahead.\n\n{block}\nTo: Olivia\n\nthe draft"
    assert new_text(text) == "Go ahead."
    assert new_text(text, below_quotes=True) == "Go ahead."


@pytest.mark.parametrize("line", [
    "----- Forwarded Message ----- From: Alice Source <alice@example.org>To: Olivia Owner <owner@example.com>Cc: Carol "
    "Prospect <carol@example.net>Sent: Thursday, May 8, 2025, 08:15:33 PM GMT+1Subject: Intro",
    "   ----- Mensaje reenviado ----- De: Alice Source <alice@example.org>Para: Olivia Owner <owner@example.com>; Carol "
    "Prospect <carol@example.net>Enviado: jueves, 8 de mayo de 2025, 20:15:33 GMT-3Asunto: Intro",
    # Yahoo Mail for Android spaces its glued fields, and in French puts a space before each colon.
    '   ----- Message transféré -----   De\xa0: "Alice Source" <alice@example.org>   À\xa0: "Olivia Owner" <owner@example.com>'
    '   Cc : "Carol Prospect" <carol@example.net>   Envoyé\xa0: dim., 20 oct. 2024 à 21:14   Objet\xa0: Intro',
], ids=["en", "es", "fr-android"])
def test_yahoos_plain_text_forward_with_its_fields_glued_on_the_separator_line(line):
    text = f"FYI, please track.\n\n{line}\n\nOlivia, meet Carol.\nAlice"
    assert new_text(text) == "FYI, please track."
    found = embedded_messages(text)[0]
    assert found.sender == Person("Alice Source", "alice@example.org") and found.subject == "Intro"
    assert {"owner@example.com", "carol@example.net"} <= {p.email for p in found.to + found.cc}
    assert found.text.strip().startswith("Olivia, meet Carol.")


def test_an_ios_forward_quotes_its_header_block_in_the_language_of_the_phone():
    text = ("Uusi.\n\nLähetetty iPhonesta\n\nVälitetty viesti alkaa:\n\n> Lähettäjä: Alice Source <alice@example.org>\n"
            "> Päiväys: 21. helmikuuta 2025 klo 18.20.36 UTC+2\n> Vastaanottaja: Olivia Owner <owner@example.com>\n"
            "> Kopio: Carol Prospect <carol@example.net>\n> Aihe: Intro\n> \n> Olivia, meet Carol.\n")
    found = embedded_messages(text)[0]
    assert found.sender == Person("Alice Source", "alice@example.org")
    assert found.cc == (Person("Carol Prospect", "carol@example.net"),) and found.text.strip() == "Olivia, meet Carol."


@pytest.mark.parametrize("date_line", ["> Dată: 2 mai 2023 la 17:31:09 EEST", "> Zeitpunkt: 2.5.2023 17:31",
                                       "> Sent on: 2 May 2023"])
def test_a_date_field_no_list_knows_does_not_end_the_block_and_lose_its_sender(date_line):
    """Romanian iOS writes "Dată:", a word no client list here held: the block still reads to its end."""
    text = ("Te rog trimite-i 3 sloturi.\n\nÎnceput mesaj redirecționat:\n\n> De la: Alice Source <alice@example.org>\n"
            f"{date_line}\n> Către: Carol Prospect <carol@example.net>, Olivia Owner <owner@example.com>\n"
            "> Subiect: Mise en relation\n> \n> Chère Olivia, cher Carol,\n")
    found = embedded_messages(text)[0]
    assert found.sender == Person("Alice Source", "alice@example.org") and found.subject == "Mise en relation"
    assert {p.email for p in found.to} == {"carol@example.net", "owner@example.com"}
    assert found.text.strip() == "Chère Olivia, cher Carol,"


def test_people_under_a_field_name_no_list_knows_are_read_as_copied():
    """Arabic Gmail's Cc reads "نسخة إلى:"; the prospect it names must not vanish from the forwarded intro."""
    text = ("تابعوا لو سمحتم\n\n---------- Forwarded message ---------\nمن: Alice Source <alice@example.org>\n"
            "الموضوع: تعارف\nإلى: Olivia Owner <owner@example.com>\nنسخة إلى: Carol Prospect <carol@example.net>\n\n"
            "Olivia, meet Carol.\n")
    found = embedded_messages(text)[0]
    assert found.cc == (Person("Carol Prospect", "carol@example.net"),) and found.text.strip() == "Olivia, meet Carol."


@pytest.mark.parametrize("sender_field", ["No", "Nga", "Frà"])
def test_a_block_whose_sender_field_no_list_knows_is_vouched_for_by_the_known_fields_under_it(sender_field):
    """Latvian Outlook writes "No:" over "Nosūtīts:", "Kam:", "Tēma:": the sender's field name was in no list, so
    the forwarded intro read as the owner's own text. Two known fields under a field naming an address make
    the block, whatever its first word."""
    text = ("Ilze, lūdzu sazinies ar Aleksandru.\n\nK.\n\n"
            f"{sender_field}: Андрей Волков <a.volkovs@lizings24.example> \n"
            "Nosūtīts: pirmdiena, 2023. gada 3. jūlijs 21:12\n"
            "Kam: Aleksandrs Fjodorovs <aleksandrs@kriptovarti.example>; Olivia Owner <owner@example.com>\n"
            "Tēma: Саша – Карлис\n\nСаша, Карлис – знакомьтесь.\n")
    _assert_forwarded(text, Person("Андрей Волков", "a.volkovs@lizings24.example"), "Саша – Карлис",
                      {"aleksandrs@kriptovarti.example", "owner@example.com"}, "Саша, Карлис – знакомьтесь.")
    assert new_text(text) == "Ilze, lūdzu sazinies ar Aleksandru.\n\nK."


def _assert_forwarded(text: str, sender: Person, subject: str, to: set[str], body: str,
                      cc: set[str] = frozenset(), above: str | None = None) -> None:
    """The first message ``text`` carries, as read; ``above``: what its forwarder newly wrote over it."""
    found = embedded_messages(text)[0]
    assert found.sender == sender and found.subject == subject
    assert {p.email for p in found.to} == to and {p.email for p in found.cc} == cc
    assert found.text.strip() == body
    if above is not None:
        assert new_text(text) == above


def test_welsh_outlook_and_baltic_attributions_open_the_quoted_intro():
    """Outlook in Welsh writes "Oddi wrth:", "Anfonwyd:", "At:", "Pwnc:" (no field a list held, so nothing vouched
    for the block); Lithuanian iOS and Gmail end an attribution with "rašė:". The owner's BCC'd reply-alls and
    forwards read as her own text (a Cardiff and a Kaunas writer, 18 intros)."""
    welsh = ("Diolch Meleri, symud di i bcc.\n\nOddi wrth: Meleri Thomas <meleri@example.org>\n"
             "Anfonwyd: 05 Gorffennaf 2023 16:02\nAt: Olivia Owner <owner@example.com>; Jonathan Marsh <jon@example.net>\n"
             "Pwnc: Introduction: Jonathan Marsh / Olivia\n\nOlivia, meet Jonathan.\n")
    _assert_forwarded(welsh, Person("Meleri Thomas", "meleri@example.org"), "Introduction: Jonathan Marsh / Olivia",
                      {"owner@example.com", "jon@example.net"}, "Olivia, meet Jonathan.")
    assert new_text(welsh) == "Diolch Meleri, symud di i bcc."
    lithuanian = "Ačiū, perkeliu į bcc.\n\n> 2023-04-23 20:41, Antanas <antanas@example.org> rašė:\n> Olivia, susipažinkite.\n"
    assert new_text(lithuanian) == "Ačiū, perkeliu į bcc."
    assert embedded_messages(lithuanian)[0].sender.email == "antanas@example.org"


def test_a_signature_line_naming_an_address_is_no_header_block():
    """Only fields every list holds vouch for an unknown first field: a signature's "E-mail:" over "Tel:" and
    "Web:" lines stays the sender's text, and so does one over a single known field."""
    signature = "Thanks,\nAlice\nE-mail: alice@example.org\nTel: +371 2914 7730\nWeb: https://example.org\n"
    assert embedded_messages(signature) == () and new_text(signature) == signature.strip()
    one_field = "Thanks,\nAlice\nE-mail: alice@example.org\nDate: Monday\nSee you then.\n"
    assert embedded_messages(one_field) == () and new_text(one_field) == one_field.strip()


def test_a_body_line_with_a_colon_is_not_read_as_a_field_of_the_block():
    text = "FYI\n\nFrom: Alice Source <alice@example.org>\nSubject: Intro\nOlivia: meet Carol, we met at 10.\n"
    found = embedded_messages(text)[0]
    assert found.subject == "Intro" and found.text.strip() == "Olivia: meet Carol, we met at 10."


def test_thunderbird_in_serbian_cyrillic_forwards_and_quotes_in_its_own_words():
    forward = ("Zakaži mu 30 min.\n\n-------- Прослеђена порука --------\nТема: \tVuk / Carol - upoznajte se\n"
               "Датум: \tSat, 9 Sep 2023 22:14:37 +0200\nШаље: \tAlice Source <alice@example.org>\n"
               "Прима: \tOlivia Owner <owner@example.com>, Carol Prospect\n <carol@example.net>\n\n\n\nSeko, ovo je Carol.\n")
    _assert_forwarded(forward, Person("Alice Source", "alice@example.org"), "Vuk / Carol - upoznajte se",
                      {"owner@example.com", "carol@example.net"}, "Seko, ovo je Carol.")
    reply = "Hvala, prebacujem te u bcc.\n\nДана 12. 4. 2024. у 10:15, Alice Source је написао/ла:\n> Draga Olivia, evo Carol.\n"
    assert new_text(reply) == "Hvala, prebacujem te u bcc."


def test_slovenian_ios_and_greek_gmail_attributions_open_the_quoted_intro():
    """iOS in Slovenian writes "napisal(-a)" inside the quote; Greek Gmail puts an article before a name with
    no address ("ο/η Πέτρος ... έγραψε:"), resolved by the address the quote spells under it."""
    slovenian = ("Hvala Marko, te dam v bcc.\n\nPoslano iz mojega iPhona\n\n> Dne 7. mar. 2023 ob 09:12 je Alice Source "
                 "<alice@example.org> napisal(-a):\n> \n> Bok Olivia, bok Carol,\n")
    assert embedded_messages(slovenian)[0].sender == Person("Alice Source", "alice@example.org")
    greek = ("Ευχαριστώ Πέτρο!\n\nΣτις 13/3/2024 9:47 π.μ., ο/η Πέτρος Σακελλαρίου έγραψε:\n> Καλημέρα Δέσποινα!\n>\n"
             "> Πέτρος Σακελλαρίου\n> petros@sakellariou.example\n")
    assert embedded_messages(greek)[0].sender == Person("Πέτρος Σακελλαρίου", "petros@sakellariou.example")


def test_a_turkish_forward_names_its_writer_by_gonderen():
    text = ("Kamran Bey'e yazabilirsin.\n\n---------- Yönlendirilmiş ileti ---------\nGönderen: Alice Source "
            "<alice@example.org>\nTarih: 3 Eyl 2026 Per, 15:48\nKonu: Tanışma\nKime: <owner@example.com>\n\nOlivia, meet Carol.")
    assert new_text(text) == "Kamran Bey'e yazabilirsin."
    assert embedded_messages(text)[0].sender == Person("Alice Source", "alice@example.org")


def test_quoted_lines_end_an_answer_but_not_an_inline_reading():
    text = "ok\n> Hi Carol,\n> the draft\nbut make it Friday\n"
    assert new_text(text) == "ok"
    assert new_text(text, below_quotes=True) == "ok\nbut make it Friday"


@pytest.mark.parametrize("tagline", ["-- ", "--", "—", "Sent from my iPhone", "Sent with Proton Mail",
                                     "Get Outlook for iOS", "iPhoneから送信", "Von meinem iPhone gesendet", "Gesendet von Mail für Windows",
                                     "Envoyé de mon iPhone", "Enviado desde mi iPhone", "從我的 iPhone 傳送"])
def test_a_tagline_ends_an_answer_and_a_reply(tagline):
    text = f"Yes, send it.\n{tagline}\nOlivia Owner\n"
    assert new_text(text) == "Yes, send it."
    assert reply_text(text) == "Yes, send it."
    assert new_text(f"{tagline}\nOlivia") == ""  # an answer that is only a tagline says nothing


# ---- people -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,first", [
    ("Jane Smith", "Jane"), ("Smith, Jane", "Jane"), ("Smith, Jane Ann", "Jane"), ("Dr. Jane Smith", "Jane"),
    ("Dr Jane Smith", "Jane"), ("Prof. Dr. Hans Weber", "Hans"), ("Mr. Dan Brown", "Dan"), ("Mme Claire Petit", "Claire"),
    ("Herr Jonas Berg", "Jonas"), ("Sra. Lucía Gómez", "Lucía"), ("Ing. Pavel Novák", "Pavel"),
    ("Arch. Giulia Ferri", "Giulia"), ("Dott. Marco Rossi", "Marco"), ("Dott.ssa Elena Conti", "Elena"),
    ("Avv. Paolo Greco", "Paolo"), ("Mag. Eva Huber", "Eva"), ("Dipl.-Ing. Karl Maier", "Karl"),
    ("Weber, Prof. Hans", "Hans"), ("", ""), ("Dr.", ""),
])
def test_given_name_leaves_titles_out(name, first):
    assert given_name(name) == first


def test_first_name_falls_back_to_the_address():
    assert first_name(Person("", "carol.prospect@x.org")) == "Carol"
    assert first_name(Person("", "carol_p@x.org")) == "Carol"
    assert first_name(Person("Dr.", "jane.smith@x.org")) == "Jane"
    assert first_name(None) == ""


def test_first_names_a_text_may_use():
    people = (Person("Smith, Dr. Jane", "jsmith@x.org"), Person("", "bo@y.org"), Person("Carl Ek", "carl.ek@z.se"))
    assert first_names(people) == {"jane", "jsmith", "carl"}  # "bo" is too short to look for in a text


@pytest.mark.parametrize("word", ["Dr", "dr.", "PROF.", "Ing.", "Arch.", "Dott.", "Avv.", "Mag.", "Dipl.-Ing.", "Mrs"])
def test_honorifics(word):
    assert is_honorific(word)


@pytest.mark.parametrize("word", ["Jane", "Ingrid", "Archie", "Magda", "Drew", "Mr.Smith"])
def test_names_that_start_like_a_title_are_names(word):
    assert not is_honorific(word)


@pytest.mark.parametrize("title", ["Dr.", "Prof.", "Mrs.", "Dott.", "Ing.", "Avv."])
def test_a_title_ends_no_sentence_in_the_line_a_draft_quotes(title):
    said = about_prospect(f"Carol works with {title} Rossi on battery chemistry.", ["Carol Prospect", "Carol"], "Alice")
    assert said == f"Alice mentioned that you work with {title} Rossi on battery chemistry."


@pytest.mark.parametrize("prefix", ["Re: ", "AW: ", "SV: ", "Antw: ", "Fwd: ", "WG: ", "Re: Fwd: "])
def test_a_question_answer_is_known_by_its_subject_under_any_prefix(prefix):
    assert looks_like_answer(_msg(prefix + QUESTION_SUBJECT.strip() + " Is this an intro?"))


@pytest.mark.parametrize("sent", ["Enviado el: miércoles, 30 de septiembre de 2026 06:34",  # Outlook in Spanish
                                  "Enviada em: quarta-feira, 30 de setembro de 2026 06:34",  # and in Portuguese
                                  "Gestuur: Woensdag, 30 September 2026 06:34"])  # Outlook on the web, Afrikaans
def test_an_outlook_block_whose_date_field_is_two_words_is_an_embedded_message(sent):
    text = f"¡Gracias, Ana!\n\nDe: Ana Pons <ana@x.org>\n{sent}\nPara: Yuki; Laura\nAsunto: Te presento a Laura\n\nYuki, te presento a Laura."
    assert new_text(text, below_quotes=True) == "¡Gracias, Ana!"
    found = embedded_messages(text)
    assert found and found[0].sender.email == "ana@x.org" and found[0].subject == "Te presento a Laura"


@pytest.mark.parametrize("fields", [
    ("Sujet :", "De :", "Pour :", "Copie à :"),  # Thunderbird, French
    ("Asunto:", "De:", "Para:", "CC:"),  # Thunderbird, Spanish
    ("Temat:", "Nadawca:", "Adresat:", "Kopia:"),  # Thunderbird, Polish
    ("Oggetto:", "Mittente:", "A:", "CC:"),  # Thunderbird, Italian
    ("件名:", "差出人:", "宛先:", "CC:"),  # Outlook, Japanese
    ("主题:", "发件人:", "收件人:", "抄送:"),  # Outlook and Foxmail, Chinese
    ("제목:", "보낸 사람:", "받는 사람:", "참조:"),  # Outlook, Korean
    ("الموضوع:", "من:", "إلى:", "نسخة:"),  # Outlook, Arabic
    ("Chủ đề:", "Từ:", "Đến:", "Cc:"),  # Outlook, Vietnamese
    ("Predmet:", "Šalje:", "Prima:", "Kopija:"),  # Outlook, Croatian
    ("Θέμα:", "Από:", "Προς:", "Κοιν.:"),  # Outlook, Greek
    ("Тема:", "От:", "Кому:", "Копия:"),  # Outlook, Russian
    ("Tárgy:", "Feladó:", "Címzett:", "Másolatot kap:"),  # Outlook, Hungarian
    ("Aihe:", "Lähettäjä:", "Vastaanottaja:", "Kopio:"),  # Outlook, Finnish
    ("Тема:", "Від кого:", "Кому:", "Копія:"),  # ukr.net
    ("Efni:", "Frá:", "Til:", "Afrit:"),  # Outlook and Thunderbird, Icelandic
    ("Subjek:", "Daripada:", "Kepada:", "Sk:"),  # Outlook, Malay
    ("თემა:", "გამგზავნი:", "ადრესატი:", "ასლი:"),  # Gmail, Georgian
    ("Somo:", "Kutoka:", "Kwa:", "Nakala:"),  # Gmail, Swahili
])
def test_forward_header_fields_in_other_languages_name_every_party(fields):
    subject, sender, to, cc = fields
    text = (f"FYI\n\n-------- Forwarded Message --------\n{subject}\tIntro\n{sender}\tAlice Source <alice@example.org>\n"
            f"{to}\tOlivia <owner@example.com>\n{cc}\tcarol@example.net\n\nOlivia, meet Carol.")
    found = embedded_messages(text)[0]
    assert found.sender.email == "alice@example.org" and found.subject == "Intro"
    assert [p.email for p in found.to] == ["owner@example.com"] and [p.email for p in found.cc] == ["carol@example.net"]


@pytest.mark.parametrize("note,block", [
    ("请跟进", "发自我的iPhone\n\n以下是转发的邮件：\n\n发件人: Alice Source <alice@example.org>\n"  # iOS Mail
     "日期: 2024年10月11日 GMT+8 15:03:27\n收件人: Olivia <owner@example.com>\n抄送: Carol <carol@example.net>\n主题: Intro"),
    ("请建档。", "-------- 转发邮件信息 --------\n发件人：\"Alice\" <alice@example.org>\n发送日期：2025-03-01 16:27:03\n"  # NetEase
     "收件人：\"Olivia\" <owner@example.com>\n抄送：\"Carol\" <carol@example.net>\n主题：介绍"),
])
def test_chinese_forwards_are_embedded_messages_with_every_party(note, block):
    text = f"{note}\n\n{block}\n\nOlivia, meet Carol."
    assert new_text(text) == note
    found = embedded_messages(text)[0]
    assert found.sender.email == "alice@example.org" and [p.email for p in found.cc] == ["carol@example.net"]
    assert [p.email for p in found.to] == ["owner@example.com"]


def test_a_writer_named_without_an_address_is_the_address_her_quoted_signature_spells():
    text = ("Thanks Alice, moving you to bcc.\n\nDne 12. 2. 2025 v 21:03 Alice Dušková napsal(a):\n"
            "> Olivia - this is Carol.\n>\n> --\n> Alice Dušková\n> alice.duskova@harbour.example\n")
    found = embedded_messages(text)
    assert found and found[0].sender is not None and found[0].sender.email == "alice.duskova@harbour.example"
    assert embedded_messages(text.replace("alice.duskova@", "info@")) == ()  # no address spells her: no guess


def test_a_writer_named_without_an_address_is_the_address_her_initials_spell():
    """Thunderbird's name-only attribution over an intro whose writer is in Bcc: her signature says who she is."""
    text = ("Merci Cheikh ! Je te mets en Cci.\n\nLe 10/07/2024 à 09:12, Cheikh Tidiane BA a écrit :\n"
            ">\n> Bonjour Olivia,\n>\n> Je vous mets en relation avec Carol.\n>\n> Cheikh Tidiane BA\n"
            "> Courriel : ctba@banque.example\n> Carol : carol@example.net\n")
    found = embedded_messages(text)
    assert found and found[0].sender is not None and found[0].sender.email == "ctba@banque.example"
    assert embedded_messages(text.replace("ctba@", "accueil@")) == ()  # nothing spells him: no guess
    both = text.replace("> Carol : carol@example.net", "> Secrétariat : ctb@banque.example")
    assert embedded_messages(both) == ()  # two addresses spell him as well as each other: no guess


def test_hebrew_iphone_forwards_are_embedded_messages_with_every_party():
    text = ("לטיפולך.\n\nנשלח מה-iPhone שלי\n\nתחילת ההודעה המועברת:\n\n> מאת: יוסי דהן <yossi@cpa.example>\n"
            "> תאריך: 21 בפברואר 2024 בשעה 16:05:33 GMT+2\n> אל: Olivia <owner@example.com>\n"
            "> עותק: carol@example.net\n> נושא: הכרות\n>\n> שלום, אני מכיר לך את קרול.\n")
    assert new_text(text).startswith("לטיפולך.")
    found = embedded_messages(text)[0]
    assert found.sender.email == "yossi@cpa.example" and [p.email for p in found.cc] == ["carol@example.net"]
    assert [p.email for p in found.to] == ["owner@example.com"]


def test_thunderbirds_date_first_attribution_with_a_name_in_another_script_is_the_address_that_spells_it():
    """Russian Thunderbird leads with the date and names the writer in Cyrillic, without an address; his
    signature's address spells the name in Latin letters (v.lebedev@ for Виктор Лебедев)."""
    text = ("Виктор Николаевич, спасибо! Переношу вас в скрытую копию.\n\n11.11.2024 12:44, Виктор Лебедев пишет:\n"
            "> Дилноза, Георгий, добрый день!\n>\n> Георгий – соки и нектары. Дилноза – наш консультант.\n>\n"
            "> С уважением,\n> Виктор Лебедев\n> v.lebedev@rostov-agro.example\n")
    assert new_text(text) == "Виктор Николаевич, спасибо! Переношу вас в скрытую копию."
    found = embedded_messages(text)
    assert found and found[0].sender is not None and found[0].sender.email == "v.lebedev@rostov-agro.example"
    assert embedded_messages(text.replace("v.lebedev@", "office@")) == ()  # nothing spells him: no guess


def test_a_reply_is_read_up_to_its_limit_not_through_a_pasted_log():
    from refmail.domain.replytext import REPLY_READ_CHARS

    said = "Thanks Ana, happy to talk on Tuesday. The export log you asked for is below.\n\n"
    log = "\n".join(f"2024-03-0{i % 9 + 1} 10:{i % 60:02d} container MSKU{i:07d} released at gate 4" for i in range(4000))
    got = reply_text(said + log)
    assert got.startswith("Thanks Ana, happy to talk on Tuesday.")
    assert REPLY_READ_CHARS - 100 <= len(got) <= REPLY_READ_CHARS  # the log is 232,000 characters


def test_thai_iphone_forwards_and_gmail_attributions_open_the_intro_beneath():
    """iOS Mail in Thai heads a forward "เริ่มต้นข้อความที่ส่งต่อ:" over "จาก:", "วันที่:", "ถึง:", "หัวเรื่อง:",
    and Gmail and iOS end an attribution "เขียนว่า:": the owner's forwards and BCC'd reply-alls from a Chiang Mai
    writer read as her own text, so the intro under them was listed as "not an intro"."""
    forward = ("ฝ้าย ช่วยส่ง deck ให้เขาหน่อยนะ\n\nส่งจาก iPhone ของฉัน\n\nเริ่มต้นข้อความที่ส่งต่อ:\n\n"
               "> จาก: Alice Source <alice@example.org>\n> วันที่: 22 มีนาคม 2567 เวลา 08:14:51 GMT+7\n"
               "> ถึง: Olivia Owner <owner@example.com>, Carol Prospect <carol@example.net>\n"
               "> หัวเรื่อง: แนะนำให้รู้จัก\n> \n> คุณโอลิเวีย ขอแนะนำคุณแคโรลครับ\n")
    _assert_forwarded(forward, Person("Alice Source", "alice@example.org"), "แนะนำให้รู้จัก",
                      {"owner@example.com", "carol@example.net"}, "คุณโอลิเวีย ขอแนะนำคุณแคโรลครับ")
    assert new_text(forward) == "ฝ้าย ช่วยส่ง deck ให้เขาหน่อยนะ\n\nส่งจาก iPhone ของฉัน"
    reply = ("ขอบคุณค่ะ ขอย้ายไป bcc นะคะ\n\n"
             "> เมื่อ 4 ธ.ค. 2566 เวลา 09:12 Alice Source <alice@example.org> เขียนว่า:\n> \n> ขอแนะนำให้รู้จักกันครับ\n")
    assert new_text(reply) == "ขอบคุณค่ะ ขอย้ายไป bcc นะคะ"
    assert embedded_messages(reply)[0].sender.email == "alice@example.org"
    no_address = "ขอบคุณค่ะ\n\nเมื่อ 4 ธ.ค. 2566 เวลา 09:12 Alice Source เขียนว่า:\n> ขอแนะนำให้รู้จักกันครับ\n"
    assert new_text(no_address) == "ขอบคุณค่ะ"


@pytest.mark.parametrize("attribution", [
    "Jorge Cumbe <jorge@example.org> escreveu no dia terça, 4/07/2023 à(s) 09:10:",
    "Jorge Cumbe <jorge@example.org> escreveu no dia terça,\n5/12/2023 à(s) 08:30:",
])
def test_european_portuguese_gmail_names_the_date_after_the_verb(attribution):
    """Gmail in pt-PT writes "Jorge <j@x> escreveu no dia terça, 4/07/2023 à(s) 09:10:", wrapped or not: the
    owner's BCC'd reply-alls from a Maputo writer read as her own text, the intro under them unseen."""
    reply = f"Obrigada, Jorge! Passo-te para Bcc.\n\nHelena\n\n\n{attribution}\n\n> Helena, o Filipe é director-geral.\n"
    assert new_text(reply) == "Obrigada, Jorge! Passo-te para Bcc.\n\nHelena"
    found = embedded_messages(reply)[0]
    assert found.sender == Person("Jorge Cumbe", "jorge@example.org")
    assert found.text.strip() == "Helena, o Filipe é director-geral."


def test_a_sentence_naming_an_address_and_a_verb_is_no_attribution_unless_it_ends_in_a_colon():
    text = "Ana <ana@example.org> wrote the report last week, see the numbers.\nThanks\n"
    assert new_text(text) == text.strip() and embedded_messages(text) == ()


def test_yandex_forwards_name_their_recipients_under_the_text_above_the_closing_line():
    """Yandex Mail writes a forwarded message's attribution over its text and its "Кому:"/"Копия:" under it, just
    above "-------- Конец пересылаемого сообщения --------": the prospect copied on the intro was named nowhere else,
    so a Bishkek writer's forwards read with no prospect, or with the assistant as one."""
    forward = ("Бегайым, заведи лид.\n\n-------- Пересылаемое сообщение --------\n"
               '04.12.2024, 15:41, "Alice Source" <alice@example.org>:\n\nОливия, знакомлю тебя с Кэрол (в копии).\n'
               "Кому: Olivia Owner <owner@example.com>\nКопия: office@example.com, Carol Prospect <carol@example.net>\n\n"
               "-------- Конец пересылаемого сообщения --------\n\n-- \nОтправлено из мобильной Яндекс Почты\n")
    _assert_forwarded(forward, Person("Alice Source", "alice@example.org"), "", {"owner@example.com"},
                      "Оливия, знакомлю тебя с Кэрол (в копии).", cc={"office@example.com", "carol@example.net"},
                      above="Бегайым, заведи лид.")
    nested = forward.replace("Оливия, знакомлю тебя с Кэрол (в копии).\n", "Оливия, знакомлю тебя с Кэрол (в копии).\n\n"
                             "-------- Пересылаемое сообщение --------\n04.12.2024, 09:00, Dan <dan@example.org>:\nКэрол — ok.\n"
                             "Кому: alice@example.org\n-------- Конец пересылаемого сообщения --------\n")
    outer = embedded_messages(nested)[0]
    assert [p.email for p in outer.cc] == ["office@example.com", "carol@example.net"]
    assert [p.email for p in outer.embedded[0].to] == ["alice@example.org"]
    in_text = ("-------- Пересылаемое сообщение --------\n"
               '04.12.2024, 15:41, "Alice Source" <alice@example.org>:\n\nКому: carol@example.net — пишите ей.\nСпасибо!\n'
               "-------- Конец пересылаемого сообщения --------\n")
    assert embedded_messages(in_text)[0].cc == () and embedded_messages(in_text)[0].to == ()


def test_mongolian_outlook_fields_and_gmail_attributions_open_the_intro_beneath():
    """Outlook in Mongolian heads a quoted message "Хэнээс:", "Илгээсэн:", "Хэнд:", "Хуулбар:", "Сэдэв:", and Gmail
    ends an attribution "бичсэн:": an Ulaanbaatar writer's forwards and BCC'd reply-alls read as the owner's own text."""
    forward = ("Болор, энэ хүнтэй холбогдоорой.\n\nХэнээс: Alice Source <alice@example.org>\n"
               "Илгээсэн: 2024 оны 3-р сарын 5, Мягмар 09:12\nХэнд: Olivia Owner <owner@example.com>\n"
               "Хуулбар: Carol Prospect <carol@example.net>\nСэдэв: Танилцуулга\n\nОливия, Кэролыг танилцуулъя.\n")
    _assert_forwarded(forward, Person("Alice Source", "alice@example.org"), "Танилцуулга", {"owner@example.com"},
                      "Оливия, Кэролыг танилцуулъя.", cc={"carol@example.net"}, above="Болор, энэ хүнтэй холбогдоорой.")
    reply = ("Баярлалаа, bcc руу шилжүүллээ.\n\n"
             "2024 оны 3-р сарын 5, Мя 09:12 Alice Source <alice@example.org> бичсэн:\n> Оливия, Кэролыг танилцуулъя.\n")
    assert new_text(reply) == "Баярлалаа, bcc руу шилжүүллээ."
    assert embedded_messages(reply)[0].sender.email == "alice@example.org"


def test_yandex_forwards_may_name_their_recipients_under_the_attribution_line():
    """Yandex Mail's other forward ("Начало переадресованного сообщения") writes "Кому:", "Копия:" and "Тема:" under
    the attribution line: the separator was in no list and the fields were read as the intro's first lines, so an
    Osh writer's forward read as quoted, its prospect unnamed. A text whose first line is "To: ..." with no
    address keeps it."""
    forward = ("Гулзат, отправь ему ставки.\n\n-------- Начало переадресованного сообщения --------\n"
               '16.09.2024, 11:00, "Alice Source" <alice@example.org>:\nКому: "Olivia Owner" <owner@example.com>\n'
               'Копия: "Carol Prospect" <carol@example.net>\nТема: Знакомство: Carol\n\nОливия, знакомлю вас с Кэрол.\n'
               "-------- Конец переадресованного сообщения --------\n")
    _assert_forwarded(forward, Person("Alice Source", "alice@example.org"), "Знакомство: Carol", {"owner@example.com"},
                      "Оливия, знакомлю вас с Кэрол.", cc={"carol@example.net"}, above="Гулзат, отправь ему ставки.")
    letter = 'On Mon, 5 Aug 2024 at 10:41, Alice Source <alice@example.org> wrote:\n> To: the board\n> Olivia, meet Carol.\n'
    assert embedded_messages(letter)[0].text.startswith("To: the board")


def test_mongolian_gmail_forwards_in_its_own_words():
    """Gmail in Mongolian heads a forward "---------- Дамжуулсан мессеж ---------" over "Илгээгч:", "Огноо:",
    "Гарчиг:", "Хүлээн авагч:": a Darkhan writer's forwards read as the owner introducing the referrer."""
    forward = ("Оюунаа, энэ хүн рүү залгаарай.\n\n---------- Дамжуулсан мессеж ---------\n"
               "Илгээгч: Alice Source <alice@example.org>\nОгноо: Ня, 2023 оны 3-р сарын 5 21:14\nГарчиг: Танилцуулъя\n"
               "Хүлээн авагч: Olivia Owner <owner@example.com>\nCc: carol@example.net <carol@example.net>\n\n\n"
               "Оливия сайн уу. Энэ Кэрол.\n")
    _assert_forwarded(forward, Person("Alice Source", "alice@example.org"), "Танилцуулъя", {"owner@example.com"},
                      "Оливия сайн уу. Энэ Кэрол.", cc={"carol@example.net"}, above="Оюунаа, энэ хүн рүү залгаарай.")


def test_gmails_forward_line_in_a_language_no_list_holds_opens_the_block_under_it():
    """Every new language's Gmail forward was read as the owner's own text until its words were listed (Mongolian,
    Thai, Welsh ...). Gmail's line is dashes, its words, dashes, over the sender's field: that shape, with a field
    naming an address under it, opens the block, and each field under it belongs to it whatever its name."""
    forward = ("Sawa, mpigie leo.\n\n---------- Ujumbe uliotumwa upya ---------\nMtumaji: Alice Source <alice@example.org>\n"
               "Tarehe rasmi: 5 Machi 2023 21:14\nKichwa: Utambulisho\nMpokeaji: Olivia Owner <owner@example.com>\n"
               "Cc: carol@example.net\n\n\nOlivia, huyu ni Carol.\n")
    _assert_forwarded(forward, Person("Alice Source", "alice@example.org"), "", set(), "Olivia, huyu ni Carol.",
                      cc={"owner@example.com", "carol@example.net"}, above="Sawa, mpigie leo.")
    agenda = "See you there!\n\n---------- Agenda ----------\n10:00 Welcome\nNotes: bring the slides\n"
    assert embedded_messages(agenda) == () and new_text(agenda) == agenda.strip()


def test_words_written_with_vowel_signs_name_fields():
    """Devanagari, Khmer and Thai write vowels as combining marks, which Python's \\w leaves out: "प्रेषक:" was no
    field name, and Nepali and Hindi Gmail forwards read as the owner's own text (a Kathmandu writer, 3 intros)."""
    forward = ("Roshan, Devendra ji ko cousin.\n\n---------- फरवार्ड गरिएको सन्देश ---------\n"
               "प्रेषक: Alice Source <alice@example.org>\nमिति: आइत, जनवरी १२, २०२५, ३:४८ अपराह्न\nविषय: परिचय\n"
               "प्रापक: Olivia Owner <owner@example.com>\nCc: Carol Prospect <carol@example.net>\n\n\nसुष्मा जी, नमस्कार!\n")
    _assert_forwarded(forward, Person("Alice Source", "alice@example.org"), "", set(), "सुष्मा जी, नमस्कार!",
                      cc={"owner@example.com", "carol@example.net"}, above="Roshan, Devendra ji ko cousin.")


def test_outlooks_block_with_no_name_any_list_holds_is_vouched_for_by_its_date():
    """Outlook in Khmer quotes "ពី:", "បានផ្ញើ:", "ទៅ:", "ប្រធានបទ:" with no rule above: no name a list holds. A field
    under the sender's that dates the message (a year and a time, as every "Sent:" has) vouches for the block, when
    the sender's holds a name and an address alone; a signature's address over office hours, or a notice's, does
    not (a Phnom Penh writer's forwards and BCC'd reply-alls)."""
    forward = ("Office: CRM please.\n\nពី: Alice Source <alice@example.org>\nបានផ្ញើ: ថ្ងៃច័ន្ទ 3 មិថុនា 2024 10:15\n"
               "ទៅ: Olivia Owner <owner@example.com>; Carol Prospect <carol@example.net>\nប្រធានបទ: ណែនាំ\n\n"
               "ជម្រាបសួរ\n")
    found = embedded_messages(forward)[0]
    assert found.sender == Person("Alice Source", "alice@example.org")
    assert {p.email for p in found.to + found.cc} == {"owner@example.com", "carol@example.net"}
    assert new_text(forward) == "Office: CRM please."
    signature = "Thanks,\nAlice\nE-mail: alice@example.org\nOffice hours: Mon-Fri 9:00-17:00\nTel: 2024 1234\n"
    assert embedded_messages(signature) == () and new_text(signature) == signature.strip()
    notice = ("Clarification requests: by 18 July 2025, to procurement@example.org.\n"
              "Submission deadline: 5 August 2025, 12:00 GMT, electronic submission only.\n\nProcurement Unit\n")
    assert embedded_messages(notice) == () and new_text(notice) == notice.strip()


@pytest.mark.parametrize("separator", ["-----Ujumbe wa asili-----", "________________________________"])
def test_outlooks_block_in_a_language_no_list_holds_opens_under_its_rule(separator):
    """Outlook heads a quoted message with "-----<words>-----" or, in HTML mail, an underscore rule, over fields in
    its user's language: with a field naming an address under the rule, the block is read whatever its names."""
    reply = (f"Asante, namhamishia bcc.\n\n{separator}\nKwa niaba ya: Alice Source <alice@example.org>\n"
             "Imetumwa siku: Jumatatu, 5 Machi 2023 21:14\nWapokeaji: Olivia Owner <owner@example.com>; Carol <carol@example.net>\n"
             "Mada: Utambulisho\n\nOlivia, huyu ni Carol.\n")
    _assert_forwarded(reply, Person("Alice Source", "alice@example.org"), "", set(), "Olivia, huyu ni Carol.",
                      cc={"owner@example.com", "carol@example.net"}, above="Asante, namhamishia bcc.")


def test_an_attribution_with_a_time_and_an_address_ends_in_a_verb_of_any_language():
    """Gmail names the writer by address after the date and time, then its verb in the user's language: a verb no
    list holds ("бичжээ", "aliandika") no longer hides the quote under the owner's reply-all. Chatter naming an
    address after a time, with more than two words before the colon, is no attribution."""
    for verb in ("бичжээ", "aliandika", "ha escrit"):
        reply = f"Asante!\n\n2024 оны 3-р сарын 5, Мя 09:12 Alice Source <alice@example.org> {verb}:\n> Olivia, meet Carol.\n"
        assert new_text(reply) == "Asante!", verb
        assert embedded_messages(reply)[0].sender == Person("Alice Source", "alice@example.org")
    chatter = "Call at 10:30 and ask Alice <alice@example.org> about the three open invoices:\n- 1042\n"
    assert new_text(chatter) == chatter.strip()
