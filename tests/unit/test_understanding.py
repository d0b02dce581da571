"""understand(): the kinds, who introduced whom, and every trap from issue 3 by name."""

from __future__ import annotations

from datetime import date

import pytest
import spacy

from refmail.domain.detection_rules import DetectionRules
from refmail.domain.drafting import outgoing_message_id
from refmail.domain.parse import parse_message
from refmail.domain.pipeline import _copied_newcomers, understanding_json
from tests.reading import understand
from refmail.domain.replytext import reply_text
from refmail.domain.returndate import return_date
from refmail.domain.types import Identity, Kind, Person, Urgency

OWNER = Identity(Person("Olivia Owner", "owner@example.com"), ("olivia@owner.example",), "assistant@example.com")
DATE = "Wed, 05 Mar 2025 09:30:00 +0000"


def read(headers: str, body: str, identity: Identity = OWNER, rules: DetectionRules | None = None):
    raw = (headers.strip() + f"\nDate: {DATE}\nContent-Type: text/plain; charset=utf-8\n\n" + body).encode()
    return understand(parse_message(raw), identity, rules)


INTRO_HEADERS = """
From: Alice Source <alice@example.org>
To: Olivia Owner <owner@example.com>, Carol Prospect <carol@example.net>
Cc: assistant@example.com
Subject: Intro: Olivia <> Carol
Message-ID: <intro.1@example.org>
"""


def emails(people):
    return sorted(p.email for p in people)


# Where the intro line sits is chosen on the validation writers at each refit (benchmarks.understanding), and
# a made-up text may land either side of it. Tests about who an intro introduces read at this fixed line, and
# at the shipped one assert the intro is found or asked about with the same reading first (never a quiet no).
AT_A_FIXED_LINE = DetectionRules(min_confidence=0.5, question_confidence=0.05)


def found_or_first_reading(u):
    """(referrer, prospects) of the intro found, or of the first reading the owner is asked about."""
    if u.is_intro:
        return u.referrer, u.prospects
    assert u.unsure and u.readings, u.reasons
    return u.readings[0].referrer, u.readings[0].prospects


def test_direct_intro():
    u = read(INTRO_HEADERS, "Olivia, meet Carol. Carol runs ops at Acme.\n\nCarol, meet Olivia.\n\nAlice")
    assert u.kind is Kind.INTRO and u.is_intro
    assert u.referrer == Person("Alice Source", "alice@example.org")
    assert emails(u.prospects) == ["carol@example.net"]
    assert u.receiver.email == "owner@example.com"
    assert u.intro_message_id == "intro.1@example.org"
    assert u.reasons


ONE_SENTENCE = "I'd like to introduce you to Carol, who is rethinking pricing at Acme."


@pytest.mark.parametrize("body", [
    ONE_SENTENCE,  # a known gap until the classifier read masked names (stop 9)
    "Putting you two in touch: Carol needs help, Olivia gives it.",
    "Connecting you with Carol (cc'd). Carol, Olivia is great.",
    "e-intro: Carol / Olivia. You two should talk!",
    "Olivia - Carol is the founder I mentioned. Carol - Olivia is the advisor.",
])
def test_intro_wordings(body):
    assert read(INTRO_HEADERS.replace("Intro: Olivia <> Carol", "hello"), body).kind is Kind.INTRO


def test_owner_alias_is_the_receiver_not_a_prospect():
    headers = INTRO_HEADERS.replace("owner@example.com", "olivia@owner.example")
    u = read(headers, "Olivia, meet Carol. Carol, meet Olivia.")
    assert emails(u.prospects) == ["carol@example.net"]
    assert u.receiver.email == "olivia@owner.example"


def test_missing_display_name_comes_from_the_body():
    headers = INTRO_HEADERS.replace("Carol Prospect <carol@example.net>", "carol.prospect@example.net")
    u = read(headers, "Olivia, meet Carol Prospect, who runs Acme.\n\nAlice")
    assert u.prospects == (Person("Carol Prospect", "carol.prospect@example.net"),)


def test_last_first_display_names():
    headers = INTRO_HEADERS.replace("Carol Prospect <carol@example.net>", "Prospect, Carol <carol@example.net>")
    u = read(headers, "Olivia, meet Carol. Carol, meet Olivia.")
    assert u.prospects == (Person("Carol Prospect", "carol@example.net"),)


def test_group_intro_has_two_prospects():
    headers = INTRO_HEADERS.replace("<carol@example.net>", "<carol@example.net>, Dev Patel <dev@acme.example>")
    u = read(headers, "Olivia, meet Carol and Dev, co-founders of Acme. I'll let the three of you take it from here.")
    assert emails(u.prospects) == ["carol@example.net", "dev@acme.example"]


def test_owner_as_referrer():
    u = read("""
From: Olivia Owner <owner@example.com>
To: Carol Prospect <carol@example.net>, Dev Patel <dev@acme.example>
Cc: assistant@example.com
Subject: Intro: Carol <> Dev
""", "Carol, meet Dev. Dev is hiring and Carol has done it twice. I think you two should talk.\n\nOlivia")
    assert u.kind is Kind.INTRO and u.owner_is_referrer
    assert u.referrer.email == "owner@example.com"
    assert emails(u.prospects) == ["carol@example.net", "dev@acme.example"]


FORWARD = """FYI

{block}
Olivia, meet Carol. Carol, meet Olivia. You two should talk.

Alice
"""



def test_every_meeting_invitation_phrase_holds_one_of_the_anchors_it_is_tried_around():
    """The pattern is tried only near its anchors (linear time): a phrase added without one would never match."""
    import re._parser as sre  # the stdlib's own reading of the pattern: its branches and their literal runs
    from re._constants import BRANCH, LITERAL

    from refmail.domain.detect import _MEETING_ANCHORS, _MEETING_INVITATION

    (op, (_, branches)), = sre.parse(_MEETING_INVITATION.pattern, _MEETING_INVITATION.flags).data
    assert op is BRANCH and len(branches) > 20
    uncovered = []
    for branch in branches:
        runs, run = [], ""
        for code, value in [*branch.data, (None, None)]:
            if code is LITERAL:
                run += chr(value)
            elif run:
                runs.append(run)
                run = ""
        if not any(anchor in r.lower() for r in runs for anchor in _MEETING_ANCHORS):
            uncovered.append(runs)
    assert not uncovered, uncovered

@pytest.mark.parametrize("block", [
    "---------- Forwarded message ---------\nFrom: Alice Source <alice@example.org>\nDate: Mon, Mar 3, 2025 at 9:00 AM\n"
    "Subject: Intro\nTo: Olivia Owner <owner@example.com>, Carol Prospect <carol@example.net>\n",
    "________________________________\nFrom: Alice Source <alice@example.org>\nSent: Monday, March 3, 2025 9:00 AM\n"
    "To: Owner, Olivia <owner@example.com>; Prospect, Carol <carol@example.net>\nSubject: Intro\n",
    "-----Original Message-----\nFrom: Alice Source [mailto:alice@example.org]\nSent: Monday, March 03, 2025 9:00 AM\n"
    "To: Olivia Owner; Carol Prospect <carol@example.net>\nSubject: Intro\n",
    "Begin forwarded message:\n\nFrom: Alice Source <alice@example.org>\nSubject: Intro\nDate: March 3, 2025 at 9:00:00 AM GMT\n"
    "To: Olivia Owner <owner@example.com>, Carol Prospect <carol@example.net>\n",
], ids=["gmail", "outlook", "outlook-classic", "apple"])
def test_forwarded_inline_by_the_owner(block):
    u = read("From: Olivia Owner <owner@example.com>\nTo: assistant@example.com\nSubject: Fwd: Intro",
             FORWARD.format(block=block))
    assert u.kind is Kind.INTRO
    assert u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["carol@example.net"]


def test_a_forwarded_intro_naming_its_prospect_only_by_an_address_in_the_text():
    block = ("---------- Forwarded message ---------\nFrom: Alice Source <alice@example.org>\nSubject: Intro\n"
             "To: Olivia Owner <owner@example.com>\n")
    body = ("Olivia, as promised I'm introducing Carol Prospect, who runs pricing at Acme and wants your help.\n"
            "Her address is carol.prospect@example.net - do write to her.\n\nAlice\nalice@example.org")
    u = read("From: Olivia Owner <owner@example.com>\nTo: assistant@example.com\nSubject: Fwd: Intro",
             "please track\n\n" + block + "\n" + body)
    assert u.kind is Kind.INTRO and u.referrer.email == "alice@example.org"
    assert u.prospects == (Person("Carol Prospect", "carol.prospect@example.net"),)


def test_forwarded_as_attached_rfc822():
    raw = (b"From: owner@example.com\nTo: assistant@example.com\nSubject: Fwd: Intro\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nplease track\n'
           b"--b\nContent-Type: message/rfc822\n\nFrom: Alice Source <alice@example.org>\nMessage-ID: <in.1@example.org>\n"
           b"To: owner@example.com, Carol Prospect <carol@example.net>\nSubject: Intro\n\nOlivia, meet Carol. Carol, meet Olivia.\n--b--\n")
    u = understand(parse_message(raw), OWNER)
    assert u.kind is Kind.INTRO and u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["carol@example.net"]
    assert u.intro_message_id == "in.1@example.org"


def test_bcc_reply_all_by_the_owner():
    u = read("""
From: Olivia Owner <owner@example.com>
To: Carol Prospect <carol@example.net>
Subject: Re: Intro: Olivia <> Carol
In-Reply-To: <intro.1@example.org>
""", "Thanks Alice! (moving you to BCC)\n\nCarol, great to meet you. Free Thursday?\n\nOlivia\n\n"
     "On Mon, Mar 3, 2025 at 9:00 AM Alice Source <alice@example.org> wrote:\n> Olivia, meet Carol.\n> Carol, meet Olivia.\n")
    assert u.kind is Kind.INTRO
    assert u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["carol@example.net"]
    assert u.intro_message_id == "intro.1@example.org"


def test_prospect_already_replied_on_the_intro_thread():
    u = read("""
From: Carol Prospect <carol@example.net>
To: Olivia Owner <owner@example.com>
Cc: assistant@example.com
Subject: Re: Intro
In-Reply-To: <intro.1@example.org>
""", "Thanks Alice, moving you to BCC. Olivia, great to meet you!\n\n"
     "On Mon, Mar 3, 2025 at 9:00 AM Alice Source <alice@example.org> wrote:\n> Olivia, meet Carol. Carol, meet Olivia.\n")
    assert u.kind is Kind.INTRO and u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["carol@example.net"]
    assert u.intro_message_id == "intro.1@example.org"
    assert u.prospect_replied and u.reply_text.startswith("Thanks Alice, moving you to BCC.")


CAROLS_OLD_THREAD = """
From: Carol Prospect <carol@example.net>
To: Olivia Owner <owner@example.com>
Cc: assistant@example.com
Subject: Re: Intro
In-Reply-To: <intro.1@example.org>
"""
ALICES_OLD_INTRO = ("\n\nOn Mon, Mar 3, 2025 at 9:00 AM Alice Source <alice@example.org> wrote:\n"
                    "> Olivia, meet Carol. Carol, meet Olivia.\n")


@pytest.mark.parametrize("note", [
    "Sorry for using this old thread, it was the quickest way to find you. Could you resend invoice 2024-117?",
    "Je reprends ce vieux fil, c'est le seul où j'avais ton adresse : la facture de mars est-elle partie ?",
    "Пишу в эту старую ветку, чтобы Дамир тоже видел: пришлите, пожалуйста, акт сверки.",
], ids=["en", "fr", "ru"])
def test_someone_writing_on_an_old_intro_thread_about_something_else_brings_no_intro(note):
    """The intro it quotes is old news: read as an answer on that thread, never as an intro already answered."""
    u = read(CAROLS_OLD_THREAD, note + ALICES_OLD_INTRO)
    assert not u.is_intro and not u.prospect_replied
    assert any("writing on its thread about something else" in r for r in u.reasons), u.reasons


@pytest.mark.parametrize("text, says", [
    ("Digging up the very first mail because Anna asked for the contract", True),
    ("Sorry for using this ancient thread, I could not find Sumaiya's email", True),
    ("The ancient harbour wall needs a survey before the thread of talks resumes.", False),
    ("ich antworte einfach auf die alte Mail, weil ich deine Adresse nicht finde", True),
    ("Marta, odkopuję ten stary wątek, bo tylko tu są wszyscy", True),
    ("Thanks Alice, moving you to bcc. Olivia, great to meet you!", False),
    ("My old email address is closed, this is my new one.", False),  # a new address, not an old thread
    ("I'm digging up the numbers for Thursday.", False),
    ("We moved off the old mail server last week.", False),
    ("Meine alte Mailadresse gibt es nicht mehr.", False),
])
def test_an_old_thread_is_recognised_by_what_its_writer_says(text, says):
    from refmail.domain.replytext import reuses_old_thread

    assert reuses_old_thread(text) is says


def test_an_old_thread_picked_up_to_make_an_intro_is_that_intro():
    """Only what the message quotes is old news: an intro written on the old thread is read on its own words."""
    u = read(INTRO_HEADERS.replace("Subject: Intro: Olivia <> Carol", "Subject: Re: Q3 numbers"),
             "Reviving this old thread to introduce you two properly: Olivia, meet Carol, who runs ops at Acme. "
             "Carol, Olivia is the physio I told you about." + ALICES_OLD_INTRO.replace("Olivia, meet Carol. Carol, meet Olivia.", "Numbers attached."))
    assert u.is_intro and emails(u.prospects) == ["carol@example.net"]


# Bea's answer to Alice's intro. "Bea this is Olivia" names no one on the mail ("Beatriz"): no firm wording
# of its own, so where the owner's message puts it decides.
BEAS_ANSWER = "Thanks Alice! Olivia, yes we'd love a workshop before the season."
ALICES_INTRO = ("Bea this is Olivia, the physio I told u about. Olivia, Bea coaches the U18 girls at East End United.\n"
                "U guys should talk about the FIFA 11+ thing\n")


def _quoted(text: str, depth: int = 1) -> str:
    return "".join(">" * depth + (" " + line if line else "") + "\n" for line in text.splitlines())


@pytest.mark.parametrize("headers, body", [
    # her forward of Bea's answer
    ("From: Olivia Owner <owner@example.com>\nTo: assistant@example.com\nSubject: Fwd: Re: Workshop",
     "Scroll down - Alice intro'd me to Coach Amaral. Can you get the workshop quote over to her?\n\n"
     "---------- Forwarded message ---------\nFrom: Beatriz Amaral <bamaral@example.net>\n"
     "Date: Mon, Mar 3, 2025 at 10:11 AM\nSubject: Re: Workshop\nTo: Alice Source <alice@example.org>\n"
     f"Cc: Olivia Owner <owner@example.com>\n\n{BEAS_ANSWER}\n\n"
     f"On Sun, Mar 2, 2025 at 9:40 PM Alice Source <alice@example.org> wrote:\n\n{_quoted(ALICES_INTRO)}"),
    # her reply to Bea's answer, Alice moved to Bcc: the intro two levels down
    ("From: Olivia Owner <owner@example.com>\nTo: Beatriz Amaral <bamaral@example.net>\nCc: assistant@example.com\n"
     "Subject: Re: Re: Workshop\nIn-Reply-To: <answer.2@example.net>",
     "Thanks Alice, moving you to bcc. Bea, Thursday works - my assistant will send times.\n\nOlivia\n\n"
     "On Mon, Mar 3, 2025 at 10:11 AM Beatriz Amaral <bamaral@example.net> wrote:\n"
     + _quoted(f"{BEAS_ANSWER}\n\nOn Sun, Mar 2, 2025 at 9:40 PM Alice Source <alice@example.org> wrote:\n\n"
               + _quoted(ALICES_INTRO))),
], ids=["forward", "reply two levels down"])
def test_the_owner_hands_on_the_intro_a_prospects_answer_quotes(headers, body):
    # Where the intro line sits is the validation writers' business (benchmarks.understanding), not this
    # test's: at a fixed line, her handing it on carries an intro the quote alone would not (0.14 one level up).
    u = read(headers, body, rules=DetectionRules(min_confidence=0.6))
    assert u.kind is Kind.INTRO and u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["bamaral@example.net"]
    assert u.prospect_replied
    referrer, prospects = found_or_first_reading(read(headers, body))
    assert referrer.email == "alice@example.org" and emails(prospects) == ["bamaral@example.net"]


BEAS_REPLY_ALL = ("From: Beatriz Amaral <bamaral@example.net>\nTo: Alice Source <alice@example.org>\n"
                  "Cc: Olivia Owner <owner@example.com>, assistant@example.com\nSubject: Re: Workshop\n"
                  "In-Reply-To: <intro.7@example.org>")


def _under_alices_attribution(intro: str) -> str:
    return f"\n\nOn Sun, Mar 2, 2025 at 9:40 PM Alice Source <alice@example.org> wrote:\n\n{_quoted(intro)}"


ALICES_INTRO_QUOTED = _under_alices_attribution(ALICES_INTRO)


def test_the_prospects_reply_all_carries_an_intro_without_firm_wording():
    """The first copy the assistant sees is Bea's answer: the intro under it is taken, already answered, or it
    is the reading the owner is asked about (the model fit at stop 32 took it at 0.72; the one fit at stop 33
    reads 0.50 under its line of 0.55): never a plain reply."""
    intro = ("Beatriz: Olivia, the physio I told u about. Olivia: Beatriz coaches the U18 girls at East End United.\n"
             "U guys should talk about the FIFA 11+ thing\n")  # names her, without firm intro wording
    u = read(BEAS_REPLY_ALL, BEAS_ANSWER + _under_alices_attribution(intro))
    referrer, prospects = found_or_first_reading(u)
    assert referrer.email == "alice@example.org" and emails(prospects) == ["bamaral@example.net"]
    if u.is_intro:
        assert u.prospect_replied and u.replied_by.email == "bamaral@example.net"
        assert u.intro_message_id == "intro.7@example.org"
    else:
        assert u.readings[0].intro_message_id == "intro.7@example.org"


def test_someone_the_quote_does_not_introduce_answering_it_is_no_intro_of_its_own():
    """A third person quoting the same words answers a thread; only firm wording would make the quote an intro."""
    headers = BEAS_REPLY_ALL.replace("Beatriz Amaral <bamaral@example.net>", "Dan Helper <dan@example.net>")
    u = read(headers, "Count me in for the workshop too." + ALICES_INTRO_QUOTED)
    assert not u.is_intro


def test_the_referrer_bringing_the_assistant_in_later_carries_his_intro_two_levels_down():
    """His follow-up quotes the prospect's answer, which quotes his intro: the first copy the assistant sees."""
    u = read("""
From: Alice Source <alice@example.org>
To: Chong Mei Ling <meiling@example.net>
Cc: Olivia Owner <owner@example.com>, assistant@example.com
Subject: RE: RE: Frostline x Olivia
In-Reply-To: <answer.3@example.net>
""", "Mei Ling, thanks. I have put Olivia's assistant in cc so she can find a time.\n\nAlice\n\n"
     "-----Original Message-----\nFrom: Chong Mei Ling <meiling@example.net>\nSent: Wednesday, 23 April 2025 6:12 PM\n"
     "To: Alice Source <alice@example.org>\nCc: Olivia Owner <owner@example.com>\nSubject: Re: Frostline x Olivia\n\n"
     "Thanks for connecting us. Olivia, nice to meet you.\n\nMei Ling\n\n"
     "On Wed, 23 Apr 2025 at 10:05, Alice Source <alice@example.org> wrote:\n\n"
     + _quoted("Hi Olivia, Mei Ling,\n\nIntroducing you as discussed. Mei Ling runs operations at Frostline Haulage; "
               "Olivia leads partnerships at Portwise.\n\nAlice"))
    assert u.kind is Kind.INTRO and u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["meiling@example.net"]
    assert u.prospect_replied and u.replied_by.email == "meiling@example.net"


def test_two_levels_down_the_intro_may_sit_under_the_prospects_outlook_header_block():
    u = read("""
From: Olivia Owner <owner@example.com>
To: "Brenner, Michael" <m.brenner@example.net>
Cc: assistant@example.com
Subject: Re: AW: Vorstellung
In-Reply-To: <answer.2@example.net>
""", "Vielen Dank, Herr Vogt - ich nehme Sie in BCC.\n\nHallo Herr Brenner, gern in Siegen.\n\n"
     "Am Fr., 28. Feb. 2025 um 11:03 Uhr schrieb Brenner, Michael <m.brenner@example.net>:\n\n"
     "> Vielen Dank für die Vorstellung. Am liebsten bei uns in Siegen.\n>\n"
     "> Von: Henrik Vogt <h.vogt@example.org>\n> Gesendet: Donnerstag, 27. Februar 2025 19:40\n"
     "> An: Brenner, Michael <m.brenner@example.net>; Olivia Owner <owner@example.com>\n"
     "> Betreff: Vorstellung\n>\n"
     "> Herr Brenner, Frau Owner leitet das Projekt bei uns. Frau Owner, Herr Brenner verantwortet die IT.\n"
     "> Ich wünsche Ihnen ein gutes Gespräch.\n")
    assert u.kind is Kind.INTRO and u.referrer.email == "h.vogt@example.org"
    assert emails(u.prospects) == ["m.brenner@example.net"]


def test_a_one_sentence_intro_is_at_least_a_question():
    u = read(INTRO_HEADERS.replace("Intro: Olivia <> Carol", "hello"), ONE_SENTENCE)
    assert u.is_intro or (u.unsure and [p.email for r in u.readings for p in r.prospects] == ["carol@example.net"])


def test_intro_in_a_reply_on_an_old_thread():
    u = read(INTRO_HEADERS.replace("Intro: Olivia <> Carol", "Re: Q3 numbers") + "In-Reply-To: <old@owner.example>",
             "Reviving this thread to introduce you to Carol, who is hiring. Carol, meet Olivia.\n\n"
             "On Mon, Jan 6, 2025 at 10:00 AM Olivia Owner <owner@example.com> wrote:\n> numbers look fine\n")
    assert u.kind is Kind.INTRO and emails(u.prospects) == ["carol@example.net"]


def test_double_opt_in_ask_is_not_an_intro():
    u = read("From: Alice Source <alice@example.org>\nTo: owner@example.com\nSubject: quick question",
             "Hi Olivia, would you be open to an intro to Carol at Acme? They're rethinking pricing.")
    assert u.kind is Kind.DOUBLE_OPT_IN_ASK and not u.is_intro


def test_cold_self_introduction_is_not_an_intro():
    u = read("From: Brad <brad@growth.example>\nTo: owner@example.com\nSubject: Introduction",
             "Hi Olivia, let me introduce myself: I'm Brad from GrowthRocket. Can we meet for 15 minutes?")
    assert u.kind is Kind.OTHER


def test_meeting_request_and_other_senses_of_meet_are_not_intros():
    headers = "From: Carol <carol@example.net>\nTo: owner@example.com, dev@acme.example\nSubject: Thursday"
    assert read(headers, "Can we meet on Thursday at 3pm? We need to meet the deadline.").kind is Kind.OTHER
    assert read(headers, "The committee introduced a new expense policy today.").kind is Kind.OTHER


def test_newsletter_is_not_an_intro():
    u = read("From: news@brand.example\nTo: owner@example.com\nSubject: Meet the team\nList-Unsubscribe: <mailto:u@brand.example>",
             "Meet Sarah and Tom! We're excited to introduce our new collection. Unsubscribe")
    assert u.kind is Kind.OTHER


# --- the traps other follow-up tools fell into -------------------------------------------------

def test_exchange_auto_forwarded_human_mail_is_not_an_autoreply():
    u = read(INTRO_HEADERS + "Auto-Submitted: auto-forwarded\nX-Auto-Response-Suppress: DR, OOF, AutoReply",
             "Olivia, meet Carol. Carol, meet Olivia.")
    assert u.kind is Kind.INTRO


def test_m365_out_of_office_from_postmaster_is_not_a_bounce():
    u = read("""
From: Microsoft Outlook <postmaster@tenant.onmicrosoft.com>
To: owner@example.com
Subject: Automatic reply: Alice Source suggested we connect
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
""", "I'm out of the office until Friday and will reply when I'm back.")
    assert u.kind is Kind.AUTOREPLY
    assert u.return_date == date(2025, 3, 7)


@pytest.mark.parametrize("subject", ["Automatic reply: Samples", "Автоответ: Образцы", "자동 회신: Samples",
                                     "Odpowiedź automatyczna: Próbki", "Balasan otomatis: Sampel"])
def test_exchanges_auto_generated_reply_is_an_autoreply_by_its_subject_in_any_language_outlook_ships(subject):
    """Exchange marks its automatic replies "Auto-Submitted: auto-generated", like a receipt or a ticket; the
    subject says which it is, where the body's words ("в командировке") are not known. A receipt stays other."""
    headers = f"From: Irina <irina@textile.example>\nTo: owner@example.com\nSubject: {subject}\nAuto-Submitted: auto-generated"
    assert read(headers, "С 3 по 12 ноября я нахожусь в командировке, доступ к почте ограничен.").kind is Kind.AUTOREPLY
    receipt = headers.replace(subject, "Your order 4471 has shipped")
    assert read(receipt, "Your order has shipped and will arrive on Friday.").kind is Kind.OTHER


@pytest.mark.parametrize("body", ["This mailbox is no longer monitored.", "I have left the company.",
                                  "Please note I have retired.", "Herr Müller ist nicht mehr im Unternehmen tätig."])
def test_no_longer_here_autoreply_is_permanent(body):
    u = read("From: carol@example.net\nTo: owner@example.com\nSubject: Automatic reply: hello\nAuto-Submitted: auto-replied", body)
    assert u.kind is Kind.AUTOREPLY and u.permanent


def test_an_unmarked_no_longer_here_notice_answers_one_sender_and_a_message_to_two_is_a_person():
    body = "This mailbox is no longer monitored."
    assert read("From: carol@example.net\nTo: owner@example.com\nSubject: Re: hello", body).kind is Kind.AUTOREPLY
    u = read("From: Steinar <steinar@example.net>\nTo: marit@example.org, owner@example.com\nSubject: introduction",
             "Dear Marit and Olivia\n\nI introduce you to each other as promised. Marit leads digital services at the "
             "city, Olivia builds portals. I am retired now so I do not follow further.\n\nSteinar")
    assert u.kind is not Kind.AUTOREPLY and not u.permanent


def test_a_forwarded_answer_that_quotes_nothing_is_read_for_its_own_intro():
    """ "RE: Engineers" from a client, forwarded by the owner: "one more thing, also get in touch with Frank"."""
    block = ("---------- Forwarded message ---------\nFrom: Marieke Dijkstra <marieke@bank.example>\n"
             "Date: Thu, Mar 28, 2024 at 2:22 PM\nSubject: RE: Security engineers\nTo: Olivia Owner <owner@example.com>\n\n"
             "Olivia,\n\nOne more thing: please also get in touch with Frank de Ruiter (frank@bank.example), our Red Team "
             "lead. He has a separate vacancy and knows you will be contacting him.\n\nRegards,\nMarieke\n")
    headers = "From: Olivia Owner <owner@example.com>\nTo: assistant@example.com\nSubject: Fwd: RE: Security engineers"
    u = read(headers, "Please add Frank and draft an intro mail from me.\n\n" + block)
    assert u.kind is Kind.INTRO
    assert (u.referrer.email, [p.email for p in u.prospects]) == ("marieke@bank.example", ["frank@bank.example"])


def _owner_forwards(subject: str, body: str, rules: DetectionRules | None = None):
    return read(f"From: Olivia Owner <owner@example.com>\nTo: assistant@example.com\nSubject: {subject}", body, rules=rules)


def _assert_alice_introduced_carol_who_answered(u) -> None:
    assert u.kind is Kind.INTRO
    assert (u.referrer.email, emails(u.prospects)) == ("alice@example.org", ["carol@acme.example"])
    assert u.prospect_replied and u.replied_by.email == "carol@acme.example"


def test_the_prospects_answer_the_owner_forwards_hands_on_the_intro_it_quotes():
    """Her forward of "thanks Alice, glad to meet you, Olivia", the intro quoted under it: the intro is found,
    answered already. An answer can read as intro-like because it answers one (an Italian one scored 0.83 at
    the shipped line); that is no second intro. The line here is set low enough that this answer is over it."""
    block = ("Begin forwarded message:\n\nFrom: Carol Prospect <carol@acme.example>\nSubject: RE: Outdoor lighting - contact\n"
             "Date: March 4, 2025 at 2:12:20 PM GMT\nTo: Alice Source <alice@example.org>, Olivia Owner <owner@example.com>\n\n"
             "Thank you Alice for the introduction.\n\nOlivia, very nice to meet you. We are interested: could you send "
             "your presentation and some references? Then we can plan a visit.\n\nBest regards\nCarol Prospect\n\n"
             "From: Alice Source <alice@example.org>\nSent: Tuesday, March 4, 2025 9:40 AM\n"
             "To: Carol Prospect <carol@acme.example>; Olivia Owner <owner@example.com>\nSubject: Outdoor lighting - contact\n\n"
             "Hi Carol, hi Olivia\n\nCarol: Olivia Owner, the lighting agent I told you about (the outdoor projectors "
             "you liked). Olivia: Carol Prospect manages facilities at Acme Hotels, five hotels on the lake; three need "
             "new outdoor lighting before next season.\n\nSpeak soon\nAlice\n")
    _assert_alice_introduced_carol_who_answered(
        _owner_forwards("Fwd: RE: Outdoor lighting - contact",
                        "See below: Carol has already answered. Send her the deck and the references, please.\n\nOlivia\n\n\n" + block,
                        rules=DetectionRules(min_confidence=0.03, question_confidence=0.01)))


def test_an_intro_under_the_owners_own_answer_in_a_thread_she_forwards_is_found():
    """She forwards the whole thread: the prospect's "Monday suits me", her "does Monday suit you?", the intro."""
    thread = ("From: Carol Prospect <carol@acme.example>\nSent: Thursday, March 6, 2025 1:07 PM\n"
              "To: Olivia Owner <owner@example.com>\nCc: Alice Source <alice@example.org>\nSubject: RE: RE: Acme - cold chain\n\n"
              "Monday 2 pm works for me too, I will come to your office.\n\nCarol\n\n"
              "From: Olivia Owner <owner@example.com>\nSent: Thursday, March 6, 2025 11:25 AM\n"
              "To: Alice Source <alice@example.org>; Carol Prospect <carol@acme.example>\nSubject: RE: Acme - cold chain\n\n"
              "Thank you Alice! Carol, would Monday 2 pm suit you?\n\nOlivia\n\n"
              "From: Alice Source <alice@example.org>\nSent: Thursday, March 6, 2025 10:05 AM\n"
              "To: Olivia Owner <owner@example.com>; Carol Prospect <carol@acme.example>\nSubject: Acme - cold chain\n\n"
              "Olivia, Carol,\n\nLet me put you in touch. Carol runs Acme Foods, they start exporting frozen goods to the "
              "Netherlands. Our trucks only drive at home, so I am sending her to Olivia, who knows customs inside out.\n\n"
              "Regards,\nAlice Source\n")
    _assert_alice_introduced_carol_who_answered(
        _owner_forwards("FW: RE: RE: Acme - cold chain",
                        "Read this from the bottom: Carol and I agreed on Monday 2 pm. Please send her an invitation.\n\nOlivia\n\n" + thread))


def test_an_intro_made_in_the_thread_it_was_asked_in_brings_the_prospect_onto_it():
    headers = ("From: Katrin Hofmann <katrin@freight.example>\nTo: Olivia Owner <owner@example.com>, "
               "Anders Olsen <anders@vinhandel.example>\nCc: assistant@example.com\nSubject: Re: Kurze Frage\n"
               "In-Reply-To: <ok.1@example.com>")
    body = ("Hi Olivia, switching to English since Anders is now in copy :)\n\nAnders - here is Olivia, the broker I told "
            "you about. Olivia - Anders Olsen, Olsen Vinhandel in Aarhus. He would like to start with a pallet in autumn.\n\n"
            "Katrin\n\nOn 10 Apr 2026, at 08:00, Olivia Owner <owner@example.com> wrote:\n> Ja klar, gerne! Stell uns gerne vor.\n")
    u = read(headers, body)
    assert u.kind is Kind.INTRO and [p.email for p in u.prospects] == ["anders@vinhandel.example"]
    # The prospect answering that intro brings no one new: never an intro of its own, but Katrin's intro, which
    # he has answered (routing then counts it as his reply on the referral that intro made).
    answer = read("From: Anders Olsen <anders@vinhandel.example>\nTo: Olivia Owner <owner@example.com>, "
                  "Katrin Hofmann <katrin@freight.example>\nSubject: Re: Kurze Frage\nIn-Reply-To: <k.2@freight.example>",
                  "Thanks Katrin! Olivia, lovely to meet you, shall we talk Tuesday?\n\n"
                  "On 11 Apr 2026, at 09:00, Katrin Hofmann <katrin@freight.example> wrote:\n> " + body.replace("\n", "\n> "))
    assert answer.kind is Kind.INTRO and answer.referrer.email == "katrin@freight.example"
    assert [p.email for p in answer.prospects] == ["anders@vinhandel.example"]
    assert answer.prospect_replied and answer.intro_message_id == "k.2@freight.example"


def test_the_owners_colleague_on_someones_intro_is_on_her_side_but_the_one_she_introduces_is_a_prospect():
    gerrits = ("From: Gerrit <gj@energie.example>\nTo: Olivia Owner <owner@example.com>, Hilde <hilde@kaas.example>\n"
               "Cc: assistant@example.com, Joris Bakker <joris@example.com>\nSubject: Kennismaken",
               "Hilde, Olivia and Joris of her studio designed our battery housing.\n\nOlivia, Hilde Terpstra makes farm "
               "cheese and needs a brand. I think you should meet.\n\nGerrit")
    u = read(*gerrits, rules=AT_A_FIXED_LINE)
    assert u.kind is Kind.INTRO and emails(u.prospects) == ["hilde@kaas.example"]
    assert emails(found_or_first_reading(read(*gerrits))[1]) == ["hilde@kaas.example"]
    own = read("From: Olivia Owner <owner@example.com>\nTo: Joris Bakker <joris@example.com>, Hilde <hilde@kaas.example>\n"
               "Cc: assistant@example.com\nSubject: Joris <> Hilde",
               "Hilde, meet Joris, our packaging lead. Joris, meet Hilde Terpstra of Terpstra Kaas. I think you two should "
               "talk about the new line.\n\nOlivia")
    assert own.kind is Kind.INTRO and emails(own.prospects) == ["hilde@kaas.example", "joris@example.com"]


def test_please_remove_me_is_a_reply_with_do_not_contact():
    u = read("From: carol@example.net\nTo: owner@example.com\nSubject: Re: Alice suggested we connect\nIn-Reply-To: <ft@owner.example>",
             "Please remove me from your list.\n\nOn Mon, Mar 3, 2025 at 9:00 AM Olivia Owner <owner@example.com> wrote:\n> Hi Carol")
    assert u.kind is Kind.REPLY and u.do_not_contact
    assert u.reply_text == "Please remove me from your list."


def test_owner_sent_copy_is_never_a_reply():
    u = read("From: Olivia Owner <owner@example.com>\nTo: carol@example.net\nSubject: Re: hello\nIn-Reply-To: <c@example.net>",
             "Tuesday works!\n\nOn Mon, Carol <carol@example.net> wrote:\n> shall we talk?")
    assert u.kind is Kind.OTHER


def test_refmail_own_messages_are_never_a_reply():
    stamped = read("From: owner@example.com\nTo: carol@example.net\nSubject: Re: x\nX-Refmail: first_touch", "Hi Carol")
    assert stamped.kind is Kind.OTHER and "our own message" in stamped.reasons


def test_our_message_id_without_the_stamp_is_the_owners_mail():
    """A draft she sent from her own client keeps the Message-ID we minted, not X-Refmail: it is her message."""
    mid = outgoing_message_id("d1a2b3", "owner@example.com", b"k" * 32)
    sent = read(f"From: owner@example.com\nTo: carol@example.net\nSubject: Re: x\nMessage-ID: <{mid}>\n"
                "X-Refmail-Draft: d1a2b3", "Hi Carol")
    assert "our own message" not in sent.reasons


# --- other kinds ------------------------------------------------------------------------------

@pytest.mark.parametrize("subject,body,back", [
    ("Out of Office", "I am out of the office and will be back on Monday 10th.", date(2025, 3, 10)),
    ("Abwesenheitsnotiz", "Ich bin im Urlaub und zurück am 12.03.", date(2025, 3, 12)),
    ("Réponse automatique", "Je suis absente, de retour le 14 mars.", date(2025, 3, 14)),
    ("Respuesta automática", "Estoy fuera de la oficina hasta el 20 de marzo.", date(2025, 3, 20)),
    ("Automatic reply", "Away until 2025-03-18.", date(2025, 3, 18)),
    ("Automatic reply", "I'm on holiday with limited access to email.", None),
])
def test_autoreply_return_dates(subject, body, back):
    u = read(f"From: carol@example.net\nTo: owner@example.com\nSubject: {subject}\nAuto-Submitted: auto-replied", body)
    assert u.kind is Kind.AUTOREPLY
    assert u.return_date == back
    assert not u.permanent


def test_return_date_is_relative_to_the_message_date():
    from datetime import datetime, timezone
    assert return_date("back on Monday", datetime(2025, 3, 5, tzinfo=timezone.utc)) == date(2025, 3, 10)
    assert return_date("back on Monday", datetime(2025, 6, 4, tzinfo=timezone.utc)) == date(2025, 6, 9)


def test_dsn_bounce_with_failed_address():
    raw = (b"From: MAILER-DAEMON@mx.example.com\nTo: owner@example.com\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
           b"could not be delivered\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
           b"Final-Recipient: rfc822; Carol@Example.net\nAction: failed\nStatus: 5.1.1\n--b--\n")
    u = understand(parse_message(raw), OWNER)
    assert u.kind is Kind.BOUNCE
    assert u.failed_addresses == ("carol@example.net",)


def test_nonstandard_bounce_with_failed_address():
    u = read("From: MAILER-DAEMON@mail.example.net\nTo: owner@example.com\nSubject: failure notice",
             "Hi. This is the qmail-send program.\nI wasn't able to deliver your message to the following addresses.\n\n"
             "<carol@example.net>:\nSorry, no mailbox here by that name. (#5.1.1)\n")
    assert u.kind is Kind.BOUNCE and u.failed_addresses == ("carol@example.net",)



def test_a_failure_notice_from_a_mail_delivery_system_mailbox_is_a_bounce_whatever_its_wording():
    """The sender and the Return-Path say "mail system", the subject says "delivery": its own wording
    ("Delevery ... aborted", "could not find a gateway") matches no failure phrase, and a text model
    must never get to read it as an intro."""
    u = read("Return-Path: <MAILER-DAEMON@mx.example.com>\nFrom: Mail Delivery System <Mail.Delivery.System@mx.example.com>\n"
             "To: owner@example.com\nSubject: Delivery status notification",
             "Delevery to the following recipients was aborted after 5.0 hour(s):\n\n  * carol@example.net\n\n"
             "Routing: Could not find a gateway for carol@example.net\n")
    assert u.kind is Kind.BOUNCE

@pytest.mark.parametrize("text,expected", [
    ("Sounds great!\n\nBest,\nCarol\n\nOn Mon, Mar 3, 2025 at 9:00 AM Olivia <owner@example.com> wrote:\n> hi", "Sounds great!\n\nBest,\nCarol"),
    ("Yes please.\n\nSent from my iPhone\n\nOn Mar 3, 2025, at 09:00, Olivia wrote:\n\n> hi", "Yes please."),
    ("Let's talk.\n\n-----Original Message-----\nFrom: Olivia\nSent: Monday\nTo: Carol\nSubject: x\n\nhi", "Let's talk."),
    ("Gerne.\n\nAm Mo., 3. März 2025 um 09:00 Uhr schrieb Olivia <owner@example.com>:\n> hallo", "Gerne."),
    ("Thanks!\n-- \nCarol Prospect\nCEO", "Thanks!"),
])
def test_reply_text_without_quotes_or_signature(text, expected):
    assert reply_text(text) == expected


def test_human_reply_in_a_thread():
    u = read("From: carol@example.net\nTo: owner@example.com\nSubject: Re: Alice suggested we connect\nIn-Reply-To: <ft@owner.example>",
             "Happy to chat, Thursday?\n\nOn Mon, Mar 3, 2025 at 9:00 AM Olivia Owner <owner@example.com> wrote:\n> Alice suggested we connect")
    assert u.kind is Kind.REPLY and u.reply_text == "Happy to chat, Thursday?" and not u.do_not_contact


@pytest.mark.parametrize("cue,urgency", [
    ("They need this by Friday.", Urgency.DEADLINE), ("No rush on this.", Urgency.RELAXED),
    ("This is urgent, their board meets soon.", Urgency.URGENT), ("", None)])
def test_timing_cues(cue, urgency):
    u = read(INTRO_HEADERS, f"Olivia, meet Carol. Carol, meet Olivia. {cue}")
    assert u.urgency is urgency


def test_understanding_json_has_the_design_keys():
    u = read(INTRO_HEADERS, "Olivia, meet Carol. Carol, meet Olivia.")
    d = understanding_json("x.eml", u)
    for key in ("file", "kind", "is_intro", "confidence", "referrer", "prospects", "receiver", "context", "urgency",
                "reasons", "return_date", "permanent", "do_not_contact", "failed_addresses", "reply_text", "owner_is_referrer"):
        assert key in d
    assert d["kind"] == "intro" and d["is_intro"] is True
    assert d["referrer"] == {"name": "Alice Source", "email": "alice@example.org"}
    assert d["prospects"] == [{"name": "Carol Prospect", "email": "carol@example.net"}]


def test_detection_rules_from_mapping_names_the_bad_key():
    assert DetectionRules.from_mapping({"min_confidence": 0.6}).min_confidence == 0.6
    with pytest.raises(ValueError, match=r"detection\.min_confidence: expected a number between 0 and 1"):
        DetectionRules.from_mapping({"min_confidence": 2})
    with pytest.raises(ValueError, match=r"detection\.colour: unknown key"):
        DetectionRules.from_mapping({"colour": "red"})
    with pytest.raises(ValueError, match=r"detection\.intro_phrases"):
        DetectionRules.from_mapping({"intro_phrases": "meet"})


def test_extra_intro_phrases_from_rules():
    """A phrase from rules.yaml becomes intro wording: in the trail, and weighed as such by the model."""
    body = "Olivia and Carol, consider yourselves acquainted."
    headers = INTRO_HEADERS.replace("Intro: Olivia <> Carol", "hello")
    every = DetectionRules(min_confidence=0.0)  # read the score whatever the intro line
    plain = read(headers, body, rules=every)
    rules = DetectionRules(intro_phrases=("consider yourselves acquainted",), min_confidence=0.0)
    phrased = read(headers, body, rules=rules)
    assert not any("consider yourselves acquainted" in r for r in plain.reasons)
    assert any(r.startswith("intro wording:") and "consider yourselves acquainted" in r for r in phrased.reasons)
    assert phrased.confidence > plain.confidence
    assert read(headers, body, rules=DetectionRules(intro_phrases=rules.intro_phrases)).kind is Kind.INTRO


def test_trained_pipeline_path_adds_ner_evidence(tmp_path):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"LOWER": "zed"}, {"LOWER": "quinn"}]}])
    nlp.to_disk(tmp_path / "tiny")
    headers = INTRO_HEADERS.replace("Carol Prospect <carol@example.net>", "zq@quinn.example")
    body = "Olivia, I'd like to introduce you to Zed Quinn, who runs Quinn Labs. You two should talk."
    blank = read(headers, body)
    trained = read(headers, body, rules=DetectionRules(pipeline=str(tmp_path / "tiny")))
    assert blank.kind is Kind.INTRO and trained.kind is Kind.INTRO
    assert blank.prospects[0].name == ""
    assert trained.prospects == (Person("Zed Quinn", "zq@quinn.example"),)
    assert any("NER" in r for r in trained.reasons)


def test_a_named_but_missing_pipeline_falls_back_to_rules():
    u = read(INTRO_HEADERS, "Olivia, meet Carol.", rules=DetectionRules(pipeline="en_core_web_sm_not_installed"))
    assert u.kind is Kind.INTRO


def test_trained_ner_tips_a_borderline_intro(tmp_path):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": name} for name in ("Carol", "Olivia")])
    nlp.to_disk(tmp_path / "tiny")
    headers = INTRO_HEADERS.replace("Intro: Olivia <> Carol", "Introduction")
    body = "Olivia works on pricing. Carol needs pricing help."
    # Borderline by construction: the intro line just above this text's own score (the fitted model's
    # score is data, not a constant a test may assume).
    score = read(headers, body, rules=DetectionRules(min_confidence=0.0)).confidence
    line = min(score + 0.05, 1.0)
    assert read(headers, body, rules=DetectionRules(min_confidence=line)).kind is not Kind.INTRO
    trained = read(headers, body, rules=DetectionRules(pipeline=str(tmp_path / "tiny"), min_confidence=line))
    assert trained.kind is Kind.INTRO
    assert any("NER names people" in r for r in trained.reasons)


def test_prospects_reply_all_with_a_thread_header_is_not_a_new_intro_by_the_prospect():
    """Regression: the prospect's 'Thanks Alice, moving you to BCC' above a Gmail quote of the intro."""
    from datetime import UTC, datetime

    from refmail.demo import ALICE, ASSISTANT, CAROL, OWNER, intro_email
    from refmail.domain.parse import parse_message
    from tests.reading import understand
    from refmail.domain.types import Identity
    from tests.e2e.harness import message

    at = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    intro = intro_email(ALICE, OWNER, CAROL, ASSISTANT, at)
    quoted = "\n".join("> " + line for line in intro.data.decode().split("\r\n\r\n", 1)[1].splitlines())
    reply = message(CAROL, [OWNER, ALICE], "Re: Intro: Olivia <> Carol",
                    "Thanks Alice, moving you to BCC. Olivia, lovely to meet you - does Tuesday work?\n\n"
                    f"On Mon, Nov 16, 2026 at 8:30 AM Alice Source <alice@example.org> wrote:\n{quoted}\n", at,
                    in_reply_to=intro.message_id, headers={"Cc": ASSISTANT})
    u = understand(parse_message(reply.data), Identity(OWNER, (), ASSISTANT))  # type: ignore[arg-type]
    assert u.referrer == ALICE and u.prospects == (CAROL,)
    assert u.prospect_replied and u.intro_message_id == intro.message_id
    assert u.reply_text and "Tuesday" in u.reply_text


def test_someone_copied_but_never_named_is_not_introduced():
    from datetime import UTC, datetime

    from refmail.demo import ALICE, ASSISTANT, CAROL, OWNER, intro_email
    from refmail.domain.parse import parse_message
    from tests.reading import understand
    from refmail.domain.types import Identity

    mail = intro_email(ALICE, OWNER, CAROL, "pa.to.alice@example.org", datetime(2026, 11, 16, 9, tzinfo=UTC))
    u = understand(parse_message(mail.data), Identity(OWNER, (), ASSISTANT))  # type: ignore[arg-type]
    assert u.is_intro and u.prospects == (CAROL,)


def test_base64_encoded_attached_intro_is_read():
    from datetime import UTC, datetime
    from email.message import EmailMessage

    from refmail.demo import ALICE, ASSISTANT, CAROL, OWNER, intro_email
    from refmail.domain.parse import parse_message
    from tests.reading import understand
    from refmail.domain.types import Identity

    intro = intro_email(ALICE, OWNER, CAROL, ASSISTANT, datetime(2026, 11, 16, 9, tzinfo=UTC))
    fwd = EmailMessage()
    fwd["From"], fwd["To"], fwd["Subject"] = OWNER.formatted(), ASSISTANT, "Fwd: intro"
    fwd.set_content("see attached\n")
    fwd.add_attachment(intro.data, maintype="message", subtype="rfc822")  # the stdlib base64-encodes it
    assert b"Content-Transfer-Encoding: base64" in fwd.as_bytes()
    parsed = parse_message(fwd.as_bytes())
    assert [m.sender for m in parsed.attached] == [ALICE]  # type: ignore[union-attr]
    u = understand(parsed, Identity(OWNER, (), ASSISTANT))  # type: ignore[arg-type]
    assert u.is_intro and u.referrer == ALICE and u.prospects == (CAROL,)
    assert u.intro_message_id == intro.message_id


HALE = "Cc: Robert Hale <robert.hale@hale.example>, assistant@example.com\n"
FOR_HALE = "{lead}, I would like to introduce you to Carol Prospect, who needs pricing advice. Olivia, meet Carol.\n\nPat"


@pytest.mark.parametrize("to, subject, body, referrer, prospects", [
    *[(", Carol Prospect <carol@example.net>", "Introduction", FOR_HALE.format(lead=lead), "robert.hale@hale.example",
       ["carol@example.net"]) for lead in ["On behalf of Mr. Robert Hale", "Im Auftrag von Herrn Dr. Hale",
                                           "Namens de heer Robert Hale", "De la part de M. Hale", "En nombre de Robert Hale"]],
    # unless he is the one she introduces
    ("", "Introduction on behalf of Robert Hale", "Dear Olivia, I'm Robert's executive assistant. Robert (copied) was "
     "referred to you and would like to meet you about coaching. Olivia, meet Robert.\n\nPat\nExecutive Assistant to "
     "Robert Hale", "office@hale.example", ["robert.hale@hale.example"]),
])
def test_an_assistant_writing_for_her_principal_names_him_the_referrer(to, subject, body, referrer, prospects):
    u = read(f"From: Pat Office <office@hale.example>\nTo: Olivia Owner <owner@example.com>{to}\n{HALE}Subject: {subject}",
             body)
    assert u.is_intro and u.referrer.email == referrer
    assert emails(u.prospects) == prospects


def test_a_couple_by_bare_addresses_the_text_names_both_are_introduced():
    u = read("From: Alice Source <alice@example.org>\nTo: Olivia Owner <owner@example.com>, azdoug61@mail.example, "
             "Judy Sorensen <judysorensen@mail.example>\nCc: assistant@example.com\nSubject: Referral",
             "Hi Olivia, I'm sending you a referral: Doug and Judy are buying in Tucson next year. "
             "Doug - Olivia is fantastic. Olivia, meet Doug and Judy.\n\nAlice")
    assert u.is_intro and emails(u.prospects) == ["azdoug61@mail.example", "judysorensen@mail.example"]


def _written(writer: str, file: str, rules: DetectionRules | None = None):
    from pathlib import Path

    from refmail.training.corpus import identity_for, load_labels

    folder = Path(__file__).resolve().parents[1] / "corpus_written" / writer
    label = next(x for x in load_labels(folder) if x["file"] == file)
    return understand(parse_message((folder / file).read_bytes()), identity_for(label), rules)


def test_an_intro_that_lost_its_addresses_in_a_forward_is_a_question_not_a_quiet_no():
    """Old Outlook forwards whose header block names people without addresses (writers' files, stop 17)."""
    from refmail.domain.outcome import Facts, Outcome, settle

    # No address anywhere: asked about, never a quiet "no"; whether the score falls in the question band
    # or firm wording finds nobody to introduce (over the line: at a low fixed one, it is; the models fit at
    # stops 32 and 33 read it at 0.57 and 0.46).
    lost = _written("w4", "075_outlook_fwd_no_address.eml")
    assert not lost.is_intro and lost.unsure
    assert settle(Facts(handed=True, referral=False, event=False), lost) is Outcome.QUESTION
    over_the_line = _written("w4", "075_outlook_fwd_no_address.eml", DetectionRules(min_confidence=0.2,
                                                                                     question_confidence=0.05))
    assert not over_the_line.is_intro and over_the_line.unsure
    assert any("nobody to introduce" in r for r in over_the_line.reasons)
    # The referrer's address in his signature names him; his friend's is nowhere: an intro to ask about.
    named = _written("w3", "062_fwd_outlook_names_only_noaddr.eml")
    assert named.is_intro and named.referrer.email == "k-watanabe@osaka-seimitsu.example" and not named.prospects
    assert settle(Facts(handed=True, referral=False, event=False, intro_unplaced=True), named) is Outcome.QUESTION


@pytest.mark.parametrize("file, referrer, prospect", [
    ("003_fw_suresh_intro_ramesh_agarwal.eml", "suresh_iyer1962@yahoo.example", "ramesh@agarwalfabrics.example"),
    # the names in Devanagari, the addresses in Latin letters: spelled in Latin letters, they match
    ("102_fw_sanjay_hindi_intro_ritesh_jain_indore.eml", "sanjaygupta.delhi@gmail.example", "ritesh.jain@jaincoldchain.example"),
])
def test_names_without_addresses_in_an_old_outlook_forward_are_the_addresses_its_text_spells(file, referrer, prospect):
    u = _written("w34", file)
    assert u.is_intro and u.referrer.email == referrer
    assert emails(u.prospects) == [prospect]


def test_a_japanese_intro_names_its_prospect_without_spaces_and_leaves_out_the_colleague_copied():
    from refmail.domain.extract import parties
    from refmail.domain.pipeline import intro_candidates

    raw = ("From: =?utf-8?b?5Lit5p2RIOeUsee+jg==?= <y-nakamura@toei.example>\nTo: Olivia Owner <owner@example.com>\n"
           "Cc: =?utf-8?b?5ZCJ5bedIOWkp+i8lA==?= <d-yoshikawa@toei.example>, "
           "=?utf-8?b?5bCP5p6XIOiqoA==?= <m.kobayashi@toei.example>, assistant@example.com\n"
           "Subject: =?utf-8?b?5b6M5Lu744Gu44GU57S55LuL?=\nContent-Type: text/plain; charset=utf-8\n\n"
           "Olivia様\n\n後任の吉川大輔をご紹介いたします。今後は吉川までご連絡ください。\n\n中村\n")
    msg = parse_message(raw.encode())
    direct = intro_candidates(msg, OWNER, DetectionRules())[0]
    assert emails(parties(direct, msg, OWNER).prospects) == ["d-yoshikawa@toei.example"]


def test_a_prospect_written_in_the_text_of_mail_to_the_owner_alone_is_a_cue_and_the_writers_own_address_is_not():
    from refmail.domain.pipeline import intro_candidates, setting

    def cue(body: str) -> float:
        raw = (f"From: Alice Source <alice@example.org>\nTo: Olivia Owner <owner@example.com>\nSubject: Referral\n"
               f"Date: {DATE}\nContent-Type: text/plain; charset=utf-8\n\n{body}").encode()
        msg = parse_message(raw)
        (cand,) = intro_candidates(msg, OWNER, DetectionRules())
        return setting(cand, msg, OWNER)["contact_written"]

    assert cue("I would like to introduce Ms. Carol Prospect (carol@example.net). She has agreed to be contacted.") == 1.0
    assert cue("Thanks for lunch.\n\nAlice Source\nalice@example.org | +1 555 0100") == 0.0
    assert cue("Please reply to owner@example.com or olivia@owner.example, both reach you.") == 0.0


def test_a_contact_card_passed_on_is_a_cue_of_its_own_and_a_typed_address_is_not_one():
    """"Here's Duncan's card - he's expecting your call": a phone passes the prospect on as a card, and she is on
    the mail nowhere else. The card is a cue apart from an address typed in the text (42 of 43 labelled messages
    carrying a card are intros), so the fitted model can weigh it apart."""
    from refmail.domain.pipeline import intro_candidates, setting

    card = "BEGIN:VCARD\nVERSION:3.0\nFN:Carol Prospect\nEMAIL;type=INTERNET:carol@example.net\nEND:VCARD\n"

    def cues(text: str, attached: str = "") -> tuple[float, float]:
        parts = (f'--b\nContent-Type: text/plain; charset=utf-8\n\n{text}\n'
                 + (f'--b\nContent-Type: text/vcard; name="Carol.vcf"\n\n{attached}' if attached else "") + "--b--\n")
        raw = (f"From: Alice Source <alice@example.org>\nTo: Olivia Owner <owner@example.com>\nSubject: As promised\n"
               f'Date: {DATE}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n{parts}').encode()
        msg = parse_message(raw)
        (cand,) = intro_candidates(msg, OWNER, DetectionRules())
        found = setting(cand, msg, OWNER)
        return found["contact_written"], found["contact_card"]

    assert cues("Here's Carol's card, she expects your call.", attached=card) == (1.0, 1.0)
    assert cues(f"Her card, pasted:\n{card}") == (1.0, 1.0)
    assert cues("Carol Prospect (carol@example.net) expects your call.") == (1.0, 0.0)
    assert cues("Thanks for lunch.") == (0.0, 0.0)



@pytest.mark.parametrize("block", [
    "When: Tuesday, 25 March 2025 7:30 AM-9:00 AM (UTC+07:00) Bangkok, Hanoi, Jakarta.\nWhere: Hotel lobby lounge",
    "Wann: Dienstag, 25. März 2025 07:30-09:00 (UTC+01:00) Amsterdam, Berlin\nOrt: Büro Zürich, Raum 3",
    "Quand : mardi 25 mars 2025 07:30-09:00\nOù : salle du conseil",
    "日時: 2025年3月25日 7:30-9:00\n場所: 本社3階会議室",
])
def test_a_meetings_time_and_place_block_is_a_cue_and_a_reason(block):
    """The When:/Where: block a calendar request writes into its body sets a meeting between the people
    named; the fitted model weighs it, and the reasons trail names it. Chatter about "when" is not one."""
    from refmail.domain.detect import read_cues
    from tests.reading import pipe_for

    people = (Person("Sarah Whitfield", "sarah@harbourstone.example"), Person("Bayu Santoso", "bayu@example.net"))
    cues = read_cues(pipe_for(DetectionRules()), "Breakfast - Sarah Whitfield / Bayu Santoso",
                     f"Breakfast meeting Sarah Whitfield / Bayu Santoso.\n\n{block}\n", people)
    assert cues.features["meeting_time_and_place"] == 1.0
    assert "sets a meeting's time and place (When: / Where:)" in cues.evidence
    chatter = read_cues(pipe_for(DetectionRules()), "Intro: Sarah <> Bayu",
                        "Bayu, meet Sarah.\nWhen: whenever suits you both.\nWhere: your call!\n", people)
    assert chatter.features["meeting_time_and_place"] == 0.0


@pytest.mark.parametrize("sentence", [
    "From 1 July Wiebe takes over from me as your account manager.",
    "Ab Juli übernimmt mein Kollege Jonas Ihre Aufträge.",
    "Per 1 juli neem ik het stokje over van mijn collega Mirjam.",
    "Teguh akan menjadi kontak baru Anda; he is your new account manager.",
])
def test_handing_over_an_account_is_a_cue_and_a_reason(sentence):
    """A successor named on the mail reads like an intro's people; the fitted model weighs the hand-over."""
    from refmail.domain.detect import read_cues
    from tests.reading import pipe_for

    people = (Person("Tanvir Rahman", "tanvir@example.net"), Person("Jonas Weber", "jonas@example.org"))
    cues = read_cues(pipe_for(DetectionRules()), "Your account", f"Dear Tanvir,\n\n{sentence}\n\nBest, Katrin", people)
    assert cues.features["handover_wording"] == 1.0
    assert any(e.startswith("hands over an account or a role: ") for e in cues.evidence)
    intro = read_cues(pipe_for(DetectionRules()), "Intro", "Tanvir, meet Jonas. I will hand it over to you two!", people)
    assert intro.features["handover_wording"] == 0.0


def test_a_calendar_part_or_outlooks_calendar_class_is_a_cue_of_the_candidate():
    from refmail.domain.pipeline import intro_candidates, setting

    def cue(extra_headers: str, body: str) -> float:
        raw = (f"From: Alice Source <alice@example.org>\nTo: Olivia Owner <owner@example.com>, carol@acme.example\n"
               f"Subject: Carol / Olivia\nDate: {DATE}\n{extra_headers}{body}").encode()
        msg = parse_message(raw)
        return setting(intro_candidates(msg, OWNER, DetectionRules())[0], msg, OWNER)["calendar_part"]

    ics = ('Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain\n\nCatch-up.\n'
           "--b\nContent-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\n"
           "SUMMARY:Carol / Olivia\nDTSTART:20260311T150000Z\nEND:VEVENT\nEND:VCALENDAR\n--b--\n")
    assert cue("", ics) == 1.0
    assert cue("Content-Class: urn:content-classes:calendarmessage\nContent-Type: text/plain\n", "\nCatch-up.\n") == 1.0
    assert cue("Content-Type: text/plain\n", "\nOlivia, meet Carol.\n") == 0.0



def test_the_owners_own_colleagues_on_a_message_are_cues_of_a_hand_over():
    """A client thanking the owner and her colleague and copying his own CFO, or the owner handing a client
    to a colleague: the owner's side of the mail is on it; the fitted model weighs what that says."""
    from refmail.domain.pipeline import intro_candidates, setting

    owner = Identity(Person("Dana Reyes", "dana@lakeshore.example"), (), "assistant@lakeshore.example")

    def cues(sender: str, to: str, cc: str) -> tuple[float, float]:
        raw = (f"From: {sender}\nTo: {to}\nCc: {cc}, assistant@lakeshore.example\nSubject: Next steps\n"
               f"Date: {DATE}\nContent-Type: text/plain\n\nThank you both for this morning.\n").encode()
        msg = parse_message(raw)
        got = setting(intro_candidates(msg, owner, DetectionRules())[0], msg, owner)
        return got["owner_colleague_addressed"], got["introduces_own_colleagues_to_owner_side"]

    thanks = cues("Ingrid <ingrid@tanakaburke.example>", "dana@lakeshore.example",
                  "Dennis <dennis@tanakaburke.example>, Priya <priya@lakeshore.example>")
    assert thanks == (1.0, 1.0)
    assert cues("Alice <alice@example.org>", "dana@lakeshore.example", "Carol <carol@acme.example>") == (0.0, 0.0)
    # someone from a shared provider is nobody's colleague
    assert cues("Alice <alice@example.org>", "dana@lakeshore.example",
                "Carol <carol@gmail.com>, Priya <priya@lakeshore.example>") == (1.0, 0.0)


COPIED_HEADERS = """
From: Alice Source <alice@example.org>
To: Olivia Owner <owner@example.com>, Carol Prospect <carol@acme.example>
Cc: Erin Hale <erin@example.org>, Dev Patel <dev@acme.example>, assistant@example.com
Subject: Intro: Olivia <> Carol
"""
VIA_HEADERS = """
From: Olivia Owner <owner@example.com>
To: Carol Prospect <carol@acme.example>
Cc: Erin Hale <erin@example.org>, assistant@example.com
Subject: Introduction - pricing at Acme
"""


@pytest.mark.parametrize("headers, body, introduced", [
    # the referrer's colleague, named only as copied
    (COPIED_HEADERS.replace(", Dev Patel <dev@acme.example>", ""),
     "Olivia, meet Carol, who runs ops at Acme. Carol, Olivia is the best pricing consultant I know.\n\n"
     "I've copied Erin from my team, who set this up.\n\nAlice", ["carol@acme.example"]),
    # the owner introducing herself at someone's suggestion: that someone is copied, not introduced
    (VIA_HEADERS, "Dear Carol,\n\nmy name is Olivia Owner; I advise mid-size firms on pricing. Erin Hale (in cc) "
     "suggested I write to you, as she told me Acme is rethinking its price list this spring.\n\n"
     "Would you have 20 minutes for a call next week?\n\nBest regards,\nOlivia", ["carol@acme.example"]),
    # the same people on the same mail, both introduced
    (COPIED_HEADERS, "Olivia, meet Carol and Dev, the co-founders of Acme. Carol and Dev, Olivia is the best pricing "
     "consultant I know.\n\nErin, thanks for the nudge.\n\nAlice", ["carol@acme.example", "dev@acme.example"]),
])
def test_who_of_those_copied_is_introduced_is_read_from_the_words_around_their_names(headers, body, introduced):
    """The shipped person model (fit on the labelled corpora) decides; the hand rules kept everyone named."""
    referrer = "owner@example.com" if headers is VIA_HEADERS else "alice@example.org"
    u = read(headers, body, rules=AT_A_FIXED_LINE)
    assert u.kind is Kind.INTRO
    assert u.referrer.email == referrer
    assert emails(u.prospects) == introduced
    assert "addressed but not introduced: erin@example.org" in u.reasons  # the reasons trail says whom it left out
    found_by, prospects = found_or_first_reading(read(headers, body))
    assert found_by.email == referrer and emails(prospects) == introduced


def test_a_name_is_one_mention_read_around_as_a_whole_whatever_its_script():
    """Read word by word, "Rachel Kim" was two mentions, each with a name beside it (the other half): cues a
    Western name got for free and a name written as one word (석지훈) never did."""
    from refmail.domain.introduced import Setting, pool_cues

    pool = (Person("Rachel Kim", "rachel@playnote.example"), Person("석지훈", "jihoon@aurora.example"))
    body = ("Two teams for you. First, Rachel Kim from PlayNote, who runs a rhythm game studio in Seoul and Austin.\n"
            "Second, 석지훈 from Aurora Games, who makes roguelikes.\nRachel Kim needs PR in Korea; 석지훈 needs it abroad.")
    names = frozenset({"rachel", "kim", "석지훈", "olivia", "junho"})
    s = Setting.of(body, "Intro", Person("Junho Lee", "junho@spark.example"), Person("Olivia Owner", "owner@example.com"),
                   False, frozenset({"owner@example.com"}), frozenset(p.email for p in pool), names)
    rachel, jihoon = pool_cues(pool, [{"rachel", "kim"}, {"석지훈"}], s, [True, True])
    assert rachel["mentions"] == jihoon["mentions"] > 0  # twice each
    assert rachel["named_in_full"] == jihoon["named_in_full"] == 1.0
    assert "a:xxname" not in rachel and "b:xxname" not in rachel  # her own surname is no other name beside her
    assert rachel["a:from"] == rachel["a:playnote"] == rachel["a:needs"] == 1.0  # the words after her whole name


def test_the_person_model_never_leaves_an_intro_with_nobody_introduced():
    from refmail.domain.introduced import choose
    from refmail.domain.scoring import PersonModel

    pool = (Person("Carol", "carol@acme.example"), Person("Dev", "dev@acme.example"))
    doubtful = PersonModel({"b:copied": -5.0, "a:ceo": 1.0}, 0.0, threshold=0.9)
    assert choose(pool, [{"b:copied": 1.0}, {"a:ceo": 1.0}], doubtful) == (pool[1],)  # the likelier one
    assert choose(pool[:1], [{"b:copied": 1.0}], doubtful) == pool[:1]  # alone: no choice to make
    assert choose(pool, [{"a:ceo": 1.0}, {"a:ceo": 1.0, "x": 9.0}], PersonModel({"a:ceo": 3.0}, 0.0)) == pool


def test_a_hebrew_gmail_quote_line_wrapped_in_direction_marks_still_opens_the_quoted_intro():
    """Gmail in Hebrew wraps the line, the name and the address in invisible direction marks."""
    line = ("\u202bבתאריך יום ב׳, 3 במרץ 2025 ב-09:00 מאת \u202aAlice Source\u202c\u200f "
            "<\u202aalice@example.org\u202c\u200f>:\u202c")
    u = read("""
From: Olivia Owner <owner@example.com>
To: Carol Prospect <carol@example.net>
Bcc: assistant@example.com
Subject: Re: Intro: Olivia <> Carol
In-Reply-To: <intro.1@example.org>
""", f"תודה אליס! Carol, great to meet you. Moving Alice to bcc.\n\n{line}\n"
     "> Olivia, meet Carol. Carol runs ops at Acme and needs help with pricing.\n> Carol, meet Olivia.\n> Alice\n")
    assert u.is_intro and u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["carol@example.net"]


def test_an_ios_forward_in_romanian_reads_the_intro_and_its_context_carries_no_byte_order_mark():
    """Romanian iOS: "Început mesaj redirecționat:", a "Dată:" field, and a BOM at the top of the quoted body."""
    u = read("""
From: Olivia Owner <owner@example.com>
To: assistant@example.com
Subject: Fwd: Mise en relation
""", "Pt follow-up, te rog.\n\nTrimis de pe iPhone-ul meu\n\nÎnceput mesaj redirecționat:\n\n"
     "> De la: Alice Source <alice@example.org>\n> Dată: 2 mai 2023 la 17:31:09 EEST\n"
     "> Către: Carol Prospect <carol@example.net>, Olivia Owner <owner@example.com>\n> Subiect: Mise en relation\n>\n"
     "> \ufeffChère Olivia, cher Carol,\n> j’ai le plaisir de vous mettre en relation. Carol dirige Acme.\n>\n> Alice\n")
    assert u.is_intro and u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["carol@example.net"]
    assert "\ufeff" not in u.context and u.context.startswith("Chère Olivia")


def test_a_long_intro_context_is_cut_at_a_word_and_marked():
    """The context drafting reads its sentences from: cut mid-word, "is Head of Sales" read as "is Head"."""
    filler = "We worked together on the port expansion, on two grain terminals before that" + ", and more" * 90 + ". "
    u = read("""
From: Alice Source <alice@example.org>
To: Olivia Owner <owner@example.com>, Carol Prospect <carol@example.net>
Cc: assistant@example.com
Subject: Intro: Olivia <> Carol
""", "Olivia, meet Carol. " + filler + "Carol is Head of Sales at Petrov Tech.\n\nAlice\n")
    assert u.is_intro and len(u.context) <= 501
    assert u.context.endswith("\u2026") and not u.context.endswith(" \u2026")
    assert (u.context[:-1] + " ").split()[-1] in filler.split()  # a whole word before the mark
    # A sentence that ends soon after the limit is kept whole.
    short = "We worked together on the port expansion. " * 11
    u = read("""
From: Alice Source <alice@example.org>
To: Olivia Owner <owner@example.com>, Carol Prospect <carol@example.net>
Cc: assistant@example.com
Subject: Intro: Olivia <> Carol
""", "Olivia, meet Carol. " + short + "Carol is Head of Sales at Petrov Tech and wants a second supplier.\n\nAlice\n")
    assert u.context.endswith("Carol is Head of Sales at Petrov Tech and wants a second supplier.")


def test_asking_words_over_an_intro_in_the_question_band_are_asked_about_never_listed_as_an_ask(monkeypatch):
    """ "Would it be ok if I connect you with Bekalu? Better to call him; his card below": the card makes the
    intro, the words ask first. Read ask 0.58 and intro 0.42 (the question band; the model shipped at stop 26
    read a held-back writer's message so), the owner is asked with the reading instead of being told in the
    digest that nothing was made yet. The scores are set here: where a refit puts this text is not the point."""
    from refmail.domain import pipeline
    from refmail.domain.detect import Detection

    monkeypatch.setattr(pipeline, "detect", lambda *a, **k: Detection(0.42, 0.58, ("asks first",)))
    card = ("\n\n-----\nBEGIN:VCARD\nVERSION:3.0\nFN:Bekalu Tsegaye\nORG:Harar Highland Coffee PLC\n"
            "EMAIL;TYPE=WORK:bekalu@harar-coffee.example\nEND:VCARD\n-----\n")
    headers = """
From: Alice Source <alice@example.org>
To: Olivia Owner <owner@example.com>
Cc: assistant@example.com
Subject: A new exporter from Harar - please call him
"""
    body = ("Dear Olivia,\n\nWould it be ok if I connect you with Bekalu Tsegaye? He has no idea about the pre-shipment "
            "loan. He does not use email, so it is better if you call him. His card below.\n\nAlice")
    u = read(headers, body + card)
    assert u.kind is Kind.OTHER and u.unsure
    assert [(r.referrer.email, emails(r.prospects)) for r in u.readings] == [("alice@example.org", ["bekalu@harar-coffee.example"])]
    assert "yet may be the intro itself" in u.reasons[0]
    # With nobody to introduce, or the intro reading under the band, it is the ask it reads as.
    assert read(headers, body).kind is Kind.DOUBLE_OPT_IN_ASK
    monkeypatch.setattr(pipeline, "detect", lambda *a, **k: Detection(0.01, 0.58, ("asks first",)))
    assert read(headers, body + card).kind is Kind.DOUBLE_OPT_IN_ASK


@pytest.mark.parametrize("join", [
    "Microsoft Teams meeting\nJoin on your computer, mobile app or room device\nMeeting ID: 312 555 210 88\nPasscode: x7Qe2B",
    "Join Zoom Meeting\nhttps://us02web.zoom.us/j/81234567890",
    "Microsoft Teams-Besprechung\nAn der Besprechung teilnehmen\nBesprechungs-ID: 312 555 210 88\nKenncode: x7Qe2B",
])
def test_a_meeting_invitations_join_details_are_a_cue_and_a_reason(join):
    """A meeting set between the people it names carries the call's join details; the fitted model weighs
    the cue, and the reasons trail says it was there."""
    from refmail.domain.detect import read_cues
    from tests.reading import pipe_for

    cues = read_cues(pipe_for(DetectionRules()), "Sync: Carol / Olivia / Dev",
                     f"Hi all, setting up 30 minutes to align on the pricing work.\n\n{join}\n",
                     (Person("Carol", "carol@example.net"), Person("Dev", "dev@acme.example")))
    assert cues.features["meeting_invitation"] == 1.0
    assert "carries a meeting invitation's join details" in cues.evidence
    plain = read_cues(pipe_for(DetectionRules()), "Intro", "Olivia, meet Carol. Let's find a time to meet.",
                      (Person("Carol", "carol@example.net"),))
    assert plain.features["meeting_invitation"] == 0.0


def test_a_prospect_only_on_an_attached_contact_card_is_introduced_by_name():
    """A phone's "share contact": the prospect's name and address travel as a .vcf part and nowhere else."""
    import base64

    card = base64.encodebytes(b"BEGIN:VCARD\nVERSION:3.0\nN:Romanenko;Anastasiia;;;\nFN:Anastasiia Romanenko\n"
                              b"ORG:Kyiv Fresh;\nitem1.EMAIL;type=INTERNET;type=pref:a.romanenko@kyivfresh.example\n"
                              b"END:VCARD\n").decode()
    raw = ("From: Sergii Petrenko <s.petrenko@example.org>\nTo: Olivia Owner <owner@example.com>\n"
           f"Cc: assistant@example.com\nSubject: Kyiv Fresh\nDate: {DATE}\nMessage-ID: <card.1@example.org>\n"
           "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
           "Content-Type: text/plain; charset=utf-8\n\nOlivia, I'd like to introduce you to Anastasiia Romanenko, "
           "COO of Kyiv Fresh. I told her about your work and she is expecting your call; her details are on "
           "the card.\n\nSergii\n--b\nContent-Type: text/vcard; name=\"Anastasiia.vcf\"\n"
           f"Content-Disposition: attachment\nContent-Transfer-Encoding: base64\n\n{card}\n--b--\n").encode()
    got = understand(parse_message(raw), OWNER)
    assert got.kind is Kind.INTRO and got.referrer.email == "s.petrenko@example.org"
    assert got.prospects == (Person("Anastasiia Romanenko", "a.romanenko@kyivfresh.example"),)


def test_a_bare_address_takes_the_name_written_beside_it_on_its_line():
    from refmail.domain.extract import named

    text = "Σας στέλνω την κάρτα της.\n\nΧαρά Δελή <hara.deli@batsibay.example>\nΙδιοκτήτρια, Batsi Bay Hotel"
    assert named(Person("", "hara.deli@batsibay.example"), text).name == "Χαρά Δελή"
    # A field name before the address is no name: "Email: <x>" leaves the other readings to find one.
    assert named(Person("", "hara.deli@batsibay.example"), "Email: <hara.deli@batsibay.example>").name != "Email"


@pytest.mark.parametrize("subject, pairs", [
    ("Ana + Ben", True),
    ("Wanjiru & Lena (Kamau Agri)", True),
    ("Ольга + Оюунчимэг", True),
    ("С Новым 2025 годом! + наши изменения", False),  # news added to a greeting, no pair of people
    ("Q3 numbers: + the deck", False),
])
def test_an_ampersand_or_plus_in_the_subject_pairs_two_words_not_a_greeting_and_its_news(subject, pairs):
    from refmail.domain.detect import read_cues
    from tests.reading import pipe_for

    people = (Person("Ana Silva", "ana@example.net"), Person("Ben Okafor", "ben@example.org"))
    cues = read_cues(pipe_for(DetectionRules()), subject, "Hello both,\n\nsee below.\n", people)
    assert cues.features["subject_intro"] == float(pairs)


def test_a_forwarded_answer_that_copies_in_someone_new_is_read_for_its_own_intro():
    """Deep in a project thread, Alice's answer copies Carol in and hands her to Olivia; the owner forwards it.
    The answer quotes Martin's message (its header block says who it went to), and Carol is on none of it: the
    intro is Alice's answer, not Martin's quoted note that happens to sit under the owner's forward."""
    u = _owner_forwards("Fwd: RE: Q4 pipeline", ALICES_ANSWER_ON_THE_PIPELINE_THREAD)
    assert u.kind is Kind.INTRO and u.referrer.email == "alice@example.org"
    assert "I've copied Carol Prospect" in u.context  # Alice's answer is the intro read


def test_the_newcomer_a_forwarded_answer_copies_in_is_the_one_introduced():
    """The person model fit on 167 writers left the newcomer Carol in Cc out (0.56; an expected failure then); the
    one fit on 191 folders keeps her, as the real file this was made from (w155/128) does."""
    u = _owner_forwards("Fwd: RE: Q4 pipeline", ALICES_ANSWER_ON_THE_PIPELINE_THREAD)
    assert "carol@acme.example" in emails(u.prospects)


ALICES_ANSWER_ON_THE_PIPELINE_THREAD = ("The intro for Carol is at the bottom of Alice's answer. Please add her and propose a call.\n\nO.\n\n"
            "-----Original Message-----\nFrom: Alice Source <alice@example.org>\nSent: Wednesday, 22 October 2025 18:40\n"
            "To: Olivia Owner <owner@example.com>; Martin Partner <martin@partner.example>\n"
            "Cc: Carol Prospect <carol@acme.example>\nSubject: RE: Q4 pipeline\n\n"
            "Olivia, Martin,\n\nthanks both, agreed on the three names for the long list; NDA tomorrow.\n\n"
            "Separately, since Olivia asked whether we know anyone in the north: I've copied Carol Prospect, who owns "
            "Acme Panels in Tromso (140 people). She has no successor and asked me for an adviser. Carol - Olivia Owner, "
            "the person I mentioned. I'll leave the two of you to it.\n\nBest,\nAlice\n\n"
            "-----Original Message-----\nFrom: Martin Partner <martin@partner.example>\nSent: Wednesday, 22 October 2025 14:15\n"
            "To: Alice Source <alice@example.org>; Olivia Owner <owner@example.com>\nCc: assistant@example.com\n"
            "Subject: Re: Q4 pipeline\n\nAlice, Olivia,\n\nlong list attached, 11 names. The three marked green are the ones "
            "I would call first.\n\nMartin\n")


@pytest.mark.parametrize("cc, newcomer", [("Carol Prospect <carol@acme.example>", 1.0), ("", 0.0)])
def test_someone_copied_onto_a_thread_she_was_not_on_is_a_cue_of_the_answer(cc, newcomer):
    """Alice answers the pricing thread and, in passing, copies Carol in: the model learns how much that
    counts (an intro made in a thread about something else); a plain answer on the same thread has no newcomer."""
    from refmail.domain.pipeline import intro_candidates, setting

    raw = (f"From: Alice Source <alice@example.org>\nTo: Olivia Owner <owner@example.com>\nCc: {cc}\n"
           "Subject: RE: pricing\nIn-Reply-To: <p.2@example.com>\nMessage-ID: <p.3@example.org>\n"
           f"Date: {DATE}\nContent-Type: text/plain; charset=utf-8\n\n"
           "Agreed on the price. Separately: Carol runs Acme Panels, you two should talk.\n\nAlice\n\n"
           "From: Olivia Owner <owner@example.com>\nSent: Tuesday, 4 March 2025 10:00\nTo: Alice Source <alice@example.org>\n"
           "Subject: pricing\n\nAlice, does 4.85 work for you?\n\nOlivia\n").encode()
    msg = parse_message(raw)
    direct = intro_candidates(msg, OWNER, DetectionRules())[0]
    assert setting(direct, msg, OWNER)["newcomer_on_thread"] == newcomer


def test_who_was_on_the_thread_before_is_a_cue_of_each_person_an_intro_in_passing_addresses():
    """Alice answers the project thread, Dan and Martha on it since its start, and copies Carol in to meet
    Olivia: the person model is told who is new to the thread (its weight is fit to the labelled intros)."""
    from refmail.domain.extract import parties
    from refmail.domain.pipeline import intro_candidates

    raw = ("From: Alice Source <alice@example.org>\nTo: Dan Client <dan@client.example>, Olivia Owner <owner@example.com>\n"
           "Cc: Martha Tax <martha@tax.example>, Carol Prospect <carol@acme.example>\nSubject: RE: memo filed\n"
           f"In-Reply-To: <m.1@tax.example>\nMessage-ID: <m.2@example.org>\nDate: {DATE}\n"
           "Content-Type: text/plain; charset=utf-8\n\n"
           "All - the memo was filed. Separately: I'm adding Carol Prospect, CFO of Acme. Carol - Olivia is the adviser "
           "I mentioned. I'll let you two pick it up.\n\nAlice\n\n"
           "From: Martha Tax <martha@tax.example>\nSent: Tuesday, April 9, 2024 6:12 PM\nTo: Alice Source <alice@example.org>\n"
           "Cc: Dan Client <dan@client.example>; Olivia Owner <owner@example.com>\nSubject: RE: memo\n\nMargin confirmed.\n").encode()
    msg = parse_message(raw)
    cand = intro_candidates(msg, OWNER, DetectionRules())[0]
    cues = {p.email: c for p, c in parties(cand, msg, OWNER).considered}
    assert cues["carol@acme.example"]["new_to_the_thread"] == 1.0 and cues["carol@acme.example"]["on_the_thread_before"] == 0.0
    assert cues["dan@client.example"]["on_the_thread_before"] == cues["martha@tax.example"]["on_the_thread_before"] == 1.0
    assert cues["dan@client.example"]["new_to_the_thread"] == 0.0


def test_a_hand_over_announced_in_the_subject_is_the_same_cue():
    """"Nouvelle interlocutrice pour vos dossiers export": the subject says it; the body only describes her."""
    from refmail.domain.detect import read_cues
    from tests.reading import pipe_for

    people = (Person("Mehdi Ben Salah", "mehdi@example.net"), Person("Rahma Jlassi", "rahma@transit.example"))
    body = "Bonjour Mehdi,\n\nMme Rahma Jlassi (en copie) prend en charge le suivi de tous vos dossiers.\n\nKarim"
    said = read_cues(pipe_for(DetectionRules()), "Nouvelle interlocutrice pour vos dossiers export", body, people)
    assert said.features["handover_wording"] == 1.0
    assert read_cues(pipe_for(DetectionRules()), "Dossiers export", body, people).features["handover_wording"] == 0.0


def test_everyone_the_quoted_thread_shows_is_on_earlier_messages_at_every_depth():
    """A deep thread quotes its whole history: who wrote two quotes down is on the thread, not a newcomer the
    reply introduces (the person model weighs it; only the first quote was looked at before)."""
    from refmail.domain.extract import on_earlier_messages

    msg = parse_message((
        "From: Ivan Tumusiime <ivan@ziwapower.example>\nTo: Olivia Owner <owner@example.com>\n"
        f"Subject: Re: Buvuma storage\nDate: {DATE}\nContent-Type: text/plain; charset=utf-8\n\n"
        "Copying Brian.\n\nOn Mon, 15 Jul 2024 at 18:02, Olivia Owner <owner@example.com> wrote:\n\n"
        "> Thanks Hanne. Ivan, who does the civil works?\n>\n"
        "> On Mon, 15 Jul 2024 at 12:44, Hanne Solberg <hanne@fjordlys.example> wrote:\n>\n"
        ">> All, the container has shipped.\n>>\n"
        ">> On Sun, 14 Jul 2024 at 09:00, Grace Namubiru <grace@namubiru.example> wrote:\n>>\n>>> Any news?\n").encode())
    assert on_earlier_messages(msg) == {"owner@example.com", "hanne@fjordlys.example", "grace@namubiru.example"}


_OUTLOOK_QUOTE = ("\n\n________________________________\nFrån: Olivia Owner <owner@example.com>\n"
                  "Skickat: den 5 juni 2024 16:48\nTill: Gustav Almqvist <gustav@lundavia.example>\n"
                  "Kopia: assistant@example.com\nÄmne: Re: Inflyttning Kenji Watanabe 15/6\n\n"
                  "Hej Gustav, the landlord can hand over the keys on Saturday at 11 or Monday at 8.\n\nOlivia\n")
_GMAIL_QUOTE = ("\n\nOn Wed, 5 Jun 2024 at 16:48, Olivia Owner <owner@example.com> wrote:\n"
                "> Hej Gustav, the landlord can hand over the keys on Saturday at 11 or Monday at 8.\n>\n> Olivia\n")


_SIDE_TRACK = ("Hej Olivia,\n\nTack, då kör vi på lördag 15/6 kl 11.\n\nApropå det vi pratade om i går: jag lägger till "
               "Annika Roos (kopia). Annika – Olivia är den vi använder för alla våra internationella anställningar."
               "\n\nMvh\nGustav")


def _side_track(copied: str, quote: str):
    return parse_message((f"From: Gustav Almqvist <gustav@lundavia.example>\nTo: Olivia Owner <owner@example.com>\n"
                          f"Cc: assistant@example.com, {copied}\nSubject: SV: Inflyttning Kenji Watanabe 15/6\n"
                          f"In-Reply-To: <q.5@example.com>\nDate: {DATE}\nContent-Type: text/plain; charset=utf-8\n\n"
                          + _SIDE_TRACK + quote).encode())


@pytest.mark.parametrize("copied, quote, introduced", [
    ("Annika Roos <annika.roos@lundavia-packaging.example>", _OUTLOOK_QUOTE, True),  # another firm: an intro in passing
    ("Annika Roos <annika.roos@lundavia.example>", _OUTLOOK_QUOTE, False),  # the writer's colleague looped in
    # A quote that names only its writer does not show who else read it: no one is known to be new.
    ("Annika Roos <annika.roos@lundavia-packaging.example>", _GMAIL_QUOTE, False),
])
def test_someone_from_elsewhere_copied_onto_a_thread_and_spoken_of_is_a_newcomer(copied, quote, introduced):
    """ "Apropå det: jag lägger till Annika Roos (kopia) ... Annika – Olivia är den vi använder": an intro made deep
    in a thread about a move scored 0.01 and was listed as a reply on a thread refmail does not follow. Someone
    copied onto the thread, on none of its messages before, from another firm than the writer's, and named in
    the reply's own words is a newcomer the reply may introduce; a colleague looped in is not."""
    msg = _side_track(copied, quote)
    found = _copied_newcomers(msg, reply_text(msg.text), OWNER)
    assert emails(found) == (["annika.roos@lundavia-packaging.example"] if introduced else [])


def test_an_intro_made_in_passing_deep_in_a_thread_is_found_or_asked_about_never_a_plain_reply():
    """The intro itself: the model may read it (the stop-31 model does, 0.71), else the reply copying in someone
    from another firm is a reading the owner is asked about. Either way Annika is the one introduced, by Gustav."""
    u = understand(_side_track("Annika Roos <annika.roos@lundavia-packaging.example>", _OUTLOOK_QUOTE), OWNER)
    readings = [(u.referrer.email, emails(u.prospects))] if u.kind is Kind.INTRO else [
        (r.referrer.email, emails(r.prospects)) for r in u.readings]
    assert u.kind is Kind.INTRO or (u.kind is Kind.REPLY and u.unsure and u.readings[0].copied_in)
    assert readings == [("gustav@lundavia.example", ["annika.roos@lundavia-packaging.example"])]
    # A reply only writing out a newcomer's address is no copied-in reading (routing asks about those only off
    # the threads refmail follows).
    written = read("From: Gustav Lind <gustav@lundavia.example>\nTo: Olivia Owner <owner@example.com>\n"
                   "Subject: Re: payroll\nIn-Reply-To: <p.1@example.com>",
                   "Fine by me. Her details: annika.roos@lundavia-packaging.example\n\nGustav\n")
    assert all(not r.copied_in for r in written.readings)
    # Its context is cut at a word, as an intro's is: an answered question drafts the first touch from it.
    filler = "Fine by me" + ", and the rest of the payroll as agreed" * 25
    long = read("From: Gustav Lind <gustav@lundavia.example>\nTo: Olivia Owner <owner@example.com>\n"
                "Subject: Re: payroll\nIn-Reply-To: <p.1@example.com>",
                filler + ". Her details: annika.roos@lundavia-packaging.example\n\nGustav\n")
    assert long.readings and long.readings[0].context == long.context
    assert len(long.context) <= 501 and long.context.endswith("\u2026")
    assert long.context[:-1].split()[-1] in filler.replace(",", "").split()  # a whole word before the mark


@pytest.mark.parametrize("sentence, phrase", [
    ("Y Cata, aprovecho este hilo para presentarte a Rocío Salcedo (en copia).", True),
    ("Catalina, les presento a Rocío, nuestra distribuidora en Cali.", True),
    ("Cata, te apresento a Rocío, que distribui em Cali.", True),
    ("Quiero presentarte a tiempo las pruebas de color.", False),
])
def test_spanish_and_portuguese_intro_wording_is_a_cue_as_french_is(sentence, phrase):
    """A mid-thread intro in Spanish ("aprovecho este hilo para presentarte a Rocío") had no intro wording of its
    own, so the thread's cues kept it under every line; "te presento" and "je vous présente" already were. A person
    must follow the infinitive: presenting something on time is none."""
    people = (Person("Catalina Restrepo", "catalina@example.com"), Person("Rocío Salcedo", "rocio@example.net"))
    assert _intro_phrase("Re: Cajas", f"{sentence}\n\nTati", people) == float(phrase)


def _intro_phrase(subject: str, body: str, people: tuple[Person, ...]) -> float:
    """The intro-wording cue of ``body``, addressed to ``people``."""
    from refmail.domain.detect import read_cues
    from tests.reading import pipe_for

    return read_cues(pipe_for(DetectionRules()), subject, body, people).features["intro_phrase"]


@pytest.mark.parametrize("sentence, phrase", [
    ("Quick one: I'd like to put you in touch with Jess Morgan, production director at Bluebell Denim.", True),
    ("Happy to be putting you in contact with Mr. Hiroshi Sato next week.", True),
    ("Could you put me in touch with Jess Morgan?", False),
    ("We will keep you in touch with news.", False),
])
def test_putting_the_owner_in_touch_with_someone_named_is_intro_wording(sentence, phrase):
    """"I'd like to put you in touch with Jess Morgan", mailed to the owner alone with Jess's card: no intro wording
    was read, as the pattern asked for the named person to be on the mail. Putting someone in touch is the
    writer's intro whoever is copied; getting in touch with someone is not."""
    assert _intro_phrase("Denim", f"Hi Sokha,\n\n{sentence}\n\nTom", (Person("Sokha Chan", "sokha@example.com"),)) \
        == float(phrase)


def test_an_answer_that_passes_the_prospect_on_by_card_is_the_intro_the_owner_forwards():
    """Double opt-in, completed: the owner said yes ("happy to talk to Bruno"), the referrer answers with Bruno's
    card, and the owner forwards that answer. An answer carrying what it answers is read for its own words only,
    unless it brings someone new onto the thread; a card of someone none of its messages has does."""
    card = ("BEGIN:VCARD\nVERSION:3.0\nN:Keller;Bruno;;;\nFN:Bruno Keller\n"
            "EMAIL;TYPE=WORK:bruno.keller@keller-holding.example\nEND:VCARD\n")
    headers = ("From: Olivia Owner <owner@example.com>\nTo: assistant@example.com\n"
               "Subject: Fwd: RE: Quick question - the Lisbon site\nMessage-ID: <fwd.card@example.com>\n"
               "In-Reply-To: <answer.card@example.org>\nReferences: <answer.card@example.org>")
    body = ("Please add Bruno to the pipeline and set up a call with him next week.\n\nO\n\n"
            "---------- Forwarded message ---------\n"
            "From: Alice Source <alice@example.org>\nDate: Tue, 4 Mar 2025 at 15:05\n"
            "Subject: RE: Quick question - the Lisbon site\nTo: Olivia Owner <owner@example.com>\n\n\n"
            "Thanks Olivia, great - I've told Bruno to expect to hear from you, and given him your details.\n"
            "He runs his family's holding and wants to understand the lease process first. His card below.\n\n"
            f"{card}\nBest,\nAlice\n\n"
            "From: Olivia Owner <owner@example.com>\nSent: Monday, March 3, 2025 6:12 PM\n"
            "To: Alice Source <alice@example.org>\nSubject: Re: Quick question - the Lisbon site\n\n"
            "Hi Alice, yes happy to talk to Bruno - April is calmer for me. O\n")
    u = read(headers, body)
    assert u.kind is Kind.INTRO, u.reasons
    assert u.referrer.email == "alice@example.org"
    assert emails(u.prospects) == ["bruno.keller@keller-holding.example"]
