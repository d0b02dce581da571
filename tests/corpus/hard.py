"""Harder corpus messages, written after the rules: fresh voices and near misses, to keep the numbers honest."""

from __future__ import annotations

from generate import ASSISTANT, OWNER, PROSPECTS, REFERRERS, first, message, save

O = "Olivia"

HARD_INTROS = [
    ("Someone you should know", "Olivia,\n\n{p} is the person I mentioned at dinner - she's the one you want for the pricing project. {pf}, Olivia saved our Q4. Over to you both.\n\n{r}"),
    ("{pf} + Olivia", "Adding {pf} here. {pf} is building a marketplace for freight and asked if I knew anyone who has done this before. Olivia has. I'll let you two find a time.\n\n{r}"),
    ("following up on our chat", "Hi Olivia - as promised I'm cc'ing {pf}, who leads growth at a fintech and is wrestling with churn. {pf}, Olivia is who I'd call. Hope you two connect!"),
    ("intro :)", "hey hey - olivia, this is {pf}! {pf}, olivia! you both love spreadsheets way too much. go talk. -{r}"),
    ("Connection", "Dear Olivia, dear {pf},\n\nFollowing our conversations, I am pleased to connect you. {pf} is head of procurement at a hospital group; Olivia specialises in exactly these supply questions.\n\nBest regards,\n{r}"),
    ("Olivia, meet {pf} (and vice versa)", "Short and sweet: {pf} needs a fractional COO, Olivia is one. Enjoy!\n{r}"),
    ("Two people who should know each other", "{pf}, Olivia - you've each heard me talk about the other for years, so it's high time you were introduced properly. Olivia runs an ops consultancy; {pf} just raised a Series A and is drowning in process. Please take it from here."),
    ("Re: catching up", "Great seeing you last week! As promised, introducing you to my friend {pf} (cc'd) - {pf}'s company is about to go through the same ERP switch you did.\n\n{r}\n\nOn Tue, Feb 25, 2025 at 4:12 PM Olivia Owner <owner@example.com> wrote:\n> Lovely to catch up, let's do it again soon.\n"),
]

HARD_NEGATIVES = [
    ("other", "Re: Alice Source suggested we connect", "Thanks for the intro, Alice! Olivia - great to meet you, Thursday works for me.\n\nOn Mon, Mar 3, 2025 at 9:00 AM Olivia Owner <owner@example.com> wrote:\n> Hi, Alice suggested we connect", "reply"),
    ("other", "Team update", "Hi all, please meet our new hire Sam, who joins the finance team on Monday. Say hi when you see him!", "other"),
    ("other", "Reference", "Olivia, I'm writing this letter of introduction for my former colleague, to be attached to her visa application. Let me know if you need anything else.", "other"),
    ("other", "Lunch?", "Olivia and Dev - shall we meet for lunch on Friday to discuss the offsite? My treat.", "other"),
    ("other", "Who should I talk to?", "Hi Olivia, do you know anyone who could help us with pricing? Would love an intro if anyone comes to mind.", "other"),
    ("other", "Introducing our new pricing", "Hi Olivia and Dev, we're introducing new pricing for the enterprise plan from April. Details attached.", "other"),
    ("other", "Re: intro", "Thanks so much for introducing me to Olivia last month - we ended up working together and it's been great!\n\nOn Mon, Feb 3, 2025, Alice Source <alice@example.org> wrote:\n> How did it go with Olivia?", "reply"),
    ("ask", "Would you two like to meet?", "Hi Carol, I know Olivia Owner well - she's an ops advisor and I think she could help with your churn problem. Would you be up for an intro? If yes I'll connect you both by email.", "double_opt_in_ask"),
]


# The owner forwards to the assistant the prospect's answer to an intro she never forwarded: the intro is
# two levels down (forward -> reply -> quoted intro), under each client's own forward and quote markers.
FORWARDED_REPLIES = [
    ("thunderbird",
     "Forwarding: {pf} already answered, please keep track of it.\n\n-------- Forwarded Message --------\n"
     "Subject: \tRe: Intro {o} / {pf}\nDate: \tTue, 4 Mar 2025 17:10:00 +0100\nFrom: \t{pfull} <{pmail}>\n"
     "To: \tOlivia Owner <owner@example.com>\nCC: \t{rfull} <{rmail}>\n\n"
     "Thank you {rf}! Olivia, lovely to e-meet you. Could we talk on Thursday?\n\n{pf}\n\n"
     "On 04.03.2025 09:12, {rfull} wrote:\n> {pf}, meet Olivia - she rebuilt the pricing at my last company.\n"
     "> Olivia, meet {pf}, who runs sales ops and is rethinking their discounts.\n> {rf}\n"),
    ("gmail",
     "fyi - this one came in before I could forward the intro\n\n---------- Forwarded message ---------\n"
     "From: {pfull} <{pmail}>\nDate: Tue, Mar 4, 2025 at 5:10 PM\nSubject: Re: Introduction: Olivia and {pf}\n"
     "To: Olivia Owner <owner@example.com>\nCc: {rfull} <{rmail}>\n\n"
     "Thanks for connecting us, {rf}. Olivia, happy to chat next week - Tuesday or Wednesday?\n\n"
     "On Tue, Mar 4, 2025 at 9:12 AM {rfull} <{rmail}> wrote:\n\n"
     "> Hi both,\n> I'd like to introduce you two. {pf} is looking for help with a pricing overhaul and Olivia\n"
     "> has done exactly that for three of my clients. I'll let you take it from here.\n> {rf}\n"),
    ("outlook",
     "Please track this one.\n\n________________________________\nFrom: {pfull} <{pmail}>\n"
     "Sent: Tuesday, March 4, 2025 5:10 PM\nTo: Olivia Owner <owner@example.com>\nCc: {rfull} <{rmail}>\n"
     "Subject: RE: Intro - Olivia <> {pf}\n\nHi Olivia, thanks {rf}. Yes, let's find a time - I am free Friday.\n\n"
     "Regards,\n{pfull}\n\n________________________________\nFrom: {rfull} <{rmail}>\n"
     "Sent: Tuesday, March 4, 2025 9:12 AM\nTo: Olivia Owner <owner@example.com>; {pfull} <{pmail}>\n"
     "Subject: Intro - Olivia <> {pf}\n\nOlivia, meet {pf}. {pf}, meet Olivia. You two should talk about "
     "renewals.\n\nBest,\n{rf}\n"),
]
FORWARDED_NOT_INTRO = (
    "Fwd: Re: lunch next week",
    "Can you remember where we said? Forwarding the thread.\n\n---------- Forwarded message ---------\n"
    "From: {pfull} <{pmail}>\nDate: Tue, Mar 4, 2025 at 5:10 PM\nSubject: Re: lunch next week\n"
    "To: Olivia Owner <owner@example.com>\n\nSounds good, see you at noon.\n\n"
    "On Tue, Mar 4, 2025 at 9:12 AM Olivia Owner <owner@example.com> wrote:\n> Shall we meet for lunch on "
    "Friday? The usual place?\n")


def write_forwarded_replies() -> None:
    for i, (client, body) in enumerate(FORWARDED_REPLIES):
        referrer, prospect = REFERRERS[(i + 5) % 10], PROSPECTS[(i + 3) % 16]
        text = body.format(o=O, pf=first(prospect), pfull=prospect[0], pmail=prospect[1], rf=first(referrer),
                           rfull=referrer[0], rmail=referrer[1])
        subject = "Fwd: " + next(line for line in text.splitlines() if "Subject:" in line).split(":", 1)[1].strip()
        raw = message(OWNER, [ASSISTANT], subject, text)
        save("intro", f"forwarded_reply_{client}", raw, "intro", referrer, [prospect], replied_by=prospect[1])
    prospect = PROSPECTS[9]
    subject, body = FORWARDED_NOT_INTRO
    raw = message(OWNER, [ASSISTANT], subject, body.format(pfull=prospect[0], pmail=prospect[1]))
    save("lookalike", "forwarded_thread_not_intro", raw, "other")


def write_hard() -> None:
    for i, (subject, body) in enumerate(HARD_INTROS):
        referrer, prospect = REFERRERS[(i + 2) % 10], PROSPECTS[(i + 7) % 16]
        text = body.format(p=prospect[0], pf=first(prospect), r=first(referrer))
        to = [OWNER] if "cc" in text.lower() or i % 2 else [OWNER, prospect]
        cc = [prospect, ASSISTANT] if prospect not in to else [ASSISTANT]
        raw = message(referrer, to, subject.format(pf=first(prospect)), text, cc=cc,
                      in_reply_to="catchup.1@owner.example" if subject.startswith("Re:") else None)
        save("intro", "hard", raw, "intro", referrer, [prospect])
    for i, (_, subject, body, kind) in enumerate(HARD_NEGATIVES):
        sender = REFERRERS[(i + 4) % 10] if kind != "reply" else PROSPECTS[(i + 1) % 16]
        to = [OWNER, PROSPECTS[(i + 3) % 16]] if kind != "double_opt_in_ask" else [PROSPECTS[0]]
        raw = message(sender, to, subject, body, in_reply_to="thread.%d@owner.example" % i if kind == "reply" else None)
        save("lookalike", "hard_negative", raw, kind, sender if kind == "double_opt_in_ask" else None, [])
