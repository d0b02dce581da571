"""Is this text an introduction, or a double opt-in ask? spaCy matches + header evidence -> score and evidence."""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

from refmail.domain.nlp import Pipeline, analysed, window
from refmail.domain.types import Person

_WORD = re.compile(r"\w+")
# Words after "meet" that make it a meeting, not a person: "meet Tuesday", "meet tomorrow", "meet us".
_NOT_A_PERSON = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
                 "march", "april", "june", "july", "august", "september", "october", "november", "december", "me",
                 "us", "the", "our", "you", "with", "up", "everyone", "all", "today", "tomorrow", "tonight", "next",
                 "this", "later", "soon", "again"}
_SUBJECT_INTRO = re.compile(
    r"\b(intro|intros|introduction|introductions|introducing|e-?intro|connecting you|connect(ing)? (with|two)|"
    r"meet (?!(?:" + "|".join(sorted(_NOT_A_PERSON)) + r")\b)\w+|you should meet|should (know|meet)|know each other|connection|kennenlernen|mise en relation|presentaci[oó]n)\b|<>|<->|\s&\s|\s\+\s",
    re.IGNORECASE,
)
_SUBJECT_ASK = re.compile(r"\b(intro|introduction) (to|request)\b.*\?|open to|interested in|\bintro\?", re.IGNORECASE)
_LINE_MEET = re.compile(r"^[^\S\n]*+(?:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s*[,:-]?\s*)?meet\s+[A-Z][\w'’-]*", re.MULTILINE)
_NEWSLETTER = re.compile(r"unsubscribe|view (this email )?in (your )?browser|manage (your )?preferences|"
                         r"you are receiving this|newsletter|webinar", re.IGNORECASE)


_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw|réf|rif|r)\s*(\[\d+\])?\s*:", re.IGNORECASE)
_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "herr", "frau", "mme", "m", "sr", "sra"}


@dataclass(frozen=True)
class Detection:
    """How much a text reads as an intro and as a double opt-in ask, and why."""

    intro: float
    ask: float
    evidence: tuple[str, ...]
    strong: bool = False


def first_names(people: tuple[Person, ...]) -> set[str]:
    names = set()
    for p in people:
        words = [w for w in p.name.split() if w.lower().rstrip(".") not in _HONORIFICS]
        if words:
            names.add(words[0].lower())
        local = re.split(r"[._+-]", p.email.split("@")[0])[0]
        if len(local) > 2 and local.isalpha():
            names.add(local.lower())
    return names


def doc_subject_text(subject: str, start: int, end: int, pipe: Pipeline) -> str:
    return "subject: " + pipe.nlp.make_doc(subject)[start:end].text


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


def detect(pipe: Pipeline, subject: str, body: str, parties: tuple[Person, ...]) -> Detection:
    """Score ``body`` (the new text only) as an intro of ``parties`` (everyone addressed but the writer)."""
    text = window(body)
    doc, cues = analysed(pipe, text)
    strings = pipe.nlp.vocab.strings
    hits: dict[str, list[str]] = {}
    names = first_names(parties)
    for label, start, end in cues:
        span = doc[start:end]
        if label == "ASK" and end < len(doc) and doc[end].lower_ in ("me", "us", "myself", "ourselves"):
            continue  # "would you be willing to introduce me": a request for an intro, not an offer of one
        if label == "INTRO" and span[-1].is_title and span[-1].lower_ in _NOT_A_PERSON:
            continue
        if label == "INTRO_PAIR":
            if len({t.lower_ for t in span if t.is_title and t.lower_ in names}) < 2:
                continue
            label = "INTRO"
        if label == "INTRO_NAMED":
            if not _named_party(span, names):
                continue
            label = "INTRO"
        hits.setdefault(label, []).append(span.text)
    if _LINE_MEET.search(text):
        line = _LINE_MEET.search(text).group(0).strip()
        if line.split()[-1].lower() not in _NOT_A_PERSON and "meet" in line.lower():
            hits.setdefault("INTRO", []).append(line)
    evidence: list[str] = []
    intro = ask = 0.0
    # A reply's subject is the thread's: its wording is evidence for the quoted message, not for the new text.
    if subject and not _REPLY_PREFIX.match(subject):
        subject_doc = pipe.nlp.make_doc(subject)
        for match_id, start, end in pipe.matcher(subject_doc):
            if strings[match_id] == "INTRO" and subject_doc[end - 1].lower_ not in _NOT_A_PERSON:
                hits.setdefault("INTRO", []).append(doc_subject_text(subject, start, end, pipe))
    strength, pair = _name_pair(text, names)
    if pair:
        hits.setdefault(strength, []).append(pair)
    strong_hits = list(dict.fromkeys(hits.get("INTRO", [])))
    if strong_hits:
        intro += 0.55 + 0.1 * min(len(strong_hits) - 1, 2)
        evidence.append("intro wording: " + "; ".join(repr(h) for h in strong_hits[:3]))
    weak_hits = list(dict.fromkeys(hits.get("WEAK", [])))
    if weak_hits:
        intro += 0.2
        evidence.append("hand-off wording: " + "; ".join(repr(h) for h in weak_hits[:2]))
    if hits.get("THANKS"):
        intro -= 0.25
        evidence.append("thanks for an intro already made: " + repr(hits["THANKS"][0]))
    if _SUBJECT_INTRO.search(subject) and not _SUBJECT_ASK.search(subject):
        intro += 0.3
        evidence.append(f"subject reads as an intro: {subject!r}")
    elif "/" in subject and len([n for n in names if n in subject.lower()]) >= 1:
        intro += 0.25
        evidence.append(f"subject pairs names: {subject!r}")
    lowered = text.lower()
    words = set(_WORD.findall(lowered))  # a name of word characters is named iff it is one whole word
    named = [n for n in names if (n in words if _WORD.fullmatch(n) else re.search(rf"\b{re.escape(n)}\b", lowered))]
    if len(named) >= 2:
        intro += 0.15
        evidence.append("names both parties: " + ", ".join(sorted(named)))
    elif len(named) == 1:
        intro += 0.05
    if len(parties) < 2:
        intro -= 0.35
        evidence.append("fewer than two people addressed")
    if hits.get("ASK"):
        ask = 0.6 + (0.2 if "?" in text else 0.0)
        evidence.append("asks before introducing: " + "; ".join(repr(h) for h in hits["ASK"][:2]))
        intro -= 0.25 if len(parties) < 2 or not strong_hits else 0.1
    if hits.get("SELF"):
        intro -= 0.45
        ask -= 0.3
        evidence.append("introduces itself or something else: " + "; ".join(repr(h) for h in hits["SELF"][:2]))
    if hits.get("MEET_OTHER") and not strong_hits:
        intro -= 0.1
        evidence.append("'meet' in another sense: " + repr(hits["MEET_OTHER"][0]))
    if _NEWSLETTER.search(text):
        intro -= 0.4
        evidence.append("reads like a newsletter")
    return Detection(round(max(0.0, min(1.0, intro)), 3), round(max(0.0, min(1.0, ask)), 3),
                     tuple(evidence), strong=bool(strong_hits))
