"""Is this text an introduction, or a double opt-in ask? spaCy matches + header evidence -> score and evidence."""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

from refmail.domain.mailtext import display_words, first_names, is_reply_subject
from refmail.domain.nlp import Analysis, ClassifierText, Pipeline, analysed, classifier_text, textcat_scores, window
from refmail.domain.scoring import score, text_model_features
from refmail.domain.types import Person

_WORD = re.compile(r"\w+")
# Words after "meet" that make it a meeting, not a person: "meet Tuesday", "meet tomorrow", "meet us".
_NOT_A_PERSON = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
                 "march", "april", "june", "july", "august", "september", "october", "november", "december", "me",
                 "us", "the", "our", "you", "with", "up", "everyone", "all", "today", "tomorrow", "tonight", "next",
                 "this", "later", "soon", "again"}
_SUBJECT_INTRO = re.compile(
    r"\b(intro|intros|introduction|introductions|introducing|e-?intro|connecting you|connect(ing)? (with|two)|"
    r"meet (?!(?:" + "|".join(sorted(_NOT_A_PERSON)) + r")\b)\w+|you should meet|should (know|meet)|know each other|connection|kennenlernen|mise en relation|presentaci[oó]n)\b|<>|<->|(?<=\w)\s[&+]\s(?=\w)",
    re.IGNORECASE,
)  # "&" and "+" pair two words ("Ana + Ben"); after punctuation they add news ("Happy New Year! + our changes")
_SUBJECT_ASK = re.compile(r"\b(intro|introduction) (to|request)\b.*\?|open to|interested in|\bintro\?", re.IGNORECASE)
_LINE_MEET = re.compile(r"^[^\S\n]*+(?:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s*[,:-]?\s*)?meet\s+[A-Z][\w'’-]*", re.MULTILINE)
_NEWSLETTER = re.compile(r"unsubscribe|view (this email )?in (your )?browser|manage (your )?preferences|"
                         r"you are receiving this|newsletter|webinar", re.IGNORECASE)
# Someone handing over an account or a role to a successor ("Wiebe takes over from me as your account manager"):
# it names the people of an intro, and introduces no one to do business with. Its weight is fit like every cue's.
_HANDOVER = re.compile(
    r"\btak(?:e|es|ing|en)\s+over\s+(?:from|my|the|your|as)\b|\bhand-?over\b|"
    r"\bhand(?:s|ing|ed)?\s+over\s+(?:my|the|our|your)\s+(?:accounts?|portfolio|clients?|responsibilit|relationship)|"
    r"\bnew\s+(?:key\s+)?(?:account|relationship)\s+(?:manager|executive|lead|director)\b|"
    r"\byour\s+new\s+(?:main\s+|primary\s+|day-to-day\s+)?(?:point\s+of\s+contact|contact\s+person|account|relationship"
    r"|advis[eo]r)\b|\bmy\s+successor\b|\bmy\s+last\s+day\b|"
    r"\bübernimmt\b|\bnachfolger(?:in)?\b|\bneue[rn]?\s+ansprechpartner(?:in)?\b|\bübergabe\b|"
    r"\breprend(?:ra)?\s+(?:le\s+suivi|vos\s+dossiers|votre\s+compte|mes\s+dossiers)|\bmon\s+successeur\b|"
    r"\bma\s+successeure?\b|\bnouvel(?:le)?\s+interlocut(?:eur|rice)\b|\bpassation\b|"
    r"\bsucesor(?:a)?\b|\bsucessor(?:a)?\b|\btraspaso\b|\bnuev[oa]\s+(?:ejecutiv[oa]|gestor(?:a)?)\s+de\s+cuenta|"
    r"\bpassagem\s+de\s+pasta\b|\bstokje\s+over\b|\bnieuwe\s+accountmanager\b|\bopvolger\b|\boverdracht\b|"
    r"\bsubentr(?:a|erà|ato|ata)\b|\bpasso\s+di\s+consegne\b|\bnuovo\s+referente\b",
    re.IGNORECASE)
# The boilerplate a calendar invitation or a video call puts in the text (Teams, Zoom, Meet, Webex), in the
# languages their invitations ship in: a meeting set between the people named, not an intro of them.
_MEETING_INVITATION = re.compile(
    r"microsoft teams|join (?:the|this|zoom|teams|microsoft|google)?\s*(?:meeting|call)|meeting id|passcode|"
    r"zoom\.us/j|meet\.google\.com|webex|join by phone|dial[- ]in|besprechungs-id|an der besprechung teilnehmen|"
    r"kenncode|id de (?:la )?réunion|rejoindre la réunion|code secret|id de reunión|unirse a la reunión|"
    r"id riunione|partecipa alla riunione|id da reunião|ingressar na reunião|vergadering-id|deelnemen aan vergadering|"
    r"mødedeltagelses|deltag i mødet|möte-id|anslut till mötet|identyfikator spotkania|dołącz do spotkania|"
    r"идентификатор собрания|присоединиться к собранию|ідентифікатор наради|приєднатися до наради", re.IGNORECASE)
# Every phrase above holds one of these, and none is longer than _NEAR: the pattern is tried only around
# them (tried at every place of a long text, its many phrases cost 3 ms a 20 KB body).
_MEETING_ANCHORS = ("teams", "meeting", "join", "passcode", "zoom.us", "meet.google", "webex", "dial", "besprechung",
                    "kenncode", "réunion", "code secret", "reunión", "riunione", "reunião", "vergadering", "møde",
                    "möte", "spotkania", "собрани", "наради")
_NEAR = 64
# The time-and-place block an Outlook meeting request (and many calendars) writes into the body, in the
# languages its interface ships in: "When: Tuesday 25 March 7:30 ... / Where: Hotel lobby". An intro leaves
# the meeting to the people it introduces; the "When" line must hold a digit (a date or a time).
_WHEN = ("when|wann|quand|cu[aá]ndo|quando|wanneer|hvornår|när|når|kiedy|kdy|kedy|milloin|mikor|c[aâ]nd|πότε|"
         "когда|коли|ne zaman|kapan|waktu|jadwal|thời gian|日時|日时|时间|時間|일시|מתי")
_WHERE = ("where|wo|ort|où|lieu|d[oó]nde|ubicaci[oó]n|dove|luogo|onde|local|waar|locatie|hvor|sted|var|plats|gdzie|"
          "miejsce|kde|místo|miesto|missä|paikka|hol|helyszín|unde|locație|πού|где|место|де|місце|nerede|yer|"
          "di mana|tempat|lokasi|địa điểm|場所|地点|地點|장소|היכן|מיקום")
_TIME_AND_PLACE = re.compile(
    rf"^[^\S\n]*(?:{_WHEN})[^\S\n]*[:：][^\n]*\d[^\n]*\n(?:[^\n]*\n){{0,3}}?[^\S\n]*(?:{_WHERE})[^\S\n]*[:：]",
    re.IGNORECASE | re.MULTILINE)


def _meeting_invitation(body: str) -> bool:
    low = body[:20000].lower()
    for anchor in _MEETING_ANCHORS:
        at = low.find(anchor)
        while at >= 0:
            if _MEETING_INVITATION.search(low, max(0, at - _NEAR), at + len(anchor) + _NEAR):
                return True
            at = low.find(anchor, at + 1)
    return False




@dataclass(frozen=True)
class Detection:
    """How much a text reads as an intro and as a double opt-in ask, and why.

    ``strong`` says the text itself has intro wording, which a quoted or answering candidate needs.
    """

    intro: float
    ask: float
    evidence: tuple[str, ...]
    strong: bool = False




@lru_cache(maxsize=512)
def _pair_patterns(usable: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compiled once per set of names: Python's own regex cache is too small for every message's names."""
    alt = "|".join(re.escape(n) for n in usable)
    connected = rf"(?i)\b({alt})\s*[,:;\-–—]?\s*(?:meet|this is|please meet|say hi to)\s+({alt})\b"
    vocative = rf"(?im)(?:^|[.!?]\s|[-–—]\s|\b(?:hi|hey|dear|hello)\s+)\s*({alt})\s*[,:;\-–—]\s*({alt})\s*(?:[!.:\-–—]|$)"
    return (("INTRO", re.compile(connected)), ("WEAK", re.compile(vocative)))


def _name_pair(text: str, names: set[str]) -> tuple[str, str]:
    """Two addressed people named vocative-style: "Carol, meet Olivia", "olivia, this is Carol", "Carol, Olivia -"."""
    usable = tuple(sorted((n for n in names if len(n) > 2), key=lambda n: (-len(n), n)))
    if len(usable) < 2:
        return "", ""
    for strength, pattern in _pair_patterns(usable):
        for match in pattern.finditer(text):
            if match.group(1).lower() != match.group(2).lower():
                return strength, match.group(0).strip()
    return "", ""


def _named_party(span, names: set[str]) -> bool:
    return any(t.is_title and t.lower_ in names for t in span)


def _hits(pipe: Pipeline, doc, cues, names: set[str]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The Matcher's cue hits, each kept only where its shape really holds for the people addressed,
    and how many intro hits came from each kind of pattern (the model weighs them apart)."""
    hits: dict[str, list[str]] = {}
    origins = {"INTRO": 0, "INTRO_PAIR": 0, "INTRO_NAMED": 0}
    for label, start, end in cues:
        span = doc[start:end]
        if label == "ASK" and end < len(doc) and doc[end].lower_ in ("me", "us", "myself", "ourselves"):
            continue  # "would you be willing to introduce me": a request for an intro, not an offer of one
        if label == "INTRO" and span[-1].is_title and span[-1].lower_ in _NOT_A_PERSON:
            continue
        if label == "INTRO_PAIR" and len({t.lower_ for t in span if t.is_title and t.lower_ in names}) < 2:
            continue
        if label == "INTRO_NAMED" and not _named_party(span, names):
            continue
        if label in origins:
            origins[label] += 1
            label = "INTRO"
        hits.setdefault(label, []).append(span.text)
    return hits, origins


def _subject_cues(pipe: Pipeline, subject: str, names: set[str], hits: dict[str, list[str]],
                  memo: dict[str, Analysis] | None = None) -> dict[str, float]:
    found = {"subject_intro": 0.0, "subject_pairs": 0.0, "subject_intro_wording": 0.0}
    # A reply's subject is the thread's: its wording is evidence for the quoted message, not for the new text.
    if subject and not is_reply_subject(subject):
        subject_doc, cues = analysed(pipe, subject, memo)
        for label, start, end in cues:
            if label == "INTRO" and subject_doc[end - 1].lower_ not in _NOT_A_PERSON:
                hits.setdefault("INTRO", []).append("subject: " + subject_doc[start:end].text)
                found["subject_intro_wording"] = 1.0
    if _SUBJECT_INTRO.search(subject) and not _SUBJECT_ASK.search(subject):
        found["subject_intro"] = 1.0
    elif "/" in subject and any(n in subject.lower() for n in names):
        found["subject_pairs"] = 1.0
    return found


def named_in(text: str, names: set[str]) -> list[str]:
    """The names (lower-case) a text calls someone by."""
    lowered = text.lower()
    words = set(_WORD.findall(lowered))  # a name of word characters is named iff it is one whole word
    return [n for n in names if (n in words if _WORD.fullmatch(n) else re.search(rf"\b{re.escape(n)}\b", lowered))]


@dataclass(frozen=True)
class Cues:
    """Facts about one candidate text: named cue values for the model, their words for the trail."""

    features: dict[str, float]
    evidence: tuple[str, ...]
    strong: bool
    model_text: ClassifierText = ClassifierText()  # what the text classifier reads; training learns from it


def detect(pipe: Pipeline, subject: str, body: str, parties: tuple[Person, ...],
           setting: dict[str, float] | None = None, memo: dict[str, Analysis] | None = None,
           owner: Person | None = None) -> Detection:
    """Score ``body`` (the new text only) as an intro of ``parties`` (everyone addressed but the writer).

    ``setting`` holds cues about where the text sits (forwarded by the owner, quoted, ...): pipeline.setting.
    """
    cues = read_cues(pipe, subject, body, parties, memo, owner)
    features = model_features(cues.features, setting or {})
    intro, ask = score(pipe.model, features, ask_possible=len(parties) < 2)
    return Detection(round(intro, 3), round(ask, 3), cues.evidence, strong=cues.strong)


def model_features(text: dict[str, float], setting: dict[str, float]) -> dict[str, float]:
    """The text's cues and the candidate's setting, as the model weighs them (training reads the same).

    A reply in a thread is mostly an answer, and the model learns so; but a reply that introduces in so
    many words ("Reviving this thread to introduce you to Carol", "Carol, meet Olivia") is read on its
    words, as the intro step's gate already demands of it: the thread cues are left out for it.
    """
    features = {**text, **setting}
    if text.get("intro_phrase") or text.get("names_paired"):
        features["direct_in_thread"] = features["subject_is_reply"] = 0.0
    return features


def read_cues(pipe: Pipeline, subject: str, body: str, parties: tuple[Person, ...],
              memo: dict[str, Analysis] | None = None, owner: Person | None = None) -> Cues:
    """The cues are facts about the text; how much each counts is the fitted model's business, not this function's.

    ``owner``: whose mailbox it is. The classifier reads her name as its own placeholder: "Brad, meet Marco
    (xxowner, FYI)" is two others introduced; "xxowner, meet Marco" is her intro.
    """
    text = window(body)
    doc, cues = analysed(pipe, text, memo)
    names = first_names(parties)
    hits, origins = _hits(pipe, doc, cues, names)
    meet_line = _LINE_MEET.search(text)
    meet_line = meet_line.group(0).strip() if meet_line else ""
    if meet_line and meet_line.split()[-1].lower() not in _NOT_A_PERSON and "meet" in meet_line.lower():
        hits.setdefault("INTRO", []).append(meet_line)
    else:
        meet_line = ""
    features = _subject_cues(pipe, subject, names, hits, memo)
    strength, pair = _name_pair(text, names)
    if pair:
        hits.setdefault(strength, []).append(pair)
    strong_hits = list(dict.fromkeys(hits.get("INTRO", [])))
    weak_hits = list(dict.fromkeys(hits.get("WEAK", [])))
    named = named_in(text, names)
    asks = bool(hits.get("ASK"))
    # The subject is where a hand-over is most often announced ("Your new account manager: Deniz Yurt").
    handover = _HANDOVER.search(subject) or _HANDOVER.search(text)
    if handover:
        hits["HANDOVER"] = [handover.group(0)]
    features.update({
        "intro_wording": float(bool(strong_hits)),
        "more_intro_wording": float(min(max(len(strong_hits) - 1, 0), 2)),
        "intro_phrase": float(origins["INTRO"] > 0),
        "names_paired": float(origins["INTRO_PAIR"] > 0 or strength == "INTRO"),
        "names_paired_loosely": float(strength == "WEAK"),
        "named_and_looped_in": float(origins["INTRO_NAMED"] > 0),
        "meet_line": float(bool(meet_line)),
        "handoff_wording": float(bool(weak_hits)),
        "thanks_for_intro": float(bool(hits.get("THANKS"))),
        "names_both": float(len(named) >= 2),
        "names_one": float(len(named) == 1),
        "fewer_than_two_addressed": float(len(parties) < 2),
        "two_addressed": float(len(parties) == 2),
        # A double opt-in ask goes to one side alone; an intro wording with both sides on the mail is an intro.
        "asks_one_side_alone": float(asks and len(parties) < 2),
        "intro_phrase_both_sides": float(origins["INTRO"] > 0 and len(parties) >= 2),
        "ask_wording": float(asks),
        "ask_question": float(asks and "?" in text),
        "ask_without_intro": float(asks and (len(parties) < 2 or not strong_hits)),
        "self_or_other_intro": float(bool(hits.get("SELF"))),
        "meet_other_sense": float(bool(hits.get("MEET_OTHER")) and not strong_hits),
        "newsletter": float(bool(_NEWSLETTER.search(text))),
        "meeting_invitation": float(_meeting_invitation(body)),
        "meeting_time_and_place": float(bool(_TIME_AND_PLACE.search(text))),
        "handover_wording": float(bool(handover)),
    })
    evidence = _evidence(hits, strong_hits, weak_hits, features, subject, named)
    masks = names | display_words(parties)
    # The subject first: "Intro: Carol <> Olivia" says what a two-word body ("Olivia, meet Carol.") is.
    owner_words = display_words((owner,)) | first_names((owner,)) if owner is not None else set()
    model_text = classifier_text(pipe.nlp.make_doc(subject), doc, masks, owner_words)
    text_model = textcat_scores(pipe, model_text)
    if text_model:
        features.update(text_model_features(text_model))
        evidence.append(f"text model: intro {text_model['textcat_intro']:.2f}, ask {text_model['textcat_ask']:.2f}")
    return Cues(features, tuple(evidence), bool(strong_hits), model_text)


def _evidence(hits, strong_hits, weak_hits, features, subject, named) -> list[str]:
    """The why-trail in words (`refmail parse` "reasons"): which cues held, not how much each weighed."""
    evidence = []
    if strong_hits:
        evidence.append("intro wording: " + "; ".join(repr(h) for h in strong_hits[:3]))
    if weak_hits:
        evidence.append("hand-off wording: " + "; ".join(repr(h) for h in weak_hits[:2]))
    if hits.get("THANKS"):
        evidence.append("thanks for an intro already made: " + repr(hits["THANKS"][0]))
    if features["subject_intro"]:
        evidence.append(f"subject reads as an intro: {subject!r}")
    elif features["subject_pairs"]:
        evidence.append(f"subject pairs names: {subject!r}")
    if len(named) >= 2:
        evidence.append("names both parties: " + ", ".join(sorted(named)))
    if features["fewer_than_two_addressed"]:
        evidence.append("fewer than two people addressed")
    if hits.get("ASK"):
        evidence.append("asks before introducing: " + "; ".join(repr(h) for h in hits["ASK"][:2]))
    if hits.get("SELF"):
        evidence.append("introduces itself or something else: " + "; ".join(repr(h) for h in hits["SELF"][:2]))
    if features["meet_other_sense"]:
        evidence.append("'meet' in another sense: " + repr(hits["MEET_OTHER"][0]))
    if hits.get("HANDOVER"):
        evidence.append("hands over an account or a role: " + repr(hits["HANDOVER"][0]))
    if features["newsletter"]:
        evidence.append("reads like a newsletter")
    if features["meeting_invitation"]:
        evidence.append("carries a meeting invitation's join details")
    if features["meeting_time_and_place"]:
        evidence.append("sets a meeting's time and place (When: / Where:)")
    return evidence
