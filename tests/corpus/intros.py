"""Intro messages for the corpus: many voices, clients and the ways an intro reaches the assistant."""

from __future__ import annotations

from email.utils import format_datetime
from datetime import timedelta

from generate import (ALIAS, ASSISTANT, BASE, COMPANIES, NEEDS, OWNER, PROSPECTS, REFERRERS, first, fmt, message,
                      rng, save)

O = "Olivia"

# Each voice: (subject, body) from referrer r, prospect p, company, need. Deliberately varied wording.
VOICES = [
    lambda r, p, c, n: (f"Intro: {O} <> {first(p)}",
        f"{O}, meet {first(p)}. {first(p)} runs operations at {c} and is {n}.\n\n{first(p)}, {O} is the person I trust most with this kind of thing.\n\nI'll let you two take it from here.\n\n{first(r)}"),
    lambda r, p, c, n: (f"Introduction: {p[0]} / {OWNER[0]}",
        f"Hi both,\n\nI'd like to introduce you to each other. {p[0]} ({c}) is {n}; {O} helped us through exactly that last year.\n\nHope you find time to connect.\n\nBest,\n{r[0]}"),
    lambda r, p, c, n: (f"{O} / {first(p)}",
        f"Putting you two in touch as promised!\n\n{first(p)} -- {O} is brilliant at this.\n{O} -- {first(p)} is {n} at {c}.\n\nOver to you both."),
    lambda r, p, c, n: (f"Connecting you with {first(p)}",
        f"Hey {O},\n\nConnecting you with {p[0]} from {c} (cc'd). They are {n} and I immediately thought of you.\n\n{first(p)}, {O} is great - you'll like her.\n\nCheers,\n{first(r)}"),
    lambda r, p, c, n: (f"e-intro: {first(p)} ({c}) + {O}",
        f"{first(p)} / {O} - e-intro as discussed. {first(p)} is {n}. {O} has done this a dozen times. You two should talk.\n\n-{first(r)[0]}"),
    lambda r, p, c, n: ("Introduction",
        f"Dear {O} and {first(p)},\n\nIt is my pleasure to introduce you. {p[0]} leads {c}, which is {n}. {OWNER[0]} advises companies at exactly that stage.\n\nI am confident you will have a productive conversation.\n\nKind regards,\n{r[0]}"),
    lambda r, p, c, n: ("you two should meet",
        f"{O} meet {first(p)}, {first(p)} meet {O}.\n\nlong overdue. {first(p)}'s team at {c} is {n}.\n\nenjoy!\n{first(r).lower()}"),
    lambda r, p, c, n: (f"Intro - {first(p)} from {c}",
        f"Hi {O},\n\nAs promised, looping in {p[0]}. {first(p)} and I go back years; {c} is {n} and I told {first(p)} you're the one to talk to.\n\n{first(p)}, meet {O}!\n\nThanks,\n{first(r)}"),
    lambda r, p, c, n: (f"{first(p)} <> {O}",
        f"Making the intro I mentioned on our call. {first(p)}, {O} is the consultant I raved about. {O}, {first(p)} is {n} and could use a sharp outside view.\n\nI'll step aside and let you two connect directly.\n\n{r[0]}"),
    lambda r, p, c, n: ("Re: intro",
        f"Hi {O} --\n\nWanted to introduce you to {p[0]} at {c}. They're {n}. Thought it could be a great fit.\n\n{first(p)}: {O}'s team did wonders for us.\n\nBest\n{first(r)}"),
    lambda r, p, c, n: (f"Meet {first(p)}",
        f"{O},\n\nPlease meet {p[0]}, founder of {c}. {first(p)} is {n} and asked me who I'd call. I said you.\n\nI'll leave it to you two to find a time.\n\n{first(r)}"),
    lambda r, p, c, n: ("Quick intro",
        f"Quick intro: {O} (cc) <> {first(p)} (cc). {first(p)} is {n} at {c}; {O} knows this space cold. Take it away!"),
    lambda r, p, c, n: (f"Introducing {p[0]} ({c})",
        f"Good morning {O},\n\nIntroducing {p[0]} to you - {first(p)} is {n}, and when we spoke last week I promised to connect the two of you.\n\n{first(p)}, {O} has my highest recommendation.\n\nWarmly,\n{r[0]}"),
    lambda r, p, c, n: (f"Connecting {O} and {first(p)}",
        f"Hello hello! Connecting you two because you both love a good ops problem. {first(p)} at {c} is {n}; {O} solved the same thing at her last three clients. Coffee is on me if it works out.\n\nxx {first(r)}"),
    lambda r, p, c, n: (f"{c} <> {OWNER[0]}",
        f"Hi {first(p)}, hi {O},\n\nI've been meaning to connect you for a while. {first(p)} - {O} is an independent advisor and an old friend. {O} - {first(p)} is {n}.\n\nI'll let you both take it from here.\n\nRegards,\n{r[0]}"),
    lambda r, p, c, n: ("intro",
        f"{O} - {first(p)}. {first(p)} - {O}. You should definitely talk about {n.split(' ', 2)[-1]}. Happy connecting!"),
    lambda r, p, c, n: (f"Introduction: {first(p)} {p[0].split()[-1]} (cc)",
        f"{O},\n\nI'd like you to meet {p[0]}. {first(p)} heads up finance at {c} and is {n}. Given your background I think you two would hit it off.\n\n{first(p)}, over to you to suggest a few times.\n\nAll the best,\n{r[0]}\n--\n{r[0]}\nPartner, {r[1].split('@')[1]}"),
    lambda r, p, c, n: (f"Double intro: {O} x {first(p)}",
        f"Both of you have agreed to this one, so here goes: {O}, this is {first(p)}; {first(p)}, this is {O}. {first(p)} is {n}. Go forth!\n\n{first(r)}"),
]

NO_RUSH = ["\n\nNo rush on this at all.", "\n\nThey need a partner by Friday, so sooner is better.",
           "\n\nThis one is a bit urgent - their board meets next week.", ""]
URGENCY_OF = {0: "relaxed", 1: "deadline", 2: "urgent", 3: None}


def direct(i: int, voice, referrer, prospect, html=False, encoding="8bit", owner=OWNER, slug="direct"):
    company = rng.choice(COMPANIES)
    need = rng.choice(NEEDS)
    subject, body = voice(referrer, prospect, company, need)
    cue = i % len(NO_RUSH)
    body = body.replace("\n\n", NO_RUSH[cue] + "\n\n", 1) if NO_RUSH[cue] and body.count("\n\n") else body + NO_RUSH[cue]
    to = [owner, prospect] if i % 2 else [prospect, owner]
    raw = message(referrer, to, subject, body, cc=[ASSISTANT], html=html, encoding=encoding)
    save("intro", slug, raw, "intro", referrer, [prospect], urgency=URGENCY_OF[cue])


def write_intros() -> None:
    encodings = ["8bit", "quoted-printable", "base64"]
    n = 0
    for round_ in range(3):
        for v, voice in enumerate(VOICES):
            referrer = REFERRERS[(v + round_) % len(REFERRERS)]
            prospect = PROSPECTS[(v * 3 + round_) % len(PROSPECTS)]
            direct(n, voice, referrer, prospect, html=(n % 7 == 3), encoding=encodings[n % 3],
                   owner=ALIAS if n % 11 == 5 else OWNER)
            n += 1
    write_structural()


def _fwd_block(style: str, referrer, prospect, subject: str, date) -> str:
    to = f"{fmt(OWNER)}, {fmt(prospect)}"
    if style == "gmail":
        return (f"---------- Forwarded message ---------\nFrom: {fmt(referrer)}\nDate: {date.strftime('%a, %b %d, %Y at %I:%M %p')}\n"
                f"Subject: {subject}\nTo: {to}\n\n")
    if style == "outlook":
        last, first_ = prospect[0].split()[-1], prospect[0].split()[0]
        return (f"________________________________\nFrom: {referrer[0]} <{referrer[1]}>\nSent: {date.strftime('%A, %B %d, %Y %I:%M %p')}\n"
                f"To: Owner, Olivia <{OWNER[1]}>; {last}, {first_} <{prospect[1]}>\nSubject: {subject}\n\n")
    if style == "outlook-classic":
        return (f"-----Original Message-----\nFrom: {referrer[0]} [mailto:{referrer[1]}]\nSent: {date.strftime('%A, %B %d, %Y %I:%M %p')}\n"
                f"To: {OWNER[0]}; {prospect[0]} <{prospect[1]}>\nSubject: {subject}\n\n")
    return (f"Begin forwarded message:\n\nFrom: {fmt(referrer)}\nSubject: {subject}\nDate: {date.strftime('%B %d, %Y at %I:%M:%S %p GMT')}\n"
            f"To: {to}\n\n")


def write_structural() -> None:
    date = BASE - timedelta(days=1)
    # Forwarded inline by the owner: Gmail, Outlook (new and classic), Apple Mail.
    for i, style in enumerate(["gmail", "outlook", "outlook-classic", "apple"] * 3):
        referrer, prospect = REFERRERS[(i + 3) % 10], PROSPECTS[(i + 5) % 16]
        subject, body = VOICES[(i * 5) % len(VOICES)](referrer, prospect, COMPANIES[i % 12], NEEDS[i % 10])
        top = ["FYI - please track this one.", "", "Another intro for the pipeline", "Fwd for tracking, thx"][i % 4]
        fwd = f"{top}\n\n{_fwd_block(style, referrer, prospect, subject, date)}{body}\n"
        raw = message(OWNER, [ASSISTANT], ("Fwd: " if style != "outlook-classic" else "FW: ") + subject, fwd,
                      encoding=["8bit", "quoted-printable"][i % 2])
        save("intro", f"forwarded_{style}", raw, "intro", referrer, [prospect])
    # Attached message/rfc822.
    for i in range(6):
        referrer, prospect = REFERRERS[(i + 5) % 10], PROSPECTS[(i + 9) % 16]
        subject, body = VOICES[(i * 7 + 2) % len(VOICES)](referrer, prospect, COMPANIES[i], NEEDS[i])
        inner = message(referrer, [OWNER, prospect], subject, body).decode()
        boundary = f"b{i}xyz"
        outer = (f"From: {fmt(OWNER)}\r\nTo: {ASSISTANT[1]}\r\nSubject: Fwd: {subject}\r\nDate: {format_datetime(BASE)}\r\n"
                 f"Message-ID: <attached.{i}@owner.example>\r\nMIME-Version: 1.0\r\n"
                 f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n--{boundary}\r\n'
                 f"Content-Type: text/plain; charset=utf-8\r\n\r\n{['see attached', 'please handle', '', 'intro attached'][i % 4]}\r\n"
                 f"--{boundary}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=intro.eml\r\n\r\n"
                 f"{inner}\r\n--{boundary}--\r\n")
        save("intro", "attached_rfc822", outer.encode(), "intro", referrer, [prospect])
    # BCC reply-all: the owner answers, moving the referrer to BCC; the assistant is BCC'd (not in headers).
    thanks = ["Thanks {r}! (moving you to BCC)\n\n{p}, great to e-meet you. Are you free Thursday or Friday for a call?",
              "{r}, thank you for the kind intro - moving you to bcc to spare your inbox.\n\nHi {p}, lovely to meet you. How does next Tuesday look?",
              "Thanks {r} (to bcc).\n\n{p} - happy to help. Here's my calendar: https://cal.example/olivia",
              "Appreciate it {r}! Moving you to BCC.\n\n{p}, nice to meet you virtually. When suits you for 30 minutes?"]
    for i in range(8):
        referrer, prospect = REFERRERS[(i + 1) % 10], PROSPECTS[(i + 2) % 16]
        subject, body = VOICES[(i * 3 + 1) % len(VOICES)](referrer, prospect, COMPANIES[i], NEEDS[i])
        quoted = "\n".join("> " + ln if ln else ">" for ln in body.split("\n"))
        top = thanks[i % 4].format(r=first(referrer), p=first(prospect))
        attribution = f"On {date.strftime('%a, %b %d, %Y at %I:%M %p')} {referrer[0]} <{referrer[1]}> wrote:"
        body2 = f"{top}\n\nBest,\nOlivia\n\n{attribution}\n{quoted}\n"
        raw = message(OWNER, [prospect], "Re: " + subject, body2, in_reply_to=f"orig.{i}@mail.example")
        save("intro", "bcc_reply_all", raw, "intro", referrer, [prospect])
    # The prospect replied on the thread first (assistant CC'd on the reply).
    for i in range(5):
        referrer, prospect = REFERRERS[(i + 7) % 10], PROSPECTS[(i + 11) % 16]
        subject, body = VOICES[(i * 5 + 4) % len(VOICES)](referrer, prospect, COMPANIES[i + 3], NEEDS[i + 2])
        quoted = "\n".join("> " + ln for ln in body.split("\n"))
        top = f"Thanks {first(referrer)}, moving you to BCC.\n\n{O}, great to meet you - I've cc'd my assistant to find a time."
        body2 = f"{top}\n\n{first(prospect)}\n\nOn {date.strftime('%d %b %Y, at %H:%M')}, {referrer[0]} <{referrer[1]}> wrote:\n\n{quoted}\n"
        raw = message(prospect, [OWNER], "Re: " + subject, body2, cc=[ASSISTANT], in_reply_to=f"orig.p{i}@mail.example")
        save("intro", "prospect_replied_first", raw, "intro", referrer, [prospect])
    # Group intros: one owner, two prospects.
    for i in range(6):
        referrer = REFERRERS[(i + 2) % 10]
        p1, p2 = PROSPECTS[(i * 2) % 16], PROSPECTS[(i * 2 + 7) % 16]
        body = [f"{O}, meet {first(p1)} and {first(p2)}, co-founders of {COMPANIES[i]}. They're {NEEDS[i]}.\n\n{first(p1)} and {first(p2)}, {O} is the advisor I mentioned. I'll let the three of you take it from here.\n\n{first(referrer)}",
                f"Hi all - introducing {O} to {p1[0]} and {p2[0]}. {first(p1)} and {first(p2)} run {COMPANIES[i]} and are {NEEDS[i]}. You all should talk!\n\n{referrer[0]}",
                f"Group intro! {first(p1)}, {first(p2)}: this is {O}. {O}: {first(p1)} leads product and {first(p2)} leads sales at {COMPANIES[i]}. Connecting you all.\n\n{first(referrer)}"][i % 3]
        raw = message(referrer, [OWNER, p1, p2], f"Intro: {O} <> {first(p1)} & {first(p2)}", body, cc=[ASSISTANT])
        save("intro", "group", raw, "intro", referrer, [p1, p2])
    # The owner is the referrer: she introduces two contacts and CCs the assistant.
    for i in range(6):
        p1, p2 = PROSPECTS[(i + 3) % 16], PROSPECTS[(i + 10) % 16]
        body = [f"{first(p1)}, meet {first(p2)}. {first(p2)} is {NEEDS[i]} and {first(p1)} has done it twice. I think you two should talk.\n\nBest,\nOlivia",
                f"Hi {first(p1)} and {first(p2)},\n\nI'd love to introduce you to each other. {first(p1)} at {COMPANIES[i]} and {first(p2)} at {COMPANIES[i + 4]} are both {NEEDS[i]}.\n\nI'll let you take it from here!\nOlivia"][i % 2]
        raw = message(OWNER, [p1, p2], f"Intro: {first(p1)} <> {first(p2)}", body, cc=[ASSISTANT])
        save("intro", "owner_is_referrer", raw, "intro", OWNER, [p1, p2], owner_is_referrer=True)
    # An intro made in a reply on an old, unrelated thread.
    for i in range(5):
        referrer, prospect = REFERRERS[(i + 4) % 10], PROSPECTS[(i + 6) % 16]
        old = f"> Hi {first(referrer)}, the Q3 numbers look fine to me.\n> Olivia"
        body = (f"Picking this old thread back up - {O}, I'd like to introduce you to {p[0] if (p := prospect) else ''}, who is "
                f"{NEEDS[(i + 3) % 10]}. {first(prospect)}, {O} is the one I told you about.\n\n{first(referrer)}\n\n"
                f"On Mon, Jan 6, 2025 at 10:00 AM {OWNER[0]} <{OWNER[1]}> wrote:\n{old}\n")
        raw = message(referrer, [OWNER], "Re: Q3 planning", body, cc=[prospect, ASSISTANT], in_reply_to=f"old.{i}@owner.example")
        save("intro", "old_thread", raw, "intro", referrer, [prospect])
    # One-liners and missing display names / "Last, First".
    one_liners = ["{o}, meet {p}. {p}, meet {o}.", "Connecting you two - {p} needs what you do, {o}.",
                  "{o} <> {p}, you two should talk.", "Intro'ing you two, {o} and {p}: enjoy!",
                  "{p}, meet {o}! Over to you."]
    for i, line in enumerate(one_liners):
        referrer, prospect = REFERRERS[(i + 6) % 10], PROSPECTS[(i + 13) % 16]
        body = line.format(o=O, p=first(prospect))
        bare = ("", prospect[1]) if i % 2 else prospect
        raw = message(referrer, [OWNER, bare], ["intro", "Connecting", "Intro", "hi", "Meet " + first(prospect)][i], body,
                      cc=[ASSISTANT])
        save("intro", "one_liner", raw, "intro", referrer, [prospect])
    for i in range(4):
        referrer, prospect = REFERRERS[i], PROSPECTS[(i + 1) % 16]
        last, fst = prospect[0].split()[-1], prospect[0].split()[0]
        rlast, rfst = referrer[0].split()[-1], referrer[0].split()[0]
        body = VOICES[(i * 4 + 3) % len(VOICES)](referrer, prospect, COMPANIES[i], NEEDS[i])[1]
        raw = message(None, None, None, body, raw_headers=[
            f"From: {rlast}, {rfst} <{referrer[1]}>", f"To: Owner, Olivia <{OWNER[1]}>; {last}, {fst} <{prospect[1]}>".replace(";", ","),
            f"Cc: {ASSISTANT[1]}", f"Subject: Introduction - {fst} {last}", f"Date: {format_datetime(BASE)}"])
        save("intro", "last_first_names", raw, "intro", referrer, [prospect])
    # A long intro with bios of both sides.
    for i in range(4):
        referrer, prospect = REFERRERS[(i + 8) % 10], PROSPECTS[(i + 4) % 16]
        bio_p = (f"{prospect[0]} is the COO of {COMPANIES[i]}. Before that, {first(prospect)} spent eight years at a "
                 "global logistics firm, where she rebuilt the European distribution network and led a team of 120. "
                 f"{COMPANIES[i]} has grown from 10 to 85 people in two years and is now {NEEDS[i]}. ") * 2
        bio_o = (f"{OWNER[0]} has advised more than forty companies on exactly this. She is thoughtful, direct, and "
                 "extremely good at making complex operations simple. Her clients include several firms you know. ") * 2
        body = (f"Dear {O}, dear {first(prospect)},\n\nI am delighted to introduce you to one another.\n\n"
                f"{bio_p}\n\n{bio_o}\n\nI think there is a lot you can do together, and I hope you will find time "
                f"for a call in the next couple of weeks.\n\nWith warm regards,\n{referrer[0]}\n\n--\n{referrer[0]}\n"
                "Managing Director | +1 555 0100 | www.example.org\nThis e-mail is confidential.")
        raw = message(referrer, [OWNER, prospect], "An introduction", body, cc=[ASSISTANT], html=(i % 2 == 1))
        save("intro", "long_bios", raw, "intro", referrer, [prospect])
