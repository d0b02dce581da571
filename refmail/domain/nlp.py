"""The cue patterns and the spaCy matchers over them: what detection and urgency read a text with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from refmail.domain.detection_rules import DetectionRules
from refmail.domain.mailtext import HONORIFICS, UNSPACED, character_pairs
from refmail.domain.scoring import IntroModel, PersonModel

T = {"IS_TITLE": True}
PAIR = {"LOWER": {"IN": ["two", "three", "four", "both", "all"]}}
N_OF_YOU = [{"LOWER": "the"}, {"LOWER": {"IN": ["two", "three", "four"]}}, {"LOWER": "of"}, {"LOWER": "you"}]
HONORIFIC = {"LOWER": {"IN": sorted(HONORIFICS | {h + "." for h in HONORIFICS})}, "OP": "?"}
INTRO_VERB = {"LOWER": {"IN": ["introduce", "introducing", "introduced", "intro", "intro'ing", "connect", "connecting", "put", "putting"]}}

# label -> token patterns (no POS/DEP: blank English has no tagger).
PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    "INTRO": [
        [T, {"TEXT": ","}, {"LOWER": "meet"}, T],
        [T, {"LOWER": "meet"}, T],
        [{"IS_SENT_START": True, "LOWER": "meet"}, T],
        [{"LOWER": {"IN": ["please", "pls"]}}, {"LOWER": "meet"}, T],
        [{"LOWER": "you"}, {"LOWER": {"IN": ["to", "should"]}}, {"LOWER": "meet"}, T],
        [{"LOWER": {"IN": ["introduce", "introducing", "connect", "connecting", "intro", "intro'ing"]}},
         {"LOWER": "you"}, {"LOWER": {"IN": ["two", "both", "to", "with", "all"]}}],
        [{"LOWER": {"IN": ["introduce", "introducing", "intro", "intro'ing"]}}, T, {"OP": "?"}, {"LOWER": {"IN": ["to", "and"]}}],
        [{"LOWER": {"IN": ["introduce", "introducing", "connect", "connecting"]}}, {"LOWER": "you"}, {"LOWER": "and"}, T],
        [{"LOWER": {"IN": ["put", "putting", "get", "getting"]}}, {"LOWER": "you"}, PAIR, {"LOWER": "in"}, {"LOWER": {"IN": ["touch", "contact"]}}],
        # "I'd like to put you in touch with Jess Morgan": her card on the mail, she on it nowhere else
        [{"LOWER": {"IN": ["put", "putting"]}}, {"LOWER": "you"}, {"LOWER": "in"}, {"LOWER": {"IN": ["touch", "contact"]}},
         {"LOWER": "with"}, HONORIFIC, T],
        # "introduce the two of you", "putting the three of you in contact"
        [{"LOWER": {"IN": ["introduce", "introducing", "connect", "connecting", "put", "putting"]}}] + N_OF_YOU,
        # "you should know each other", "I'm introducing you because ..."
        [{"LOWER": {"IN": ["should", "must", "ought"]}}, {"LOWER": "to", "OP": "?"}, {"LOWER": {"IN": ["know", "meet"]}},
         {"LOWER": "each"}, {"LOWER": "other"}],
        [{"LOWER": {"IN": ["am", "'m", "’m", "are", "'re", "’re"]}}, {"LOWER": "introducing"}, {"LOWER": "you"}],
        # "intro as promised", "e-intro as discussed"
        [{"LOWER": {"IN": ["intro", "introduction", "introducing", "connecting"]}}, {"LOWER": "as"},
         {"LOWER": {"IN": ["promised", "discussed", "requested", "agreed", "mentioned"]}}],
        # the same hand-off in the other languages refmail reads (German, French, Spanish)
        [{"LOWER": {"IN": ["miteinander", "euch", "ihnen", "dich"]}}, {"LOWER": {"IN": ["gerne", "gern"]}, "OP": "?"},
         {"LOWER": {"IN": ["bekannt", "vernetzen", "verbinden"]}}],
        [{"LOWER": "darf"}, {"LOWER": "ich"}, {"LOWER": {"IN": ["vorstellen", "bekannt"]}}],
        [{"LOWER": "je"}, {"LOWER": {"IN": ["vous", "te"]}}, {"LOWER": {"IN": ["présente", "presente"]}}],
        # "je me permets de vous présenter", "j'aimerais te présenter"
        [{"LOWER": {"IN": ["vous", "te"]}}, {"LOWER": {"IN": ["présenter", "presenter"]}}],
        # Dutch: "graag stel ik jullie aan elkaar voor", "maak kennis met", "wil je voorstellen aan"
        [{"LOWER": "aan"}, {"LOWER": "elkaar"}, {"LOWER": {"IN": ["voor", "voorstellen", "voorgesteld"]}}],
        [{"LOWER": {"IN": ["maak", "maken"]}}, {"LOWER": "kennis"}, {"LOWER": "met"}],
        [{"LOWER": {"IN": ["je", "jullie", "u"]}}, {"LOWER": {"IN": ["graag", "even"]}, "OP": "?"},
         {"LOWER": "voorstellen"}, {"LOWER": "aan"}],
        [{"LOWER": {"IN": ["mettre", "mets", "mettre"]}}, {"LOWER": "en", "OP": "?"}, {"LOWER": {"IN": ["relation", "contact"]}}],
        # Spanish and Portuguese: "te presento", "te apresento", "aprovecho este hilo para presentarte a Rocío"
        [{"LOWER": {"IN": ["te", "os", "les", "lhe", "vos"]}}, {"LOWER": {"IN": ["presento", "presentamos", "apresento", "apresentamos"]}}],
        [{"LOWER": {"IN": ["presentarte", "presentaros", "presentarle", "presentarles", "presentarlos"]}}, {"LOWER": "a"}, T],
        [{"LOWER": {"IN": ["poner", "pongo", "poneros", "ponerles", "ponerte"]}}, {"LOWER": "en"}, {"LOWER": "contacto"}],
        [{"LOWER": {"IN": ["you", "u", "y'all", "yall"]}}, PAIR,
         {"LOWER": {"IN": ["should", "must", "ought", "need", "would", "will"]}}],
        # "I take this opportunity to introduce to you Dr. Arvind Rao"
        [{"LOWER": {"IN": ["introduce", "introducing", "present", "presenting"]}}, {"LOWER": "to"}, {"LOWER": "you"},
         HONORIFIC, T],
        [{"LOWER": {"IN": ["pleasure", "delighted", "honored", "honoured", "thrilled", "meaning", "wanted", "excited", "great", "pleased", "glad", "happy"]}},
         {"LOWER": "to"}, {"LOWER": {"IN": ["introduce", "connect", "intro"]}}, {"LOWER": {"IN": ["you", "the"]}}],
        [{"LOWER": "you"}, {"LOWER": "should"}, {"LOWER": {"IN": ["definitely", "really", "totally"]}, "OP": "?"},
         {"LOWER": {"IN": ["talk", "connect", "chat", "speak"]}}],
        [{"LOWER": {"IN": ["e", "email", "virtual", "quick", "double", "warm", "group", "mutual"]}},
         {"TEXT": "-", "OP": "?"}, {"LOWER": {"IN": ["intro", "introduction"]}}, {"LOWER": {"NOT_IN": ["to", "if", "?"]}}],
        [{"LOWER": {"IN": ["over", "leave", "hand"]}}, {"LOWER": {"IN": ["to", "it", "you", "this"]}}, {"LOWER": {"IN": ["you", "to"]}},
         {"LOWER": {"IN": ["two", "both", "all", "you"]}}],
        [{"LOWER": "let"}, {"LOWER": "you"}, PAIR],
        [{"LOWER": {"IN": ["step", "stepping", "bow", "bowing", "duck", "ducking"]}}, {"LOWER": {"IN": ["aside", "back", "out"]}}],
        [{"LOWER": {"IN": ["e-intro", "e-introduction", "e-introducing", "intro-ing"]}}],
        # Ukrainian and Russian: "знайомтесь", "хочу вас познайомити", "знакомьтесь", "познакомлю вас"
        [{"LOWER": {"IN": ["знайомтесь", "знайомтеся", "знакомьтесь", "познайомити", "познайомлю", "познакомить",
                           "познакомлю", "знайомлю", "знакомлю"]}}],
    ],
    # Two of the people addressed, named in an intro's shape ("Rosa - Olivia is", "Olivia, this is Rosa").
    "INTRO_PAIR": [
        [T, {"TEXT": {"IN": ["-", "--", "–", "—", ":", ","]}}, T, {"LOWER": {"IN": ["is", "'s", "runs", "leads", "heads", "has", "works", "was"]}}],
        [T, {"TEXT": {"IN": [",", "-", "–", ":"]}}, {"LOWER": "this"}, {"LOWER": "is"}, T],
        [T, {"TEXT": {"IN": ["<>", "<->"]}}, T],
    ],
    # Only evidence when the named person is one of the people addressed.
    "INTRO_NAMED": [
        [{"LOWER": {"IN": ["looping", "loop", "cc'ing", "ccing", "copying", "adding", "cc’ing", "cc"]}}, {"LOWER": "in", "OP": "?"}, T],
        [{"LOWER": {"IN": ["get", "getting", "be"]}}, {"LOWER": "in"}, {"LOWER": "touch"}, {"LOWER": "with"}, T],
        [{"LOWER": {"IN": ["connect", "connecting"]}}, {"LOWER": "you"}, {"LOWER": "with"}, T],
        [{"LOWER": {"IN": ["reach", "reaching"]}}, {"LOWER": "out"}, {"LOWER": "to"}, T],
        [T, {"LOWER": {"IN": ["is", "'s"]}}, {"LOWER": "cc'd"}],
        # "Carol (cc'd)", "Mr. Rajesh Iyer (in copy)": the optional title token lets a full name count
        [T, {"IS_TITLE": True, "OP": "?"}, {"TEXT": "("}, {"LOWER": {"IN": ["cc'd", "cced", "cc", "copied"]}}],
        [T, {"IS_TITLE": True, "OP": "?"}, {"TEXT": "("}, {"LOWER": "in"}, {"LOWER": {"IN": ["copy", "cc"]}}],
        # "Introducing Dr. Meera Iyer, who ...", "I'd love for you to meet Hugo"
        [{"LOWER": {"IN": ["introducing", "introduce", "meet"]}}, HONORIFIC, T],
    ],
    # Hand-off words that only support other evidence.
    "WEAK": [
        [{"LOWER": {"IN": ["each", "one"]}}, {"LOWER": {"IN": ["other", "another"]}}],
        [{"LOWER": "take"}, {"LOWER": "it"}, {"LOWER": {"IN": ["from", "away"]}}, {"LOWER": "here", "OP": "?"}],
        [{"LOWER": {"IN": ["the", "an", "this", "my"]}}, {"LOWER": {"IN": ["intro", "introduction"]}}],
        [{"LOWER": "to"}, {"LOWER": {"IN": ["bcc", "bcc."]}}],
    ],
    "THANKS": [
        [{"LOWER": {"IN": ["thanks", "thank", "grateful"]}}, {"LOWER": {"IN": ["for", "you"]}}, {"OP": "?"},
         {"LOWER": {"IN": ["the", "this", "your"]}}, {"LOWER": {"IN": ["intro", "introduction", "connection", "kind"]}}],
        [{"LOWER": {"IN": ["thanks", "thank"]}}, {"OP": "?"}, {"LOWER": "for"}, {"LOWER": {"IN": ["introducing", "connecting"]}}, {"LOWER": "me"}],
        # the referrer checking in on an intro already made: "did you two manage to connect?"
        [{"LOWER": "did"}, {"LOWER": "you"}, {"LOWER": {"IN": ["two", "three", "both", "all"]}, "OP": "?"}, {"OP": "?"}, {"OP": "?"},
         {"LOWER": {"IN": ["connect", "meet", "talk", "speak", "chat", "catch"]}}],
    ],
    "ASK": [
        [{"LOWER": {"IN": ["open", "interested", "up"]}}, {"LOWER": {"IN": ["to", "in", "for"]}}, {"LOWER": {"IN": ["an", "a", "me"]}, "OP": "?"},
         {"LOWER": {"IN": ["intro", "introduction", "introducing", "connecting", "meeting", "chatting", "e"]}}],
        [{"LOWER": {"IN": ["can", "could", "may", "shall", "should"]}}, {"LOWER": "i"}, INTRO_VERB],
        [{"LOWER": {"IN": ["mind", "ok", "okay", "alright", "cool"]}}, {"LOWER": "if"}, {"LOWER": "i"}, INTRO_VERB],
        [{"LOWER": "you"}, {"LOWER": {"IN": ["like", "want", "need"]}}, {"LOWER": {"IN": ["an", "me"]}}, {"LOWER": {"IN": ["intro", "introduction", "to"]}}],
        [{"LOWER": {"IN": ["happy", "glad"]}}, {"LOWER": "to"}, INTRO_VERB] + [{"OP": "?"}] * 5 + [{"LOWER": "if"}],
        [{"LOWER": "would"}, {"LOWER": "you"}, {"LOWER": {"IN": ["be", "like"]}}, {"OP": "?"}, {"OP": "?"}, INTRO_VERB],
        # "would you be amenable to my putting the two of you in touch?"
        [{"LOWER": "would"}, {"LOWER": "you"}, {"LOWER": "be"},
         {"LOWER": {"IN": ["amenable", "open", "happy", "willing", "interested", "ok", "okay"]}},
         {"LOWER": {"IN": ["to", "with", "in"]}}, {"LOWER": {"IN": ["my", "me", "us"]}}, INTRO_VERB],
        # Spanish: "¿te interesaría que os presentara?"
        [{"LOWER": {"IN": ["interesaría", "interesaria", "gustaría", "gustaria", "importaría", "importaria"]}},
         {"LOWER": "que"}, {"LOWER": {"IN": ["os", "te", "les", "los", "las"]}},
         {"LOWER": {"IN": ["presentara", "presentase", "presente", "pusiera", "ponga"]}}],
        [{"LOWER": "worth"}, {"LOWER": {"IN": ["an", "a"]}}, {"LOWER": {"IN": ["intro", "introduction", "chat"]}}],
        [{"LOWER": "before"}, {"LOWER": "i"}, INTRO_VERB],
    ],
    "SELF": [
        [{"LOWER": {"IN": ["introduce", "introducing"]}}, {"LOWER": {"IN": ["myself", "ourselves", "our", "my", "a", "the", "new", "legislation", "this", "itself", "some"]}}],
        [{"LOWER": "my"}, {"LOWER": "name"}, {"LOWER": "is"}],
        [{"LOWER": {"IN": ["was", "been", "were"]}}, {"LOWER": "introduced"}, {"LOWER": {"IN": ["in", "by", "last", "this", "on", "into", "as", "at"]}}],
        [{"LOWER": "i"}, {"LOWER": "'m"}, {"LOWER": "reaching"}, {"LOWER": "out"}],
        [{"LOWER": "unsubscribe"}],
        [{"LOWER": "view"}, {"LOWER": "in"}, {"LOWER": "browser"}],
    ],
    "MEET_OTHER": [
        [{"LOWER": "meet"}, {"LOWER": {"IN": ["the", "our", "your", "with", "up", "me", "us", "you", "for", "at", "on", "in", "this", "next", "tomorrow", "today"]}}],
        [{"LOWER": {"IN": ["to", "can", "could", "should", "let's", "we"]}}, {"LOWER": "meet"}],
    ],
}

URGENCY_PHRASES: dict[str, tuple[str, ...]] = {
    "RELAXED": ("no rush", "no hurry", "no pressure", "whenever works", "whenever you can", "at your convenience",
                "when you get a chance", "not urgent", "no urgency", "in your own time", "when you have time",
                "whenever you have a moment", "nothing urgent", "not time sensitive", "not time-sensitive"),
    "URGENT": ("urgent", "urgently", "asap", "a.s.a.p.", "as soon as possible", "time-sensitive", "time sensitive",
               "right away", "today if possible", "quickly as you can", "high priority",
               "sooner rather than later", "this is pressing", "at your earliest convenience"),
}
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow", "tonight",
         "eod", "eow", "end", "next", "the", "this", "mid", "early"]
DEADLINE_PATTERNS = [
    [{"LOWER": {"IN": ["by", "before"]}}, {"LOWER": {"IN": _DAYS}}],
    [{"LOWER": {"IN": ["need", "needs", "needed"]}}, {"OP": "?"}, {"OP": "?"}, {"LOWER": {"IN": ["by", "before"]}}],
    [{"LOWER": {"IN": ["deadline", "deadlines"]}}],
    [{"LOWER": {"IN": ["closing", "decision", "decide", "deciding"]}}, {"OP": "?"}, {"LOWER": {"IN": ["this", "next", "by"]}}],
]


# Words too common to tell whether a pattern can match: never chosen as its anchor.
_COMMON = frozenset("you to the a an in i is and for with this my our me us be it of on at your".split())


def _anchor(pattern: list[dict[str, Any]]) -> frozenset[str]:
    """The rarest word set one required token of ``pattern`` must come from; empty when there is none."""
    best: frozenset[str] = frozenset()
    for spec in pattern:
        if "OP" in spec:
            continue
        value = spec.get("LOWER", spec.get("TEXT"))
        words = frozenset([value]) if isinstance(value, str) else frozenset(value.get("IN", ())) \
            if isinstance(value, dict) and set(value) == {"IN"} else frozenset()
        words = frozenset(w.lower() for w in words)
        if words and not words & _COMMON and (not best or len(words) < len(best)):
            best = words
    return best


class CueMatcher:
    """The cue patterns, grouped by anchor word: a text only pays for the patterns whose anchor it holds,
    and only on the tokens around where the anchor stands.

    spaCy's Matcher costs about the same for every token of the text it is given, whichever patterns
    it holds. Every match of a group holds one of the group's anchor words, and a pattern is at most
    ``span`` tokens long, so the group's matcher reads only the tokens within ``span`` of an anchor
    word: the hits are the same as over the whole text, in (start, end) order.
    """

    def __init__(self, vocab, patterns: dict[str, list[list[dict[str, Any]]]]) -> None:
        self.vocab = vocab
        groups: dict[frozenset[str], tuple[Matcher, list[int]]] = {}
        for label, label_patterns in patterns.items():
            for pattern in label_patterns:
                matcher, longest = groups.setdefault(_anchor(pattern), (Matcher(vocab), [0]))
                matcher.add(label, [pattern])
                longest[0] = max(longest[0], len(pattern))
        always = groups.pop(frozenset(), None)
        self.always = always[0] if always is not None else None
        self.groups = tuple((matcher, longest[0]) for matcher, longest in groups.values())
        # anchor word (its LOWER hash) -> the groups it anchors
        self.by_word: dict[int, list[int]] = {}
        for g, key in enumerate(groups):
            for word in key:
                self.by_word.setdefault(vocab.strings.add(word), []).append(g)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        found = list(self.always(doc)) if self.always is not None else []
        places: dict[int, list[int]] = {}
        for i, word in enumerate(doc.to_array(LOWER).tolist()):
            for g in self.by_word.get(word, ()):
                places.setdefault(g, []).append(i)
        for g, where in places.items():
            matcher, span = self.groups[g]
            for start, end in _around(where, span, len(doc)):
                found += [(mid, start + s, start + e) for mid, s, e in matcher(doc[start:end])]
        return sorted(set(found), key=lambda m: (m[1], m[2], m[0]))


def _around(positions: list[int], span: int, length: int) -> list[tuple[int, int]]:
    """The token ranges within ``span`` of each position (ascending), overlapping ranges merged."""
    ranges: list[tuple[int, int]] = []
    for i in positions:
        start, end = max(0, i - span + 1), min(length, i + span)
        if ranges and start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((start, end))
    return ranges


@dataclass(frozen=True)
class Pipeline:
    """The spaCy objects detection and extraction share: made once, used for every message."""

    nlp: Language
    matcher: CueMatcher
    urgency: PhraseMatcher
    ner: Language | None = None
    model: IntroModel | None = None  # None only while training reads the cues
    textcat: Callable[[Doc], Doc] | None = None
    people: PersonModel | None = None  # who of those addressed is introduced; None: the hand rules alone
    known: frozenset[str] = frozenset()  # the words the text classifier was trained on (lowercased)


def _phrase_patterns(nlp: Language, phrases: tuple[str, ...]) -> list[list[dict[str, Any]]]:
    return [[{"LOWER": t.lower_} for t in nlp.make_doc(p)] for p in phrases]


def make_pipeline(nlp: Language, rules: DetectionRules, ner: Language | None = None,
                  model: IntroModel | None = None, people: PersonModel | None = None,
                  known: frozenset[str] = frozenset()) -> Pipeline:
    """The cue readers over an already loaded spaCy ``nlp`` (blank English, or the shipped text classifier's).

    Pure: what is read from disk (spaCy, the classifier, the fitted weights) is loaded at the edge
    (refmail.nlp_load) and handed in, once per process.
    """
    extra = {"INTRO": rules.intro_phrases, "ASK": rules.ask_phrases, "SELF": rules.not_intro_phrases}
    patterns = {label: label_patterns + _phrase_patterns(nlp, extra.get(label, ()))
                for label, label_patterns in PATTERNS.items()}
    matcher = CueMatcher(nlp.vocab, {**patterns, "DEADLINE": DEADLINE_PATTERNS})
    urgency = PhraseMatcher(nlp.vocab, attr="LOWER")
    urgency.add("RELAXED", [nlp.make_doc(p) for p in URGENCY_PHRASES["RELAXED"] + rules.relaxed_phrases])
    urgency.add("URGENT", [nlp.make_doc(p) for p in URGENCY_PHRASES["URGENT"] + rules.urgent_phrases])
    textcat = nlp.get_pipe("textcat") if "textcat" in nlp.pipe_names else None
    return Pipeline(nlp, matcher, urgency, ner, model, textcat, people, known)


# The classifier reads the subject and the opening of the text: an intro says what it is early, and a bag
# of words scores by sum, so a long signature or disclaimer would outvote the intro sentence (a bank's group
# intro scored 0.00 on its whole text, 1.00 on its opening). 96 did better than the whole text on writers
# the model was not fit on.
CLASSIFIER_TOKENS = 96


@dataclass(frozen=True)
class ClassifierText:
    """What the text classifier reads: the subject's and the body's opening words, with names, addresses,
    links and numbers as placeholders. Kept as words, not a string: the classifier's Doc is built from
    them, at run time and in training alike, without tokenising the text a second time.

    One writer's mail names the same owner and colleagues again and again; read verbatim, the classifier
    learns whom that writer's intros name instead of how people introduce, and misjudges the next writer.
    """

    words: tuple[str, ...] = ()
    spaces: tuple[bool, ...] = ()

    def __bool__(self) -> bool:
        return any(w.strip() for w in self.words)

    @property
    def text(self) -> str:
        return "".join(w + (" " if sp else "") for w, sp in zip(self.words, self.spaces))

    def doc(self, vocab: Vocab) -> Doc:
        return Doc(vocab, words=list(self.words), spaces=list(self.spaces))


def classifier_text(subject: Doc, body: Doc, names: set[str], owner: set[str] = frozenset()) -> ClassifierText:
    words: list[str] = []
    spaces: list[bool] = []
    for part in (subject[:CLASSIFIER_TOKENS], body[:CLASSIFIER_TOKENS]):
        for token in part:
            masked = _masked(token, names, owner)
            # An unspaced run as its pairs, in simplified characters; a short one that is a name stays masked.
            if not token.text.isascii() and UNSPACED.search(token.text) and (len(token.text) > 2 or masked == token.text):
                pairs = character_pairs(token.text)
                words += pairs
                spaces += [False] * (len(pairs) - 1) + [bool(token.whitespace_)]
                continue
            words.append(masked)
            spaces.append(bool(token.whitespace_))
        words.append("\n\n")  # the subject's end, then the body's
        spaces.append(False)
    return ClassifierText(tuple(words), tuple(spaces))


def _masked(token, names: set[str], owner: set[str]) -> str:
    if token.like_email:
        return "xxemail"
    if token.like_url:
        return "xxlink"
    if token.like_num:
        return "xxnum"
    if token.lower_ in owner:
        return "xxowner"
    return "xxname" if token.lower_ in names else token.text


def textcat_scores(pipe: Pipeline, text: ClassifierText) -> dict[str, float]:
    """The text classifier's view of a candidate (its classifier_text): {} when none is loaded; with the
    share of its words the classifier was trained on, when the model says which those were."""
    if pipe.textcat is None or not text:
        return {}
    return scores_of(pipe.textcat(text.doc(pipe.nlp.vocab)).cats, text, pipe.known)


def scores_of(cats: dict[str, float], text: ClassifierText, known: frozenset[str]) -> dict[str, float]:
    """The classifier's categories for ``text`` as refmail names them, at run time and in training alike."""
    share = {"known": known_share(text, known)} if known else {}
    return {"textcat_intro": float(cats["INTRO"]), "textcat_ask": float(cats["ASK"]), **share}


def text_words(text: ClassifierText) -> list[str]:
    """The words of a classifier text that carry letters, lowercased: what "known" counts (not punctuation,
    breaks or numbers)."""
    return [w.lower() for w in text.words if any(c.isalpha() for c in w)]


def known_share(text: ClassifierText, known: frozenset[str]) -> float:
    """How much of the text the classifier has read before: a "no" about a language it was trained on is
    worth more than one about a script it never saw (Amharic intros scored 0.1-0.4 on words it did not know)."""
    words = text_words(text)
    return sum(w in known for w in words) / len(words) if words else 1.0


def window(text: str) -> str:
    """The part of a body cues are looked for in: an intro's wording opens or closes it."""
    return text if len(text) <= 2400 else text[:2000] + "\n" + text[-400:]


Analysis = tuple[Doc, tuple[tuple[str, int, int], ...]]


def analysed(pipe: Pipeline, text: str, memo: dict[str, Analysis] | None = None) -> Analysis:
    """``text`` tokenised, with the cue Matcher's (label, start, end) hits.

    ``memo`` belongs to one message (pipeline.Context): detection and urgency read the same intro
    body, and it is tokenised and matched once for both; nothing outlives the message.
    """
    found = memo.get(text) if memo is not None else None
    if found is None:
        doc = pipe.nlp.make_doc(text)
        strings = pipe.nlp.vocab.strings
        found = (doc, tuple((strings[mid], start, end) for mid, start, end in pipe.matcher(doc)))
        if memo is not None:
            memo[text] = found
    return found


def person_names(pipe: Pipeline, text: str) -> tuple[str, ...]:
    """PERSON entities from the trained pipeline, if one is loaded; () with the blank default."""
    if pipe.ner is None or not text:
        return ()
    doc = pipe.ner(text[:3000])
    return tuple(dict.fromkeys(e.text.strip() for e in doc.ents if e.label_ in ("PERSON", "PER")))
