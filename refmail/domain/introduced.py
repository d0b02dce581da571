"""Which of the people an intro addresses it introduces: each one's cues, and the fitted model's verdict.

Someone copied on an intro is often not introduced: the referrer's colleague, the prospect's, the person
who suggested it ("Yamamoto-san (in cc) kindly suggested I write"), the one "you know already". The
words around where the text names each person say which; how much each word counts is learnt from the
labelled corpora (refmail.training), not set here.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Mapping

from refmail.domain.mailboxes import colleagues, domain_of, is_free_mail
from refmail.domain.mailtext import CJK, LETTERS, character_pairs
from refmail.domain.scoring import PersonModel
from refmail.domain.types import Person

_GENERIC = re.compile(r"(?i)^(?:info|office|sales|support|team|hello|contact|admin|desk|leads|intake|bd|ops|"
                      r"referrals?|assistant|asistente|secretar\w*|segreteria|recep\w*|partnering|missions)\b")
WINDOW = 4  # words each side of a mention
# Words that, near where the text names someone, say what she is there for. Each group is one cue whose
# weight is learnt, so a writer who says "PA" and one who says "Sekretärin" teach the same thing; the
# single words around a mention (above) are cues of their own too.
GROUPS = {
    "helper": frozenset("""assistant assistants ea pa secretary secretariat diary calendar scheduling schedule coordinate
        coordinates coordinating coordination logistics visibility fyi informed office manager chief staff
        assistentin assistent assistente asistente asistenta sekretärin sekretariat secrétaire secretaria secretária
        segretaria sekretarka asystentka ассистент ассистента помощник помощница секретарь агенда agenda""".split()),
    "copied": frozenset("""copied copying copy cc cced ccing looped looping loop kopie kopii kopia kopiona
        copia copie copiado copiada copiata kopiji копии копію 참조 抄送 副本 bcc""".split()),
    "suggested": frozenset("""suggested suggest recommended recommend referred told mentioned passed kindly asked
        empfohlen vorgeschlagen sugirió sugeriu recomendación recomendação recommandé suggéré consigliato
        polecił poleciła doporučil suositteli предложил посоветовал порекомендовал""".split()),
    "known": frozenset("""already know knows known kennt kennen connaissez connais conoces conocen conhece
        conosci znacie знаете знакомы""".split()),
    "introduced": frozenset("""introduce introducing introduction meet meeting present presenting vorstellen vorstellung
        présenter présente presentar presento presentare apresentar przedstawić przedstawiam představit
        познакомить представить представляю""".split()),
}
GROUP_WINDOW = 8
MENTIONS = 3  # the first few mentions say how someone is brought in; later ones add little
TEXT = 8000


@dataclass(frozen=True)
class Setting:
    """What every person of one intro shares: its text, read once, and who wrote it."""

    words: tuple[str, ...]  # the text's words, lower-cased
    at: Mapping[str, tuple[int, ...]]  # each word's places in words: a person's mentions without a scan each
    unspaced: tuple[int, ...]  # the places of words in an unspaced script, where a name sits inside a word
    text: str  # lower-cased
    subject: str  # lower-cased
    referrer: Person | None
    owner: Person
    owner_is_referrer: bool
    to: frozenset[str]
    cc: frozenset[str]
    names: frozenset[str]  # every name token of the people involved: "xxname" in a window
    # Everyone on the earlier messages the intro quotes (writers and readers); empty when it quotes none.
    # Made in passing on a project thread, an intro introduces the newcomer, not the thread's regulars.
    earlier: frozenset[str] = frozenset()

    @classmethod
    def of(cls, body: str, subject: str, referrer: Person | None, owner: Person, owner_is_referrer: bool,
           to: frozenset[str], cc: frozenset[str], names: frozenset[str],
           earlier: frozenset[str] = frozenset()) -> Setting:
        text = body[:TEXT].lower()
        words = tuple(LETTERS.findall(text))
        at: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(words):
            at[w].append(i)
        return cls(words, {w: tuple(places) for w, places in at.items()}, tuple(i for i, w in enumerate(words) if CJK.search(w)),
                   text, subject.lower(), referrer, owner, owner_is_referrer, to, cc, names, earlier)


def _window(tokens: tuple[str, ...], names: frozenset[str]) -> list[str]:
    out = []
    for t in tokens:
        if t in names:
            out.append("xxname")
        elif CJK.search(t):
            out += character_pairs(t)  # unspaced
        else:
            out.append(t)
    return out


def _spots(tokens: set[str], s: Setting) -> list[int]:
    """Where the text names someone: the indexes of the words that are (or, unspaced, hold) her name."""
    places = {i for t in tokens for i in s.at.get(t, ())}
    unspaced = [t for t in tokens if CJK.search(t)]
    if unspaced:
        places.update(i for i in s.unspaced if any(t in s.words[i] for t in unspaced))
    return sorted(places)


def pool_cues(pool: tuple[Person, ...], tokens: list[set[str]], s: Setting, rule_kept: list[bool]) -> list[dict[str, float]]:
    """The cue values of each addressed person. ``tokens``: the name words the text may call each by;
    ``rule_kept``: the hand rules' verdicts (named in the text, not on the owner's side).

    When the owner writes (her own intro, or introducing herself at someone's suggestion) the same words
    mean something else: "copied" there is the person who suggested it, so each cue is also read as hers.
    """
    # People who share their name words share where the text names them: read once per name, not per person
    # (a thousand copied "Maria"s, each named wherever any is, was a scan of every mention for each of them).
    reading: dict[frozenset[str], Mentions] = {}
    mentioned: list[Mentions] = []
    for t in map(frozenset, tokens):
        if t not in reading:
            reading[t] = Mentions.of(_spots(t, s), s)
        mentioned.append(reading[t])
    spots = [m.spots for m in mentioned]
    greeted = [bool(sp) and sp[0] < 3 for sp in spots]
    anyone_greeted = any(greeted)
    firsts = sorted(sp[0] if sp else len(s.words) for sp in spots)
    # Counted once for the pool, not per person: a message may address thousands.
    entries = Counter(domain_of(q.email) for q in pool)
    people = Counter(domain_of(e) for e in {q.email for q in pool})
    out = []
    for person, m, was_greeted, kept in zip(pool, mentioned, greeted, rule_kept):
        f = _cues(person, m, len(pool), s, kept)
        domain = domain_of(person.email)
        f["pool_colleague"] = float(people[domain] > 1 and not is_free_mail(person.email))
        f["same_domain_as_another"] = float(entries[domain] > 1)
        f["greeted"] = float(was_greeted)
        f["another_greeted"] = float(not was_greeted and anyone_greeted)
        f["mention_rank"] = bisect_left(firsts, m.spots[0] if m.spots else len(s.words)) / (len(pool) - 1)
        if s.owner_is_referrer:
            f.update({"o:" + k: v for k, v in f.items() if k not in ("bias_person", "owner_is_referrer")})
        out.append(f)
    return out


def _cues(person: Person, m: Mentions, pool_size: int, s: Setting, rule_kept: bool) -> dict[str, float]:
    spots, mentions = m.spots, m.runs
    f: dict[str, float] = {"bias_person": 1.0, "rule_kept": float(rule_kept), "pool_inverse": 1.0 / pool_size,
                           "to": float(person.email in s.to), "cc": float(person.email in s.cc),
                           "display_name": float(bool(person.name)),
                           "generic_address": float(bool(_GENERIC.match(person.email))),
                           "address_in_text": float(person.email in s.text),
                           "owner_is_referrer": float(s.owner_is_referrer),
                           "on_the_thread_before": float(person.email in s.earlier),
                           "new_to_the_thread": float(bool(s.earlier) and person.email not in s.earlier)}
    if s.referrer is not None:
        f["referrer_colleague"] = float(colleagues(person.email, s.referrer.email))
    f["owner_colleague"] = float(colleagues(person.email, s.owner.email))
    f["in_subject"] = float(any(s.words[i] in s.subject for i in spots[:1]))
    f["mentions"] = math.log1p(len(mentions))
    # Named in full somewhere ("Rachel Kim", or 석지훈 written whole), not only by a first name.
    whole = "".join(person.name.lower().split())
    f["named_in_full"] = float(m.in_full or bool(whole) and whole in m.single_words)
    f["first_mention"] = spots[0] / max(1, len(s.words)) if spots else 1.0
    for start, end in mentions[:MENTIONS]:
        for side, words in (("b", s.words[max(0, start - WINDOW):start]), ("a", s.words[end + 1:end + 1 + WINDOW])):
            for w in _window(words, s.names):
                f[f"{side}:{w}"] = 1.0
        for side, words in (("b", s.words[max(0, start - GROUP_WINDOW):start]),
                            ("a", s.words[end + 1:end + 1 + GROUP_WINDOW])):
            near = set(words)
            for group, lexicon in GROUPS.items():
                if near & lexicon:
                    f[f"{side}:near_{group}"] = 1.0
    return f


@dataclass(frozen=True)
class Mentions:
    """Where the text names one set of name words: its places, the runs they make, and what those runs say."""

    spots: list[int]
    runs: list[tuple[int, int]]
    in_full: bool  # some run is two words or more ("Rachel Kim")
    single_words: frozenset[str]  # the words of the one-word runs (석지훈 written whole)

    @classmethod
    def of(cls, spots: list[int], s: Setting) -> Mentions:
        runs = _mentions(spots)
        return cls(spots, runs, any(end > start for start, end in runs),
                   frozenset(s.words[start] for start, end in runs if end == start))


def _mentions(spots: list[int]) -> list[tuple[int, int]]:
    """Each time the text names her: a run of her name's words ("Rachel Kim") is one mention, read around as a
    whole. Read word by word, a two-word name was two mentions, each with the other half beside it as a
    name: a cue Western names got for free and a one-word name (석지훈, 王芳) never did."""
    out: list[tuple[int, int]] = []
    for i in spots:
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def choose(pool: tuple[Person, ...], pool_cues: list[Mapping[str, float]], model: PersonModel) -> tuple[Person, ...]:
    """The people the model reads as introduced; never nobody (an intro introduces someone)."""
    if len(pool) < 2:
        return pool
    odds = [model.probability(c) for c in pool_cues]
    kept = tuple(p for p, o in zip(pool, odds) if o >= model.threshold)
    return kept or (pool[odds.index(max(odds))],)
