"""What the intro says about the prospect, as one sentence in the owner's voice, or nothing.

The first touch must never paste the intro: its greeting, its praise of the owner and its sign-off
are the referrer's words to other people. What is worth repeating is the one clause about the
prospect ("Carol runs operations at Petrov Tech"), turned to the second person ("you run
operations at Petrov Tech") and attributed ("Alice mentioned that ..."). Anything this cannot turn
cleanly (first-person asides, praise that mentions the owner, another language) gives "", and the
template then says nothing rather than something odd.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from refmail.domain import foreign_words
from refmail.domain.mailtext import NOT_AN_END

# A copied run this long would be pasting, not rephrasing (issue 10).
MAX_COPIED_RUN = 12
MAX_CLAUSE_WORDS = 14

_SEGMENT = re.compile(NOT_AN_END + r"(?<=[.!?;])\s+"
                      r"|\s+[-\u2013\u2014]+\s+|\s*;\s*")
_CUT = re.compile(r"(?<!\d),|,(?!\d)|;|:|\(|\bbut\b|\bso\b|\bbecause\b|\bsince\b|\bwhich\b|\bwho\b|\bwhere\b|\bwhen\b"
                  r"|\bthough\b|\balthough\b|\bwhile\b|\bafter\b|\bas discussed\b|\bas promised\b", re.IGNORECASE)
# Words that speak of the referrer or the owner, or address someone: the clause is not about the prospect alone.
_OTHERS = {"i", "i'm", "i'd", "i've", "i'll", "me", "my", "mine", "myself", "we", "we're", "we've", "us", "our",
           "ours", "you", "your", "you're", "yours", "you've", "you'd", "yourself", "she", "he", "they", "she's",
           "he's", "they're", "it's", "both", "each", "other", "two", "three", "meet", "introduce", "introducing",
           "intro", "connect", "connecting", "recommend", "recommended", "trust", "talk", "chat"}
# Written in lower case, these end the clause too: what follows is the referrer's tie to the prospect ("a good
# friend"), her praise ("a force of nature", "very efficient"), something the prospect lacks ("has never
# shipped ..."), or someone else ("selling them", "knows him"). Repeated to the prospect, each reads oddly.
_ASIDES = {"friend", "friends", "colleague", "colleagues", "classmate", "classmates", "neighbour", "neighbor",
           "cousin", "mentor", "mentee", "buddy", "mate", "very", "really", "super", "incredibly", "incredible",
           "amazing", "brilliant", "great", "best", "fantastic", "awesome", "wonderful", "legend", "genius", "force",
           "outstanding", "excellent", "terrific", "phenomenal", "not", "never", "no", "nothing", "none", "neither",
           "nor", "cannot", "can't", "don't", "doesn't", "isn't", "hasn't", "haven't", "hadn't", "wasn't",
           "weren't", "won't", "wouldn't", "didn't", "them", "him", "it", "he'd", "she'd", "they'd", "he'll", "she'll",
           "they'll", "children", "child", "kids", "son", "daughter", "wife", "husband", "born", "married", "pregnant",
           "baby", "grandchildren", "woman", "man", "lady", "guy", "bloke", "chap", "gentleman", "girl", "boy", "lad",
           "lass", "client"}
_POSSESSIVE = {"their": "your", "her": "your", "his": "your", "theirs": "yours", "hers": "yours",
               "herself": "yourself", "himself": "yourself", "themselves": "yourselves"}
_MODALS = {"could", "would", "will", "can", "might", "should", "may", "must"}
_PAST_AUX = {"was": "were", "is": "are", "has": "have", "does": "do"}
# Third-person verbs worth repeating; the rest are too likely to be nouns or something else.
_VERBS = {
    "runs", "leads", "heads", "manages", "owns", "builds", "works", "wants", "needs", "plans", "hopes", "looks",
    "oversees", "handles", "directs", "founded", "co-founded", "started", "launched", "spent", "built", "led",
    "ran", "joined", "advises", "teaches", "writes", "sells", "makes", "designs", "develops", "invests", "raises",
    "consults", "coaches", "trains", "helps", "operates", "serves", "represents", "specialises", "specializes",
    "focuses", "thinks", "intends", "expects", "aims", "struggles", "recently", "just", "currently", "also",
}
_S_ENDINGS = (("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x"), ("zes", "z"), ("ies", "y"))
_ADVERBS = {"recently", "just", "currently", "also"}
_UNCHANGED = {"founded", "co-founded", "started", "launched", "spent", "built", "led", "ran", "joined"} | _ADVERBS
_GROUP_SUBJECT = {"they", "they're", "both", "together"}
_NOUNS = ("team", "company", "startup", "firm", "group", "business", "organisation", "organization",
          "department", "lab", "agency", "practice", "clinic", "school", "shop", "studio", "family", "board")


def _base(verb: str) -> str:
    lower = verb.lower()
    if lower in _UNCHANGED or lower in _MODALS:
        return verb
    if lower in _PAST_AUX:
        return _PAST_AUX[lower]
    if lower == "goes":
        return "go"
    for ending, base in _S_ENDINGS:
        if lower.endswith(ending):
            return verb[: -len(ending)] + base
    return verb[:-1] if lower.endswith("s") else verb


# Every form of a verb this module knows, third person or not: what may open a verb phrase.
_ANY_VERB = _VERBS | set(_PAST_AUX) | set(_PAST_AUX.values()) | _MODALS | {_base(v) for v in _VERBS}


def lower_words(text: str) -> list[str]:
    """The words written in lower case: function words, not names ("Van Dam", "De Vries")."""
    return [w for w in re.findall(r"[^\W\d_]+", text) if w.islower()]


def reads_as_english(text: str) -> bool:
    """Whether ``text`` reads as English: not several function words of other languages (fit to the corpus,
    refmail/training/foreign_words.py), at least one for each four English ones."""
    found = lower_words(text)
    foreign = sum(w in foreign_words.FOREIGN for w in found)
    return not (foreign >= 3 and 4 * foreign > sum(w in foreign_words.ENGLISH for w in found))


def words(text: str) -> list[str]:
    return re.findall(r"[\w'\u2019-]+", text.lower().replace("\u2019", "'"))


def longest_copied_run(draft: str, source: str) -> int:
    """The longest run of consecutive words the draft shares with the source (case and punctuation ignored)."""
    a, b = words(draft), words(source)
    if not a or not b:
        return 0
    best, prev = 0, [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _name_pattern(names: Sequence[str]) -> str:
    alts = sorted({re.escape(n) for n in names if n}, key=len, reverse=True)
    return "|".join(alts)


_DETERMINERS = {"the", "a", "an", "one", "someone", "somebody"}


def restrictive(rest: str) -> bool:
    """Whether ``rest`` is a short noun phrase that needs the "who"/"which" after it ("the bloke who rebuilt ..."):
    without it, "you're the bloke" says nothing. After a comma ("CFO of Rhine Bulk, who ...") it is an aside."""
    cut = _CUT.search(rest)
    if cut is None or cut.group(0).lower() not in ("who", "which"):
        return False
    head = rest[:cut.start()].split()
    return 0 < len(head) <= 3 and head[0].lower() in _DETERMINERS and not head[-1].endswith(",")


def _other_subject(after_and: list[str]) -> bool:
    """Whether what follows an "and" is no longer the prospect's own verb: someone else doing something ("and Ingrid
    runs IT"), or a verb this module cannot turn to "you" ("and speaks Spanish")."""
    if not after_and:
        return False
    first = re.sub(r"[^\w'-]", "", after_and[0])
    second = re.sub(r"[^\w'-]", "", after_and[1]) if len(after_and) > 1 else ""
    if first[:1].isupper():  # a name, then a verb of hers
        return second[:1].islower() and second.endswith("s") and not second.endswith("ss")
    lower = first.lower()
    # An -s word the module does not know, taking an object as a verb does ("speaks Spanish", "chairs the board");
    # a plural noun takes none ("logistics for Nordia", "sales in Europe").
    return (lower.endswith("s") and not lower.endswith("ss") and lower not in _ANY_VERB
            and (second[:1].isupper() or second.lower() in {"the", "a", "an", "his", "her", "their"}))


def _clean_clause(rest: str, others: frozenset[str] = frozenset()) -> str:
    """The predicate up to its first aside, owner/referrer talk removed, pronouns turned to 'your'."""
    rest = _CUT.split(rest, maxsplit=1)[0]
    toks = rest.split()
    out: list[str] = []
    for i, tok in enumerate(toks):
        bare = re.sub(r"[^\w'\u2019-]", "", tok).lower().replace("\u2019", "'")
        aside = bare in _ASIDES and not tok[:1].isupper()
        if bare == "and" and _other_subject(toks[i + 1:i + 3]):  # "and Ingrid runs IT", "and speaks Spanish"
            break
        if aside or bare in _OTHERS or bare in others or bare.removesuffix("'s") in others:
            # Cut back to before the last "and": "is hiring and asked me who I'd call" -> "is hiring".
            while out and out[-1].lower() != "and":
                out.pop()
            if out:
                out.pop()
            break
        if bare in _POSSESSIVE:
            tok = tok.lower().replace(bare, _POSSESSIVE[bare]) if tok.islower() else _POSSESSIVE[bare]
        if i > 0 and toks[i - 1].lower() == "and" and bare in (_VERBS | set(_PAST_AUX)) and bare not in _UNCHANGED:
            tok = _base(tok)
        out.append(tok)
    return " ".join(out).strip(" .!?,")


def about_prospect(intro: str, prospect_names: Sequence[str], referrer_first: str, group: bool = False,
                   other_names: Sequence[str] = ()) -> str:
    """One sentence, in the owner's voice, on what the intro says the prospect does or needs; "" if nothing usable.

    `other_names` (the owner's, the referrer's, the other prospects') end the clause where they appear:
    "you lead product and Nina leads sales" is not about the prospect alone.
    """
    names = [n for n in prospect_names if n]
    if not intro or not names or not reads_as_english(intro):
        return ""
    others = frozenset(w for n in other_names for w in words(n) if len(w) > 1)
    who = _name_pattern(names)
    one = rf"(?:{who})(?:\s*\([^)]*\))?"
    if group:  # a group is greeted together: only what the intro says of all of them fits "you"
        subj = rf"{one}(?:\s*,\s*{one})*\s+(?:and|&)\s+{one}|they(?:['\u2019]re)?|both\s+of\s+them"
    else:
        subj = rf"{one}(?P<poss>['\u2019]s\s+(?:{'|'.join(_NOUNS)})\b)?|they(?:['\u2019]re)?"
    subject = re.compile(rf"^(?:(?:{who})\s*[,:]\s*)?(?P<subj>{subj})\s+(?P<rest>.*)$", re.IGNORECASE)
    relative = re.compile(rf"\b(?P<subj>{who}),\s+who\s+(?P<rest>.*)$", re.IGNORECASE)
    named_before = False
    mention = re.compile(rf"\b(?:{who})\b", re.IGNORECASE)
    segments = _SEGMENT.split(" ".join(intro.split()))
    cut_short = segments[-1].endswith("\u2026")  # the context was cut in its last sentence
    segments[-1] = segments[-1].removesuffix("\u2026")
    for n, segment in enumerate(segments, 1):
        segment = re.sub(r"^(?:[A-Z][\w'-]*\s*[,:-]\s+)(?=[A-Z])", "", segment.strip())  # "Olivia - Nina is ..."
        found = subject.match(segment) or relative.search(segment)
        after_mention, named_before = named_before, bool(mention.search(segment))
        if not found:
            continue
        said = found.group("subj").lower()
        rest = found.group("rest")
        plural = group
        if said.startswith("they") or said.startswith("both"):
            # The prospects of a group intro; a single prospect's "they" only right after she was named.
            if not (group or after_mention):
                continue
            plural = True
            if said.endswith("'re") or said.endswith("\u2019re"):
                rest = "are " + rest
        elif group and found.re is relative:
            continue
        clause = _second_person(rest, bool(found.groupdict().get("poss")), found, others, plural)
        if not clause or (cut_short and n == len(segments) and words(clause)[-1:] == words(segment)[-1:]):
            continue  # nothing, or a clause that runs into the cut: "is Head" of "is Head of Sales"
        sentence = _attributed(clause, referrer_first)
        # Closer to a quote than a rephrasing: keep the first of two things she does ("runs X and is moving Y"),
        # never half of one ("collections of Iranian modernist and contemporary art").
        while longest_copied_run(sentence, intro) >= MAX_COPIED_RUN - 2 and _second_verb(clause):
            clause = _second_verb(clause)
            sentence = _attributed(clause, referrer_first)
        if longest_copied_run(sentence, intro) >= MAX_COPIED_RUN:
            continue
        return sentence[0].upper() + sentence[1:]
    return ""


_NEW_SUBJECT = {"her", "his", "their", "she", "he", "they", "your", "you"}


def _second_verb(clause: str) -> str:
    """``clause`` up to its last "and" that opens a second verb phrase or another subject ("and Lena runs ..."),
    or "" when it has none: an "and" inside a noun phrase ("modernist and contemporary art") is no place to stop."""
    parts = clause.split(" and ")
    for i in range(len(parts) - 1, 0, -1):
        following = parts[i].split()[:1]
        if following and (following[0].lower() in _ANY_VERB | _NEW_SUBJECT or following[0][:1].isupper()):
            return " and ".join(parts[:i])
    return ""


def _attributed(clause: str, referrer_first: str) -> str:
    return f"{referrer_first} mentioned that {clause}." if referrer_first else f"I understand that {clause}."


def _second_person(rest: str, possessive: bool, found: re.Match[str], others: frozenset[str],
                   plural: bool = False) -> str:
    toks = rest.split()
    if not toks:
        return ""
    if possessive:  # "Frank's team at Petrov Tech is rebuilding ..." -> "your team at Petrov Tech is rebuilding ..."
        noun = found.group("poss").split()[-1]
        clause = _clean_clause(rest, others)
        return f"your {noun.lower()} {clause}" if clause and len(clause.split()) <= MAX_CLAUSE_WORDS else ""
    verb = re.sub(r"[^\w'-]", "", toks[0]).lower()
    tail = " ".join(toks[1:])
    if verb in _ADVERBS and len(toks) > 1:  # "currently owns finance" -> "currently own finance"
        nxt = re.sub(r"[^\w'-]", "", toks[1]).lower()
        if nxt in _PAST_AUX or (nxt in _VERBS and nxt not in _UNCHANGED):
            tail = " ".join([_base(toks[1]), *toks[2:]])
    if plural and verb not in {"are", "have", "were"} | _MODALS | {_base(v) for v in _VERBS - _UNCHANGED}:
        return ""
    if plural and verb in {"are", "have", "were"} | _MODALS:
        head = f"you {verb}".replace("you are", "you're")
    elif plural:
        head = f"you {verb}"
    elif verb in ("is", "are", "'s", "was", "were") and restrictive(tail):
        return ""
    elif verb in ("is", "are", "'s"):
        head, tail = "you're", tail
    elif verb in ("has", "have"):
        head = "you have"
    elif verb in ("was", "were"):
        head = "you were"
    elif verb in _MODALS:
        head = f"you {verb}"
    elif verb in _VERBS:
        head = f"you {_base(verb)}"
    else:
        return ""
    clause = _clean_clause(tail, others)
    if not clause or len(clause.split()) > MAX_CLAUSE_WORDS:
        return ""
    if head == "you're" and (len(clause.split()) < 3 or clause[0].isdigit()):
        return ""  # "you're Director.", "you're restructuring.": too little to say; "you're 26 and ...": her age
    if head == "you have" and clause.split()[0] in ("been", "spent", "built", "led", "run", "started", "worked"):
        head = "you've"
    return f"{head} {clause}"
