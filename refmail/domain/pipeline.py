"""The ordered table of pure steps that turns a ParsedMessage into an Understanding with a why-trail."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from typing import Callable

from refmail.domain import screen
from refmail.domain.calls import Call, Thresholds, borderline, call, thresholds
from refmail.domain.detect import Detection, detect, named_in
from refmail.domain.detection_rules import DetectionRules
from refmail.domain.extract import QUOTED, Candidate, How, Parties, candidates, on_earlier_messages, parties, written
from refmail.domain.mailboxes import colleagues, domain_of
from refmail.domain.mailtext import (
    NOT_AN_END, display_words, first_names, is_forward_subject, is_reply_subject, new_text)
from refmail.domain.nlp import Analysis, Pipeline, person_names
from refmail.domain.parse import CUT_NOTE
from refmail.domain.replytext import do_not_contact, reply_text, reuses_old_thread
from refmail.domain.scanning import bounded
from refmail.domain.types import Identity, Kind, OverBudget, ParsedMessage, Person, Reading, Understanding
from refmail.domain.urgency import urgency



class Action(enum.Enum):
    CONTINUE = "continue"
    SET_ASIDE = "set aside"
    FOUND = "found"


@dataclass(frozen=True)
class Outcome:
    """What one step decided: go on (with a note), or stop with an Understanding."""

    action: Action
    understanding: Understanding | None = None
    note: str = ""
    # A step that goes on unsure (an intro score in the question band) says what it might have been.
    unsure: bool = False
    readings: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class Context:
    msg: ParsedMessage
    identity: Identity
    rules: DetectionRules
    pipe: Pipeline
    # This message's texts, tokenised and matched once: detection and urgency read the same bodies.
    memo: dict[str, Analysis] = field(default_factory=dict)

    @property
    def lines(self) -> Thresholds:
        return thresholds(self.rules, self.pipe.model)


def _screen_step(fn: Callable) -> Callable[[Context], Outcome]:
    def step(ctx: Context) -> Outcome:
        found = fn(ctx.msg, ctx.identity)
        if found is None:
            return Outcome(Action.CONTINUE)
        return Outcome(Action.SET_ASIDE, Understanding(
            kind=found.kind, confidence=0.95, reasons=(found.reason,), return_date=found.return_date,
            permanent=found.permanent, failed_addresses=found.failed_addresses,
            receiver=ctx.identity.owner))
    step.__name__ = fn.__name__
    return step


CONTEXT_CHARS = 500
_SENTENCE_END = re.compile(r"[.!?]" + NOT_AN_END + r"(?=\s|$)")


def _context_of(body: str) -> str:
    """The intro's opening on one line, to the end of the sentence under CONTEXT_CHARS when it ends soon after,
    else cut at a word and marked "…": drafting reads its sentences, and a sentence cut short read as a whole one
    ("is Head" of "is Head of Sales") says what nobody wrote."""
    lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
    if lines and re.match(r"^(hi|hey|hello|dear)\b", lines[0], re.IGNORECASE) and len(lines[0]) < 40:
        lines = lines[1:]
    text = " ".join(" ".join(lines).split())
    if len(text) <= CONTEXT_CHARS:
        return text
    end = _SENTENCE_END.search(text, CONTEXT_CHARS, CONTEXT_CHARS + 200)
    if end is not None:
        return text[:end.end()]
    cut = text.rfind(" ", 0, CONTEXT_CHARS)
    return text[:cut if cut > 0 else CONTEXT_CHARS] + "\u2026"


def _with_ner(ctx: Context, cand: Candidate, det: Detection) -> Detection:
    """A trained pipeline's PERSON entities naming two of the people addressed tip a borderline score."""
    found = {n.split()[0].lower() for n in person_names(ctx.pipe, cand.body)}
    named = found & first_names(cand.parties + ((cand.referrer,) if cand.referrer else ()))
    if len(named) < 2:
        return det
    return replace(det, intro=round(det.intro + 0.15, 3),
                   evidence=det.evidence + ("NER names people on the message: " + ", ".join(sorted(named)),))


def _intro_message_id(msg: ParsedMessage, cand: Candidate) -> str:
    """The intro's own Message-ID where the mail carries it (the first touch threads on it), else this message's."""
    if cand.how is How.QUOTED_IN_REPLY and msg.in_reply_to:
        return msg.in_reply_to
    if cand.how is How.ATTACHED:
        return cand.source.message_id
    if cand.how is How.QUOTED_IN_FORWARD and cand.quoted_by is not None and cand.quoted_by.in_reply_to:
        return cand.quoted_by.in_reply_to  # an attached reply keeps its real In-Reply-To
    return msg.message_id


def addressed(cand: Candidate, identity: Identity) -> tuple[Person, ...]:
    """Everyone a candidate intro addresses but its writer and the assistant."""
    writer = cand.referrer.email if cand.referrer else ""
    # The owner's bare address still has her name: "ben - olivia" names her even when To says owner@...
    return tuple(Person(identity.owner.name, p.email) if not p.name and identity.is_owner(p.email)
                 else p for p in cand.parties if p.email != writer and not identity.is_assistant(p.email))


def setting(cand: Candidate, msg: ParsedMessage, identity: Identity) -> dict[str, float]:
    """Where a candidate sits and how it reached the assistant: cues the fitted model weighs like the text's."""
    writer_is_owner = cand.referrer is not None and identity.is_ours(cand.referrer.email)
    carrier_from_owner = msg.sender is not None and identity.is_ours(msg.sender.email)
    people = addressed(cand, identity)
    others = [p.email for p in people if not identity.is_ours(p.email)]

    def writers_colleagues(emails: list[str]) -> bool:
        return bool(emails) and cand.referrer is not None and not writer_is_owner and all(
            colleagues(cand.referrer.email, e) for e in emails)

    # Someone looping a colleague into a project thread looks like an intro; a colleague is a cue against.
    writer_colleagues = writers_colleagues(others)
    # The owner's own colleagues on it ("Priya on my team will be your day-to-day contact", a client's
    # thank-you to the owner and her colleague): her side of a hand-over, rarely anyone's prospect.
    owner_side = [o for o in others if colleagues(identity.owner.email, o)]
    writer_colleagues_beyond_owner_side = bool(owner_side) and writers_colleagues(
        [o for o in others if o not in owner_side])
    writer = cand.referrer.email if cand.referrer else ""
    # "I would like to introduce Ms. Pires (ypires@x)", mailed to the owner alone: the prospect is in the text.
    on_it = {writer} | {p.email for p in people}
    contacts = [p.email for p in written(cand.body) if p.email not in on_it and not identity.is_ours(p.email)
                and not identity.is_assistant(p.email)] if len(people) < 2 else []
    return {
        "contact_written": float(bool(contacts)),
        # "Here's Duncan's card": a contact card passed on is how a phone introduces someone not on the mail.
        "contact_card": float(any(c.lower() in msg.carded for c in contacts)),
        "how_attached": float(cand.how is How.ATTACHED),
        "how_forwarded_inline": float(cand.how is How.FORWARDED_INLINE),
        "how_quoted_in_reply": float(cand.how is How.QUOTED_IN_REPLY),
        "how_quoted_in_forward": float(cand.how is How.QUOTED_IN_FORWARD),
        "writer_is_owner": float(writer_is_owner),
        "handed_on_by_owner": float(cand.how is not How.DIRECT and carrier_from_owner),
        "assistant_on_intro": float(any(identity.is_assistant(p.email) for p in cand.source.to + cand.source.cc)),
        "direct_in_thread": float(cand.how is How.DIRECT and bool(msg.in_reply_to) and bool(msg.embedded)),
        # Someone copied onto a thread she was on nowhere before ("I'm copying Priya, who joined us"): in a
        # thread about something else, the usual way an intro is made in passing.
        "newcomer_on_thread": float(_brings_someone_new(cand.source, identity)),
        "subject_is_reply": float(is_reply_subject(cand.subject)),
        "three_or_more_addressed": float(len(people) >= 3),
        "introduces_own_colleagues": float(writer_colleagues),
        "owner_colleague_addressed": float(bool(owner_side)),
        "introduces_own_colleagues_to_owner_side": float(writer_colleagues_beyond_owner_side),
        # Copied on an intro between two others ("Kwabena copied as he knows you both"): To holds the pair.
        "owner_only_copied": float(any(identity.is_ours(p.email) for p in cand.source.cc)
                                   and not any(identity.is_ours(p.email) for p in cand.source.to)),
        # A calendar invitation (a text/calendar part, Outlook's calendar message class) sets a meeting.
        "calendar_part": float(bool(cand.source.calendars)
                               or "calendarmessage" in (cand.source.header("Content-Class") or "").lower()),
    }


def _top_text(text: str) -> str:
    """The words a message's writer added above what it forwards or quotes (inline answers kept)."""
    return new_text(text, below_quotes=True)


def intro_candidates(msg: ParsedMessage, identity: Identity, rules: DetectionRules) -> tuple[Candidate, ...]:
    """Every place in ``msg`` an intro could be, as the intro step reads them (training reads the same)."""
    return candidates(msg, identity, _top_text(msg.text[: rules.max_body_chars * 4]), _top_text)


class Verdict(enum.Enum):
    """What one candidate is, on its score and on where it sits."""

    INTRO = "intro"
    UNSURE = "unsure"  # in the question band, or intro-like without firm wording of its own
    NOT_INTRO = "not an intro"
    FOLLOW_UP = "follow-up"  # the intro's own writer quoting it again
    OLD_THREAD = "old thread"  # someone writing on an old intro's thread for other business
    ANSWERED = "answered"  # a quote without firm wording, answered by someone it names: an intro if she is its prospect


def _replier(cand: Candidate) -> Person | None:
    return cand.quoted_by.sender if cand.quoted_by is not None else None


def _needs_own_words(ctx: Context, cand: Candidate, alone: bool = False) -> bool:
    """Where a candidate sits such that only firm intro wording of its own makes it an intro.

    ``alone``: no other candidate of the message scores as an intro."""
    msg, identity = ctx.msg, ctx.identity
    # A reply to the owner, or any reply quoting an earlier message: the intro is the quoted one
    # ("Thanks Alice, moving you to BCC" is the prospect answering).
    # Unless it brings someone new onto the thread ("Anders is now in copy"): that is an intro made in
    # the thread it was asked for in, and its score decides.
    # So does an intro made in a thread that quotes none ("Paulina, who you saw at the party, runs Eventio"):
    # nothing it quotes reads as one.
    answers_thread = cand.how is How.DIRECT and bool(msg.embedded) and (
        bool(msg.in_reply_to) or msg.embedded[0].sender is not None and identity.is_owner(msg.embedded[0].sender.email)
    ) and not _brings_someone_new(msg, identity) and not alone
    # A forwarded message that is itself an answer ("RE: Intro ...", the prospect's reply the owner
    # forwards) and carries what it answers introduces no one by its subject: the intro is the one it
    # quotes. An answer quoting nothing ("RE: ...: one more thing, also meet Frank") stands on its score,
    # and so does someone else's that brings a newcomer onto the thread ("I've copied Lorenz Haid"), as
    # above, or passes one on by card (the referrer's answer to the owner's yes: "I've told Bruno to expect you,
    # his card below"); the owner's own answer to the intro ("Omar, I'll write tomorrow") is not one.
    writer = cand.source.sender
    forwarded_answer = cand.how in (How.FORWARDED_INLINE, How.ATTACHED) and bool(
        cand.source.in_reply_to or is_reply_subject(cand.subject)) and bool(cand.source.embedded) and not (
        writer is not None and not identity.is_ours(writer.email)
        and (_brings_someone_new(cand.source, identity) or _passes_on_by_card(cand.source, identity)))
    # A quote in someone else's answer; the owner quoting it (her reply-all, the assistant in Bcc) is
    # handing the intro on, and so is her forward of that answer ("scroll down: Marcus intro'd me to Bea")
    # or her reply quoting it, when nothing else in her message reads as the intro (the answer may be it:
    # "including Rui here").
    replier = _replier(cand)
    handed_on = alone and cand.how in QUOTED and cand.quoted_by is not msg and msg.sender is not None \
        and identity.is_ours(msg.sender.email)
    quoted_by_other = cand.how in QUOTED and not handed_on and not (replier is not None and identity.is_ours(replier.email))
    return answers_thread or forwarded_answer or quoted_by_other


def _answered_by_one_it_names(ctx: Context, cand: Candidate) -> bool:
    """The one answering a quote is on it and named in it, by any word of her name ("Mei Ling" of "Chong Mei
    Ling"): the prospect's "thanks Ville, moving you to bcc"."""
    replier = _replier(cand)
    return cand.how in QUOTED and replier is not None and not ctx.identity.is_ours(replier.email) \
        and replier.email in {p.email for p in addressed(cand, ctx.identity)} \
        and bool(named_in(cand.body, first_names((replier,)) | display_words((replier,))))


def _replied(cand: Candidate, who: Parties) -> bool:
    """The one answering the quoted intro is one of its prospects."""
    replier = _replier(cand)
    return replier is not None and replier.email in {p.email for p in who.prospects}


def _on_thread(msg: ParsedMessage) -> frozenset[str]:
    """Who wrote the message or wrote or read any message it quotes."""
    return on_earlier_messages(msg) | ({msg.sender.email} if msg.sender is not None else frozenset())


def _new_on_thread(msg: ParsedMessage, identity: Identity) -> tuple[Person, ...]:
    """Those the message addresses who are on none of the messages it quotes, neither writer nor reader
    (a message that quotes nothing brings no one onto a thread)."""
    if not msg.embedded:
        return ()
    seen = _on_thread(msg)
    return tuple(p for p in msg.recipients if p.email not in seen and not identity.is_ours(p.email))


def _brings_someone_new(msg: ParsedMessage, identity: Identity) -> bool:
    return bool(_new_on_thread(msg, identity))


def _passes_on_by_card(msg: ParsedMessage, identity: Identity) -> bool:
    """A contact card in the message of someone none of the messages it quotes has: an answer that completes an
    intro asked for first. Kept apart from the newcomer cue the fitted model weighs, which counts recipients."""
    if not msg.embedded:
        return False
    seen = _on_thread(msg)
    return any(a not in seen and not identity.is_ours(a) for a in msg.carded)


def _on_an_old_thread(ctx: Context, cand: Candidate) -> bool:
    """Someone other than the owner, answering the quote or writing the message around it, says she writes on an
    old thread because it was at hand ("sorry for using this old thread"): the intro it quotes is old news."""
    writers = {id(m): m for m in (cand.quoted_by, ctx.msg) if m is not None}.values()
    return any(m.sender is not None and not ctx.identity.is_ours(m.sender.email) and reuses_old_thread(m.text)
               and reuses_old_thread(new_text(m.text)) for m in writers)  # the whole text first: a cheap "no"


def judge(ctx: Context, cand: Candidate, det: Detection, alone: bool = False) -> Verdict:
    replier = _replier(cand)
    if cand.how in QUOTED and cand.referrer is not None and replier is not None \
            and cand.referrer.email == replier.email:  # "did you two ever connect?": an intro already made
        return Verdict.FOLLOW_UP
    if cand.how in QUOTED and _on_an_old_thread(ctx, cand):
        return Verdict.OLD_THREAD
    verdict = call(det.intro, ctx.lines)
    if verdict is Call.NOT_INTRO:
        return Verdict.NOT_INTRO
    if verdict is Call.INTRO and (det.strong or not _needs_own_words(ctx, cand, alone)):
        return Verdict.INTRO
    if verdict is Call.INTRO and _answered_by_one_it_names(ctx, cand):
        return Verdict.ANSWERED
    return Verdict.UNSURE


def _found(ctx: Context, cand: Candidate, det: Detection, who: Parties, names: list[str]) -> Understanding:
    """The intro as found: its parties, timing, and whether the prospect already answered on the thread."""
    kind_urgency, phrase = urgency(ctx.pipe, cand.body, ctx.memo)
    reasons = (f"intro found ({cand.how}), score {det.intro:.2f}",) + det.evidence
    if names:
        reasons += ("names from NER: " + ", ".join(names[:5]),)
    if phrase:
        reasons += (f"timing cue: {phrase!r}",)
    kept = set(who.prospects)
    copied = [p.email for p, _ in who.considered if p not in kept]
    if copied:
        reasons += ("addressed but not introduced: " + ", ".join(copied),)
    replier = _replier(cand)
    replied = _replied(cand, who)
    answer = reply_text(cand.quoted_by.text) if replied and cand.quoted_by is not None else None
    if replied and replier is not None:
        reasons += (f"the prospect {replier.email} has already replied on the intro's thread"
                    + (" (in the forwarded reply)" if cand.how is How.QUOTED_IN_FORWARD else ""),)
    return Understanding(
        kind=Kind.INTRO, confidence=det.intro, prospect_replied=replied, reply_text=answer,
        do_not_contact=bool(answer) and do_not_contact(answer), referrer=who.referrer, prospects=who.prospects,
        receiver=who.receiver, context=_context_of(cand.body), urgency=kind_urgency, reasons=reasons,
        owner_is_referrer=who.owner_is_referrer, replied_by=replier if replied else None,
        intro_message_id=_intro_message_id(ctx.msg, cand))


def _ask(ctx: Context, scored: list[tuple[Candidate, Detection]]) -> tuple[Candidate, Understanding] | None:
    """The message itself asking the owner before introducing (double opt-in), when no intro was found."""
    cand, det = max(scored, key=lambda cd: cd[1].ask)
    if cand.how is not How.DIRECT or det.ask < ctx.lines.ask or det.ask <= det.intro:
        return None
    who = parties(cand, ctx.msg, ctx.identity, model=ctx.pipe.people)
    return cand, Understanding(
        kind=Kind.DOUBLE_OPT_IN_ASK, confidence=det.ask, referrer=who.referrer, prospects=who.prospects,
        receiver=who.receiver, context=_context_of(cand.body), reasons=("asks before introducing",) + det.evidence)


def _intro(ctx: Context) -> Outcome:
    """Every candidate, best placed first: the first intro found decides; unsure ones become readings."""
    cands = intro_candidates(ctx.msg, ctx.identity, ctx.rules)
    scored: list[tuple[Candidate, Detection]] = [
        (cand, detect(ctx.pipe, cand.subject, cand.body, addressed(cand, ctx.identity),
                      setting(cand, ctx.msg, ctx.identity), ctx.memo, ctx.identity.owner)) for cand in cands]
    notes: list[str] = []
    unsure: list[tuple[Candidate, Detection, Parties]] = []
    placeless: tuple[Candidate, Detection, Parties, list[str]] | None = None
    for cand, det in scored:
        if ctx.pipe.ner is not None and borderline(det.intro, ctx.lines, 0.15):
            det = _with_ner(ctx, cand, det)
        verdict = judge(ctx, cand, det, alone=_alone(ctx, scored, cand, placeless[0] if placeless else None))
        if verdict is Verdict.FOLLOW_UP:
            notes.append(f"{cand.how}: the writer's own earlier intro, quoted in a follow-up")
            continue
        if verdict is Verdict.OLD_THREAD:
            notes.append(f"{cand.how}: an old intro, quoted by someone writing on its thread about something else")
            continue
        if verdict not in (Verdict.INTRO, Verdict.ANSWERED):
            notes.append(f"{cand.how}: intro score {det.intro:.2f}")
            if verdict is Verdict.UNSURE:
                unsure.append((cand, det, parties(cand, ctx.msg, ctx.identity, person_names(ctx.pipe, cand.body),
                                                  quoted_intro=_quoted_intro(ctx, scored), model=ctx.pipe.people)))
            continue
        names = person_names(ctx.pipe, cand.body)
        who = parties(cand, ctx.msg, ctx.identity, names, quoted_intro=_quoted_intro(ctx, scored),
                      model=ctx.pipe.people)
        if verdict is Verdict.ANSWERED and not _replied(cand, who):  # an assistant or a delegate answering: ask
            notes.append(f"{cand.how}: intro score {det.intro:.2f}, answered by someone it does not introduce")
            unsure.append((cand, det, who))
            continue
        if not who.prospects and cand.how is How.DIRECT:
            # An intro introduces someone on the message: wording alone ("excited to introduce you to
            # our new features", a prospect answering the thread) with nobody to introduce is not one by
            # itself; but firm wording is a question, never a quiet "no" (names without addresses: the
            # owner's Outlook forward that lost them).
            notes.append("direct: intro wording but nobody to introduce" + ("; looking inside" if len(cands) > 1 else ""))
            unsure.append((cand, det, who))
            continue
        if not who.prospects:
            # Handed on, yet nobody to introduce (the prospect's answer the owner quotes): the intro may sit
            # deeper, quoted in that answer; if none does, this one stands (a question about its people).
            placeless = placeless or (cand, det, who, names)
            continue
        return Outcome(Action.FOUND, _found(ctx, cand, det, who, names))
    if placeless is not None:
        return Outcome(Action.FOUND, _found(ctx, *placeless))
    ask = _ask(ctx, scored)
    if ask is not None:
        asker, asking = ask
        if not any(c is asker and who.prospects for c, _, who in unsure):
            return Outcome(Action.FOUND, asking)
        # "I want to connect you with Bekalu, his card below, please call him": asking words, yet the same text
        # reads as the intro itself in the question band, with someone to introduce. Asked, never listed as a
        # mere ask (over the training corpora, asks score under the band but for one in 1,978).
        notes.append(f"{asker.how}: reads as asking first (ask {asking.confidence:.2f}), yet may be the intro itself")
    return Outcome(Action.CONTINUE, note="not an intro (" + "; ".join(notes) + ")", unsure=bool(unsure),
                   readings=_readings(ctx, unsure))


def _alone(ctx: Context, scored: list[tuple[Candidate, Detection]], cand: Candidate, placeless: Candidate | None) -> bool:
    """No other candidate of the message scores as an intro. An earlier one over the line with nobody to
    introduce does not count, nor does the answer that quotes this one: the prospect's "thanks Sara, glad to
    meet you", which the owner forwards, reads as intro-like because it answers one."""
    return not any(c is not cand and c is not placeless and call(d.intro, ctx.lines) is Call.INTRO
                   and not (cand.quoted_by is not None and c.source is cand.quoted_by) for c, d in scored)


def _quoted_intro(ctx: Context, scored: list) -> bool:
    return any(c.how in QUOTED and call(d.intro, ctx.lines) is Call.INTRO for c, d in scored)


def _readings(ctx: Context, unsure: list) -> tuple[Reading, ...]:
    """The unsure candidates as readings the owner can pick from: best score first, each pairing once."""
    out: dict[tuple, Reading] = {}
    for cand, det, who in sorted(unsure, key=lambda cdw: -cdw[1].intro):
        if not who.prospects:
            continue
        key = _pairing(who.referrer, who.prospects)
        if key in out:
            continue
        kind_urgency, _ = urgency(ctx.pipe, cand.body, ctx.memo)
        out[key] = Reading(who.referrer, tuple(dict.fromkeys(who.prospects)), det.intro, who.owner_is_referrer,
                           _intro_message_id(ctx.msg, cand), _context_of(cand.body), kind_urgency)
    return tuple(out.values())[:5]


def _thread(ctx: Context) -> Outcome:
    msg = ctx.msg
    quotes_earlier = bool(msg.embedded) and not is_forward_subject(msg.subject) and not re.search(
        r"forwarded message|begin forwarded", msg.text[:20000], re.IGNORECASE)
    threaded = bool(msg.in_reply_to or msg.references or is_reply_subject(msg.subject) or quotes_earlier)
    if msg.sender is not None and ctx.identity.is_ours(msg.sender.email):
        return Outcome(Action.SET_ASIDE, Understanding(
            kind=Kind.OTHER, confidence=0.9, referrer=None, receiver=msg.sender,
            reasons=("the owner's own message: never a prospect's reply",)))
    if not threaded:
        return Outcome(Action.CONTINUE, note="not part of a thread")
    if screen.automated_sender(msg):
        return Outcome(Action.SET_ASIDE, Understanding(
            kind=Kind.OTHER, confidence=0.8, reasons=("automated sender (daemon, robot or null Return-Path): not a reply",)))
    text = reply_text(msg.text)
    written_new, copied = _written_newcomers(msg, text, ctx.identity), _copied_newcomers(msg, text, ctx.identity)
    newcomers = tuple(dict.fromkeys(written_new + copied))[:3]
    context = _context_of(text)  # an answered question makes a referral of the reading, drafted from this
    return Outcome(Action.FOUND, Understanding(
        kind=Kind.REPLY, confidence=0.9, receiver=ctx.identity.owner, reply_text=text,
        do_not_contact=do_not_contact(text), context=context,
        reasons=("a human reply in a thread",) + (("asks not to be contacted",) if do_not_contact(text) else ())
        + ((f"names someone new by address in its own words: {', '.join(p.email for p in written_new)}",) if written_new else ())
        + ((f"copies in someone from elsewhere and speaks of them: {', '.join(p.email for p in copied)}",) if copied else ()),
        unsure=bool(newcomers),
        readings=(Reading(msg.sender, newcomers, context=context, copied_in=bool(copied)),) if newcomers else ()))


def _written_newcomers(msg: ParsedMessage, text: str, identity: Identity) -> tuple[Person, ...]:
    """Addresses a reply writes out in its own words of people on nothing the thread shows: "his details below,
    E: pete@x", the intro a double opt-in ask promised, made in the answer to it. None without a sender: the
    reading would name nobody who introduced them."""
    if msg.sender is None:
        return ()
    on = {p.email for p in msg.recipients} | on_earlier_messages(msg) | {msg.sender.email}
    return tuple(p for p in written(text) if p.email not in on and not identity.is_ours(p.email))[:3]


def _copied_newcomers(msg: ParsedMessage, text: str, identity: Identity) -> tuple[Person, ...]:
    """People a reply copies onto a thread they were on nowhere before, from another firm than its writer's, and
    names in its own words: "by the way, I add Annika Roos (cc), HR head at our sister company; Annika, Leila is
    who we use", an intro made in passing deep in a thread about something else, in whatever language. Only
    where the message it answers shows who it went to (a header block; an "On ... wrote:" line names only its
    writer, and a prospect answering an intro then seems to copy in its other readers); a colleague looped in
    shares the writer's domain."""
    if msg.sender is None or not msg.embedded or not msg.embedded[0].recipients:
        return ()
    firm = domain_of(msg.sender.email)
    return tuple(p for p in _new_on_thread(msg, identity)
                 if domain_of(p.email) != firm and named_in(text, first_names((p,))))[:3]


STEPS: tuple[Callable[[Context], Outcome], ...] = tuple(_screen_step(fn) for fn in screen.STEPS) + (_intro, _thread)


def _bounded(msg: ParsedMessage, rules: DetectionRules, trail: list[str]) -> ParsedMessage:
    """The message with its text and delivery report cut to the scan limit; each cut goes in the trail."""
    trail.extend(d.removeprefix(CUT_NOTE) for d in msg.defects if d.startswith(CUT_NOTE))
    text, note = bounded(msg.text, rules.max_scan_chars)
    status, status_note = bounded(msg.delivery_status, rules.max_scan_chars)
    trail.extend(n for n in (note, status_note and "delivery report " + status_note) if n)
    if note is None and status_note is None:
        return msg
    return replace(msg, text=text, delivery_status=status)


def understand(msg: ParsedMessage, identity: Identity, rules: DetectionRules, pipe: Pipeline,
               over_budget: Callable[[], bool] = lambda: False) -> Understanding:
    """Run the steps in order; the first that sets the message aside or finds something decides.

    ``pipe`` is the spaCy pipeline built for ``rules`` (refmail.nlp_load, handed in by wiring).

    An exception is not caught here: a bug is no verdict, and the caller quarantines the message.
    `over_budget` is asked between steps (the caller's CPU clock against rules.yaml's budget); when it
    says yes, OverBudget is raised so the message is quarantined rather than read any further.
    """
    trail: list[str] = []
    msg = _bounded(msg, rules, trail)
    unsure, readings = False, ()
    ctx = Context(msg, identity, rules, pipe)
    for step in STEPS:
        if over_budget():
            raise OverBudget(f"reading stopped before step {step.__name__}: over the time budget of "
                             f"{rules.time_budget_seconds:g} s (rules.yaml detection.time_budget_seconds)")
        outcome = step(ctx)
        if outcome.action is Action.CONTINUE:
            if outcome.note:
                trail.append(outcome.note)
            unsure, readings = unsure or outcome.unsure, readings or outcome.readings
            continue
        u = outcome.understanding
        assert u is not None
        if u.kind in (Kind.INTRO, Kind.DOUBLE_OPT_IN_ASK):
            return replace(u, reasons=tuple(trail) + u.reasons)
        return replace(u, reasons=tuple(trail) + u.reasons, unsure=unsure or u.unsure,
                       readings=_merged(readings, u.readings))
    return Understanding(kind=Kind.OTHER, confidence=0.8, reasons=tuple(trail) + ("nothing to act on",),
                         unsure=unsure, readings=readings)


def _merged(first: tuple[Reading, ...], then: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """The earlier step's readings (scored, best first) when it has any, else the later one's; a later reading of
    the same people lends its copied-in mark (a reply copying in the person an unsure intro score names)."""
    if not first:
        return then
    copied = {_pairing(r.referrer, r.prospects) for r in then if r.copied_in}
    return tuple(replace(r, copied_in=r.copied_in or _pairing(r.referrer, r.prospects) in copied) for r in first)


def _pairing(referrer: Person | None, prospects: tuple[Person, ...]) -> tuple[str, tuple[str, ...]]:
    """Who introduced whom, as one key: the same reading however it was come by."""
    return (referrer.email if referrer else "", tuple(sorted(p.email for p in prospects)))


def _person(p) -> dict | None:
    return p.as_dict() if p is not None else None


def understanding_json(file: str, u: Understanding) -> dict:
    """The `refmail parse --json` object for one file (DESIGN.md), plus the extra keys."""
    return {
        "file": file,
        "kind": u.kind.value,
        "is_intro": u.is_intro,
        "confidence": round(float(u.confidence), 3),
        "referrer": _person(u.referrer) if u.kind in (Kind.INTRO, Kind.DOUBLE_OPT_IN_ASK) else None,
        "prospects": [p.as_dict() for p in u.prospects],
        "receiver": _person(u.receiver),
        "context": u.context,
        "urgency": u.urgency.value if u.urgency else None,
        "reasons": list(u.reasons),
        "return_date": u.return_date.isoformat() if u.return_date else None,
        "permanent": u.permanent,
        "do_not_contact": u.do_not_contact,
        "failed_addresses": list(u.failed_addresses),
        "reply_text": u.reply_text,
        "owner_is_referrer": u.owner_is_referrer,
        "prospect_replied": u.prospect_replied,
        "replied_by": _person(u.replied_by),
        "intro_message_id": u.intro_message_id,
        "unsure": u.unsure,
        "readings": [r.as_dict() for r in u.readings],
    }
