"""Non-intro messages for the corpus: look-alikes, autoreplies, bounces, replies and malformed mail."""

from __future__ import annotations

from email.utils import format_datetime

from generate import ASSISTANT, BASE, COMPANIES, NEEDS, OWNER, PROSPECTS, REFERRERS, first, fmt, message, save

O = "Olivia"


def lookalikes() -> None:
    asks = ["Hi {o},\n\nWould you be open to an intro to {p} at {c}? They're {n}. Happy to connect you if useful.\n\n{r}",
            "{o} - I know someone who could use your help ({p}, {c}). Mind if I introduce you? No pressure either way.",
            "Hey {o}, quick one: {p} is {n}. Can I connect you two? Only if you have the bandwidth.\n\n{r}",
            "Hi {o},\n\nBefore I make an introduction I wanted to check with you first: {p} from {c} is {n}. Would you like me to introduce you?\n\nBest,\n{r}",
            "{o}, are you interested in an intro to {p}? They're {n}. Let me know and I'll make it happen.",
            "Hi {o}! Would it be OK if I introduced you to {p} ({c})? They are {n} and I think you'd be a great fit.",
            "Hi {p},\n\nWould you be open to an introduction to {o} Owner? She's the advisor I mentioned. If yes, I'll send a quick email to both of you.\n\n{r}",
            "Would you like an intro to {p}? {c} is {n}.\n\nSent from my iPhone",
            "{o} - happy to introduce you to {p} if that's helpful. Just say the word.\n{r}",
            "Hi {o}, {p} at {c} asked me for a recommendation. Okay if I connect you? Would love to but wanted to ask first."]
    for i, text in enumerate(asks):
        referrer, prospect = REFERRERS[i % 10], PROSPECTS[(i + 3) % 16]
        body = text.format(o=O, p=prospect[0], c=COMPANIES[i % 12], n=NEEDS[i % 10], r=first(referrer))
        to = [prospect] if i == 6 else [OWNER]
        raw = message(referrer, to, ["Intro to {}?".format(first(prospect)), "quick question", "Would you be open to an intro?",
                                     "Checking before I introduce you", "Intro?"][i % 5], body)
        save("lookalike", "double_opt_in_ask", raw, "double_opt_in_ask", referrer, [])
    cold = [f"Hi {O},\n\nAllow me to introduce myself: I'm Brad from GrowthRocket. We help consultants like you get 10x more leads. Do you have 15 minutes this week?\n\nBrad",
            f"Dear {O},\n\nMy name is Svetlana and I lead partnerships at DataNova. I'd love to introduce our new analytics platform to you. Would you like a demo?",
            f"Hello {O}, let me introduce myself - I'm a freelance designer and I'd love to meet you to discuss your brand. Are you free for coffee next week?",
            "Hi there, I'm reaching out to introduce ourselves. We are a boutique recruitment agency specialising in operations leaders. Could we set up a call?",
            f"{O},\n\nI hope you don't mind me reaching out cold. I'm the founder of a small logistics startup and would love your advice. Could we meet for 20 minutes?\n\nThanks,\nRay",
            f"Hi {O}! I'm Kim, a student at State University, and I'm writing to introduce myself because I'm interested in consulting. Would you be willing to meet for an informational interview?"]
    for i, body in enumerate(cold):
        sender = (["Brad Hype", "Svetlana Ivanova", "Luca Bianchi", "Talent Team", "Ray Adams", "Kim Park"][i], f"sender{i}@cold.example")
        raw = message(sender, [OWNER], ["Quick intro", "Introducing DataNova", "Let me introduce myself", "Introduction",
                                        "Advice?", "Introduction - student"][i], body)
        save("lookalike", "cold_self_intro", raw, "other")
    meetings = [f"Hi {O}, can we meet on Thursday at 3pm to go over the proposal? Dev will join too.",
                f"{O} - let's meet next week to review the Q2 plan. I've cc'd Maya from finance.",
                "Team, reminder that we meet tomorrow at 10 in the big room. Please bring your numbers.",
                "Hi both, are you free to meet for lunch on Friday? I'd like to catch up on the Acme project.",
                f"{O}, we need to meet the deadline for the tender by Monday. Carol and Dev are on it.",
                "Would love to meet up when you're in Berlin! Let me know your dates.\n\nJonah",
                f"Hi {O}, great to meet you at the conference yesterday. Here are the slides I promised.\n\nKara",
                "The committee introduced a new expense policy today; please review it before we meet on the 12th."]
    for i, body in enumerate(meetings):
        sender = PROSPECTS[(i + 2) % 16]
        raw = message(sender, [OWNER, PROSPECTS[(i + 5) % 16]], ["Meeting Thursday", "Q2 planning", "Tomorrow", "Lunch Friday?",
                                                                  "Tender deadline", "Berlin", "Slides", "New expense policy"][i], body)
        save("lookalike", "meeting_or_other_sense", raw, "other")
    senses = ["We're excited to introduce our spring collection! Meet the new Trailblazer jacket.\n\nUnsubscribe | View in browser",
              "This week's newsletter: Meet the founders building the future of logistics. Plus: how to introduce OKRs to your team.\n\nYou are receiving this because you subscribed. Unsubscribe.",
              "Introducing Smart Replies - meet your new AI assistant for email. Upgrade today!\n\nManage preferences",
              "Webinar invite: Meet our experts and learn how to introduce automation into your operations."]
    for i, body in enumerate(senses):
        raw = message(("Brand News", f"news{i}@brand.example"), [OWNER], ["Meet the Trailblazer", "Weekly digest",
                                                                         "Introducing Smart Replies", "Webinar"][i], body,
                      extra=[f"List-Unsubscribe: <mailto:unsub{i}@brand.example>", "Precedence: bulk"], html=bool(i % 2))
        save("lookalike", "newsletter", raw, "other")
    for i in range(2):
        raw = message(("Brand News", f"promo{i}@brand.example"), [OWNER], "Meet our new team members",
                      "Meet Sarah and Tom, who joined our support team this month! We can't wait to introduce them at our next event.\n\nUnsubscribe here.")
        save("lookalike", "newsletter_no_list_header", raw, "other")
    # refmail's own outgoing mail and the owner's Sent copies are never replies.
    for i in range(3):
        prospect = PROSPECTS[i]
        raw = message(OWNER, [prospect], "Alice Source suggested we connect",
                      f"Hi {first(prospect)},\n\nAlice Source suggested we connect - she mentioned you are {NEEDS[i]}.\n\nBest,\nOlivia",
                      extra=["X-Refmail: first_touch"])
        save("lookalike", "our_own_first_touch", raw, "other")
    for i in range(3):
        prospect = PROSPECTS[i + 4]
        raw = message(OWNER, [prospect], "Re: Alice Source suggested we connect",
                      f"Hi {first(prospect)}, Tuesday at 10 works. Talk then!\n\nOlivia\n\nOn Mon, Mar 3, 2025, {prospect[0]} <{prospect[1]}> wrote:\n> Happy to talk",
                      in_reply_to=f"first.{i}@owner.example")
        save("lookalike", "owner_sent_copy", raw, "other")


OOO = [
    ("en", "Automatic reply: {s}", "Thank you for your email. I am out of the office until Monday, March 10, 2025 with limited access to email. I will respond when I return.", "2025-03-10"),
    ("en", "Out of Office: {s}", "I'm currently away and will be back on Monday 17th. For anything urgent please contact support@example.com.", "2025-03-17"),
    ("en", "Out of office", "Hi, I'm on vacation with no access to email. I'll get back to you as soon as I can.", None),
    ("en", "Auto-Reply: {s}", "I am on parental leave and returning 2025-04-14. Your message will not be forwarded.", "2025-04-14"),
    ("de", "Abwesenheitsnotiz: {s}", "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 11.03. nicht im Büro und ab dem 12.03. wieder erreichbar.", "2025-03-12"),
    ("de", "Automatische Antwort: {s}", "Ich bin derzeit im Urlaub und zurück am 20.03.2025. In dringenden Fällen wenden Sie sich bitte an Frau Schmidt.", "2025-03-20"),
    ("de", "Abwesenheit", "Ich bin abwesend und habe keinen Zugriff auf meine E-Mails.", None),
    ("fr", "Réponse automatique : {s}", "Bonjour, je suis absent du bureau et serai de retour le 14 mars. Merci de votre patience.", "2025-03-14"),
    ("fr", "Absence", "Je suis actuellement absente, en congés jusqu'au 18 mars 2025 inclus.", "2025-03-19"),
    ("fr", "Réponse automatique", "Je suis absent avec un accès limité à mes e-mails.", None),
    ("es", "Respuesta automática: {s}", "Gracias por su mensaje. Estoy fuera de la oficina hasta el 21 de marzo.", "2025-03-21"),
    ("es", "Fuera de la oficina", "Estaré fuera de la oficina y regresaré el 2025-03-24. Para asuntos urgentes llame a recepción.", "2025-03-24"),
    ("es", "Ausente", "Estoy de vacaciones, responderé a mi regreso.", None),
]
PERMANENT = [
    ("Automatic reply: {s}", "This mailbox is no longer monitored. Please contact info@company.example instead."),
    ("Auto: {s}", "Thank you for your email. I have left the company. For any questions please write to ops@company.example."),
    ("Automatic reply", "Please note I have retired as of 1 March 2025. This address will be closed shortly."),
    ("Abwesenheitsnotiz", "Herr Müller ist nicht mehr im Unternehmen tätig. Bitte wenden Sie sich an info@firma.example."),
    ("Réponse automatique", "Mme Martin ne fait plus partie de la société. Merci d'écrire à contact@societe.example."),
    ("Respuesta automática", "Esta persona ya no trabaja en la empresa. Escriba a info@empresa.example."),
]


def autoreplies() -> None:
    for i, (lang, subject, body, back) in enumerate(OOO):
        sender = PROSPECTS[i % 16]
        hdr = [["Auto-Submitted: auto-replied"], ["X-Autoreply: yes"], [], ["Precedence: auto_reply", "X-Auto-Response-Suppress: All"]][i % 4]
        raw = message(sender, [OWNER], subject.format(s="Alice Source suggested we connect"), body, extra=hdr,
                      in_reply_to=f"first.touch.{i}@owner.example")
        save("autoreply", f"ooo_{lang}", raw, "autoreply", return_date=back)
    for i, (subject, body) in enumerate(PERMANENT):
        sender = PROSPECTS[(i + 5) % 16]
        raw = message(sender, [OWNER], subject.format(s="Alice Source suggested we connect"), body,
                      extra=["Auto-Submitted: auto-replied"] if i % 2 else [], in_reply_to=f"ft.perm.{i}@owner.example")
        save("autoreply", "permanent", raw, "autoreply", permanent=True)
    # Microsoft 365 out-of-office replies come from postmaster@: NOT bounces.
    for i in range(3):
        raw = message(("Microsoft Outlook", f"postmaster@tenant{i}.onmicrosoft.com"), [OWNER],
                      "Automatic reply: Alice Source suggested we connect",
                      f"I'm out of the office until Friday and will reply when I'm back.\n\n{PROSPECTS[i][0]}",
                      extra=["Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All",
                             "X-MS-Exchange-Inbox-Rules-Loop: " + PROSPECTS[i][1]], html=bool(i % 2))
        save("autoreply", "m365_ooo_postmaster", raw, "autoreply", return_date="2025-03-07")
    # Exchange auto-forwarding stamps Auto-Submitted: auto-forwarded on human mail: NOT an autoreply.
    for i in range(3):
        referrer, prospect = REFERRERS[i], PROSPECTS[i + 8]
        raw = message(referrer, [OWNER, prospect], f"Intro: {O} <> {first(prospect)}",
                      f"{O}, meet {first(prospect)}; {first(prospect)}, meet {O}. {first(prospect)} is {NEEDS[i]}.\n\n{first(referrer)}",
                      cc=[ASSISTANT], extra=["Auto-Submitted: auto-forwarded", "X-Auto-Response-Suppress: DR, OOF, AutoReply",
                                             "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent"])
        save("intro", "exchange_auto_forwarded_intro", raw, "intro", referrer, [prospect])
    for i in range(2):
        prospect = PROSPECTS[i + 12]
        raw = message(prospect, [OWNER], "RE: Alice Source suggested we connect",
                      f"Hi Olivia, yes let's talk. Thursday 2pm?\n\n{first(prospect)}\n\n-----Original Message-----\nFrom: {OWNER[0]} <{OWNER[1]}>\nSent: Monday, March 3, 2025 9:00 AM\nTo: {prospect[0]}\nSubject: Alice Source suggested we connect\n\nHi {first(prospect)}",
                      extra=["Auto-Submitted: auto-forwarded", "X-Auto-Response-Suppress: All"], in_reply_to=f"ft.fw.{i}@owner.example")
        save("reply", "exchange_auto_forwarded_reply", raw, "reply")


def bounces() -> None:
    for i in range(6):
        failed = PROSPECTS[i][1]
        b = f"dsn{i}"
        status = ["5.1.1", "5.2.2", "5.1.10", "4.4.7", "5.7.1", "5.4.1"][i]
        action = "delayed" if status.startswith("4") else "failed"
        raw = (f"From: Mail Delivery System <MAILER-DAEMON@mx{i}.example.com>\r\nTo: {OWNER[1]}\r\n"
               f"Subject: {['Undelivered Mail Returned to Sender', 'Delivery Status Notification (Failure)', 'Undeliverable: Alice Source suggested we connect', 'Delivery Status Notification (Delay)', 'Returned mail: see transcript for details', 'Mail delivery failed'][i]}\r\n"
               f"Date: {format_datetime(BASE)}\r\nMessage-ID: <dsn.{i}@mx{i}.example.com>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
               f'Content-Type: multipart/report; report-type=delivery-status; boundary="{b}"\r\n\r\n'
               f"--{b}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is the mail system at host mx{i}.example.com.\r\n\r\n"
               f"I'm sorry to have to inform you that your message could not be delivered to one or more recipients.\r\n\r\n<{failed}>: host said: {status[0]}50 {status} user unknown\r\n"
               f"--{b}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx{i}.example.com\r\n\r\n"
               f"Final-Recipient: rfc822; {failed}\r\nOriginal-Recipient: rfc822;{failed}\r\nAction: {action}\r\nStatus: {status}\r\n"
               f"--{b}\r\nContent-Type: message/rfc822\r\n\r\nFrom: {fmt(OWNER)}\r\nTo: {failed}\r\nSubject: Alice Source suggested we connect\r\n"
               f"Message-ID: <refmail.{i:04x}@example.com>\r\nX-Refmail: first_touch\r\n\r\nHi, Alice Source suggested we connect.\r\n--{b}--\r\n")
        save("bounce", "dsn", raw.encode(), "bounce", failed_addresses=[failed])
    plain = [
        ("MAILER-DAEMON@mail.example.net", "failure notice",
         "Hi. This is the qmail-send program at mail.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<{f}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n--- Below this line is a copy of the message.\n\nReturn-Path: <owner@example.com>\nSubject: Alice Source suggested we connect"),
        ("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Delivery Status Notification (Failure)",
         "** Address not found **\n\nYour message wasn't delivered to {f} because the address couldn't be found, or is unable to receive mail.\n\nThe response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist."),
        ("postmaster@outlook.example", "Undeliverable: Alice Source suggested we connect",
         "Delivery has failed to these recipients or groups:\n\n{f}\nThe email address you entered couldn't be found. Please check the recipient's email address and try to resend the message.\n\nDiagnostic information for administrators:\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'"),
        ("Mail Delivery System <Mailer-Daemon@exim.example.org>", "Mail delivery failed: returning message to sender",
         "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  {f}\n    SMTP error from remote mail server after RCPT TO:<{f}>:\n    550 No such user here"),
        ("MAILER-DAEMON (Mail Delivery System)", "Undelivered Mail Returned to Sender",
         "This is the mail system at host smtp.example.net.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<{f}>: host mx.example.net said: 552 5.2.2 Mailbox full"),
        ("noreply@bounce.example.com", "Returned mail: User unknown",
         "The original message was received at Wed, 5 Mar 2025 09:30:00 GMT\n\n   ----- The following addresses had permanent fatal errors -----\n<{f}>\n\n   ----- Transcript of session follows -----\n550 5.1.1 <{f}>... User unknown"),
        ("Mail Administrator <postmaster@isp.example>", "Mail System Error - Returned Mail",
         "This Message was undeliverable due to the following reason:\n\nThe user(s) account is disabled.\n\n<{f}>\n\nPlease reply to postmaster@isp.example if you feel this message to be in error."),
        ("MAILER-DAEMON <>", "Warning: could not send message for past 4 hours",
         "**********************************************\n**      THIS IS A WARNING MESSAGE ONLY      **\n**  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n**********************************************\n\nThe original message was received at Wed, 5 Mar 2025\n\n   ----- Transcript of session follows -----\n<{f}>... Deferred: Connection timed out\nWarning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old"),
        ("Postmaster <postmaster@mx.example.de>", "Unzustellbar: Alice Source suggested we connect",
         "Ihre Nachricht hat einige oder alle Empfänger nicht erreicht.\n\nBetreff: Alice Source suggested we connect\n\nFolgende(r) Empfänger konnte(n) nicht erreicht werden:\n\n{f} am 05.03.2025 09:30\n  550 5.1.1 User unknown"),
    ]
    for i, (sender, subject, body) in enumerate(plain):
        failed = PROSPECTS[(i + 6) % 16][1]
        extra = ["Return-Path: <>"] if i % 2 else []
        raw = message(sender, [OWNER], subject, body.format(f=failed), extra=extra)
        save("bounce", "nonstandard", raw, "bounce", failed_addresses=[failed])


REPLIES = [
    ("gmail", "Hi Olivia,\n\nThanks for reaching out! I'd love to chat. Does Thursday at 2pm work?\n\nBest,\n{p}", "On Mon, Mar 3, 2025 at 9:00 AM Olivia Owner <owner@example.com> wrote:\n"),
    ("outlook", "Olivia - yes, happy to talk. I'm free most of next week.\n\nRegards\n{p}\n\nGet Outlook for iOS", "________________________________\nFrom: Olivia Owner <owner@example.com>\nSent: Monday, March 3, 2025 9:00 AM\nTo: {pn} <{pe}>\nSubject: Alice Source suggested we connect\n\n"),
    ("apple", "Sounds good. Let's do a call. Here's my calendly: https://cal.example/x\n\n{p}\n\nSent from my iPhone", "On Mar 3, 2025, at 09:00, Olivia Owner <owner@example.com> wrote:\n\n"),
    ("thunderbird", "Thank you Olivia, we'd like to learn more. Could you send a proposal?\n\n-- \n{p}\nHead of Ops", "On 03.03.25 09:00, Olivia Owner wrote:\n"),
    ("outlook_classic", "Hi Olivia,\nNot a good time for us, maybe next quarter.\nThanks,\n{p}", "-----Original Message-----\nFrom: Olivia Owner [mailto:owner@example.com]\nSent: Monday, March 03, 2025 9:00 AM\nTo: {pn}\nSubject: Alice Source suggested we connect\n\n"),
    ("gmail_de", "Hallo Olivia,\n\ndanke für die Nachricht - gerne nächste Woche.\n\nViele Grüße\n{p}", "Am Mo., 3. März 2025 um 09:00 Uhr schrieb Olivia Owner <owner@example.com>:\n"),
    ("gmail_fr", "Bonjour Olivia,\n\nMerci, avec plaisir. Mardi ?\n\n{p}", "Le lun. 3 mars 2025 à 09:00, Olivia Owner <owner@example.com> a écrit :\n"),
    ("yahoo", "Sure, let's chat. Call me at 555-0100.\n{p}", "On Monday, March 3, 2025, 09:00:00 AM GMT, Olivia Owner <owner@example.com> wrote:\n\n"),
]
DNC = ["Please remove me from your list.", "Stop emailing me, I'm not interested.", "Not interested, please do not contact me again.",
       "Please take me off your mailing list. Thanks.", "Bitte keine weiteren E-Mails."]


def replies() -> None:
    for round_ in range(3):
        for i, (client, text, attribution) in enumerate(REPLIES):
            prospect = PROSPECTS[(i + round_ * 5) % 16]
            quoted_body = f"Hi {first(prospect)},\n\nAlice Source suggested we connect - she mentioned you are {NEEDS[i]}.\n\nBest,\nOlivia"
            quote = "\n".join("> " + ln for ln in quoted_body.split("\n")) if "outlook" not in client else quoted_body
            body = text.format(p=first(prospect)) + "\n\n" + attribution.format(pn=prospect[0], pe=prospect[1]) + quote
            subject = ("RE: " if "outlook" in client else ["Re: ", "AW: ", "Re: "][round_]) + "Alice Source suggested we connect"
            raw = message(prospect, [OWNER], subject, body, in_reply_to=f"ft.{client}.{round_}@owner.example",
                          html=(client == "yahoo" and round_ == 1), encoding=["8bit", "quoted-printable", "base64"][(i + round_) % 3])
            save("reply", client, raw, "reply", reply_contains=text.split("\n")[0].strip()[:30])
    for i, text in enumerate(DNC):
        prospect = PROSPECTS[(i + 9) % 16]
        body = f"{text}\n\nOn Mon, Mar 3, 2025 at 9:00 AM Olivia Owner <owner@example.com> wrote:\n> Hi {first(prospect)}, Alice Source suggested we connect."
        raw = message(prospect, [OWNER], "Re: Alice Source suggested we connect", body, in_reply_to=f"ft.dnc.{i}@owner.example")
        save("reply", "do_not_contact", raw, "reply", do_not_contact=True)
    # A prospect answers the intro thread itself later on: quoted intro is from the referrer -> intro (dedupe by thread).


def malformed() -> None:
    referrer, prospect = REFERRERS[0], PROSPECTS[0]
    body = f"{O}, meet {first(prospect)}. {first(prospect)}, meet {O}. You two should talk.\n\n{first(referrer)}"
    # No Message-ID, no Date.
    raw = message(referrer, [OWNER, prospect], "Intro", body, cc=[ASSISTANT], msgid=False)
    raw = b"\r\n".join(ln for ln in raw.split(b"\r\n") if not ln.startswith(b"Date:"))
    save("malformed", "no_message_id_no_date", raw, "intro", referrer, [prospect])
    # A charset the body is not in (latin-1 bytes declared utf-8) and an unknown charset.
    raw = message(REFERRERS[1], [OWNER, PROSPECTS[1]], "Intro: Olivia <> Dev", f"{O}, meet Dev. Dev runs Müller's café logistics. Dev, meet {O}.",
                  cc=[ASSISTANT], charset="latin-1").replace(b'charset="latin-1"', b'charset="utf-8"')
    save("malformed", "wrong_charset", raw, "intro", REFERRERS[1], [PROSPECTS[1]])
    raw = message(REFERRERS[2], [OWNER, PROSPECTS[2]], "Intro", f"{O}, meet Elena. Elena, meet {O}.", cc=[ASSISTANT]).replace(
        b'charset="utf-8"', b'charset="x-unknown-9"')
    save("malformed", "unknown_charset", raw, "intro", REFERRERS[2], [PROSPECTS[2]])
    # Broken base64 body, truncated multipart, raw 8-bit header.
    raw = message(PROSPECTS[3], [OWNER], "Re: hello", "Thanks, talk soon!", encoding="base64", in_reply_to="x.1@owner.example")
    raw = raw[: raw.rfind(b"\r\n\r\n") + 4] + b"VGhhbmtzLCB0YWxrIHNvb24h!!!\r\n***not base64***"
    save("malformed", "broken_base64", raw, "reply")
    raw = (f"From: {fmt(REFERRERS[3])}\r\nTo: {fmt(OWNER)}, {fmt(PROSPECTS[4])}\r\nCc: {ASSISTANT[1]}\r\nSubject: Intro: Olivia <> Gabriela\r\n"
           f"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\n"
           f"{O}, meet Gabriela. Gabriela, meet {O}! Putting you two in touch.\r\n--zz\r\nContent-Type: text/html\r\n\r\n<p>truncated").encode()
    save("malformed", "truncated_multipart", raw, "intro", REFERRERS[3], [PROSPECTS[4]])
    raw = ("From: Jörg Schüler <joerg@beispiel.example>\r\nTo: owner@example.com\r\nSubject: Grüße und Dank\r\n"
           "In-Reply-To: <abc@owner.example>\r\n\r\nDanke für das Gespräch, ich melde mich nächste Woche.").encode("latin-1")
    save("malformed", "raw_8bit_headers", raw, "reply")
    raw = b"Subject: no from, no to\r\n\r\nJust some text with no addresses at all."
    save("malformed", "no_addresses", raw, "other")
    raw = (f"From: {fmt(REFERRERS[4])}\r\nTo: {fmt(OWNER)}, {fmt(PROSPECTS[5])}\r\nCc: {ASSISTANT[1]}\r\nSubject: Intro\r\n"
           f"Content-Type: text/html\r\n\r\n<html><script>alert(1)</script><body><p>Hiro, meet {O}.</p><p>{O}, meet Hiro &amp; his team. I&#39;ll let you two take it from here.</p></body></html>").encode()
    save("malformed", "html_only_no_mime_version", raw, "intro", REFERRERS[4], [PROSPECTS[5]])


def write_others() -> None:
    lookalikes()
    autoreplies()
    bounces()
    replies()
    malformed()
