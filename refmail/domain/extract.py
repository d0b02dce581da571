"""Who introduced whom: the intro's source message, referrer, prospects and the owner's side."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Mapping

from refmail.domain import introduced
from refmail.domain.mailboxes import colleagues
from refmail.domain.mailtext import CJK, LETTERS, first_name, is_forward_subject, is_reply_subject, without_reply_prefixes
from refmail.domain.scanning import addresses_in
from refmail.domain.scoring import PersonModel
from refmail.domain.types import Identity, ParsedMessage, Person

# Who an assistant writes for: "On behalf of Mr. Harald Larsen", "im Auftrag von Herrn Dr. Brandt", "Namens de heer
# Cornelis van Oord", "Executive Assistant to Robert Castellano" (the signature), "Dana asked me to connect you".
_TITLE = r"(?:(?:Mr|Mrs|Ms|Dr|Prof|Herrn?|Frau|de heer|mevrouw|dhr|mw|M|Mme|Sr|Sra|Dott|Dr\.ssa|pan|pani)\.?\s+)*"
_NAME = r"([A-Z][\w'’-]+(?:\s+(?:(?:van|von|der|den|de|del|da|di|la|le)\s+)*[A-Z][\w'’-]+){0,2})"
_ON_BEHALF = re.compile(
    r"\b(?i:on behalf of|at the request of|(?:executive |personal )?assistant to|im (?:Auftrag|Namen) von|namens|"
    r"på vegne av|på vegne af|på uppdrag av|de la part de|au nom de|en nombre de|de parte de|a nome di|"
    r"per conto di|em nome de|a pedido de|w imieniu)\s+" + _TITLE + _NAME +
    r"|\b[Oo]n ([A-Z][\w'’-]+)'s behalf"
    r"|\b([A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)?\s+(?:has\s+)?asked me to\s+(?:introduce|connect|put|intro)")
_PARTICLES = {"van", "von", "der", "den", "de", "del", "da", "di", "la", "le"}
_ASSISTANT_ROLE = re.compile(r"\b(?:EA|PA)\b|\b(?i:assistant|office of|chief of staff)\b")
_CAPITALISED = re.compile(r"\b([A-Z][a-zà-ÿ'’-]+)(?:\s+([A-Z]\.?|[A-Z][a-zà-ÿ'’-]+))?\b")
_NOT_NAMES = {"Hi", "Hey", "Hello", "Dear", "Thanks", "Thank", "Best", "Cheers", "Regards", "Meet", "The", "I", "We",
              "She", "He", "They", "You", "Intro", "Introduction", "From", "To", "Subject", "Sent", "Date", "Cc"}


class How(enum.StrEnum):
    """Where in a message a candidate intro sits (the values are the words of the reasons trail)."""

    DIRECT = "direct"
    ATTACHED = "attached"
    FORWARDED_INLINE = "forwarded inline"
    QUOTED_IN_REPLY = "quoted in a reply"
    QUOTED_IN_FORWARD = "quoted in a forward"


@dataclass(frozen=True)
class Candidate:
    """One reading of where the intro is: its writer, the people it addresses, its text and message."""

    how: How
    source: ParsedMessage
    referrer: Person | None
    parties: tuple[Person, ...]
    body: str
    subject: str
    # For a quoted intro: the reply that quotes it (the message itself, or a reply carried in a forward).
    quoted_by: ParsedMessage | None = None


QUOTED = frozenset({How.QUOTED_IN_REPLY, How.QUOTED_IN_FORWARD})


def _unique(people) -> tuple[Person, ...]:
    seen: dict[str, Person] = {}
    for p in people:
        if p is None or not p.email:
            continue
        if p.email not in seen or (p.name and not seen[p.email].name):
            seen[p.email] = p
    return tuple(seen.values())


def candidates(msg: ParsedMessage, identity: Identity, top: str, top_of) -> tuple[Candidate, ...]:
    """Every place an intro could be: this message, an attached or inline forward, the message it quotes,
    and the message a forwarded reply quotes (the owner forwarding the prospect's answer to the intro)."""
    found = [Candidate(How.DIRECT, msg, msg.sender, _unique(msg.to + msg.cc), top, msg.subject)]
    for inner in msg.attached:
        found.append(Candidate(How.ATTACHED, inner, inner.sender, _unique(inner.to + inner.cc), top_of(inner.text),
                               inner.subject))
        found += _quoted(inner, identity, top_of, How.QUOTED_IN_FORWARD)
    for inner in msg.embedded:
        if inner.sender is None or identity.is_assistant(inner.sender.email):
            continue
        if _forwarded(msg, inner):
            parties = _unique(inner.to + inner.cc)
            found.append(Candidate(How.FORWARDED_INLINE, inner, inner.sender, parties, top_of(inner.text), inner.subject))
            found += _quoted(inner, identity, top_of, How.QUOTED_IN_FORWARD)
    found += _quoted(msg, identity, top_of, How.QUOTED_IN_REPLY)
    return tuple(found)


def _forwarded(carrier: ParsedMessage, inner: ParsedMessage) -> bool:
    """`inner` is forwarded by `carrier` (a header block, and a Fwd: subject or no thread), not quoted by it.

    Outlook quotes a reply under the same "From:/Sent:" block it forwards with: an "RE:" subject says which.
    """
    has_header_block = bool(inner.to or inner.cc or inner.subject)
    threaded = bool(carrier.in_reply_to) or is_reply_subject(carrier.subject)
    return has_header_block and (is_forward_subject(carrier.subject) or not threaded)


def _quoted(reply: ParsedMessage, identity: Identity, top_of, how: How, threaded: bool = False,
            answered_by: ParsedMessage | None = None) -> list[Candidate]:
    """The message ``reply`` quotes, when it is someone else's (not a forward it carries).

    ``threaded``: ``reply`` is known to answer what it carries (itself quoted under a "wrote:" line, it has
    no subject or In-Reply-To of its own to say so): its Outlook header block is a quote, not a forward.
    ``answered_by``: whose answer quotes ``reply`` (the owner's own, read through): it is the one that quotes
    what ``reply`` quotes."""
    here = _unique(reply.to + reply.cc + ((reply.sender,) if reply.sender else ()))
    ours = reply.sender is not None and identity.is_ours(reply.sender.email)
    # A reply after the prospect answered (hers, or the referrer's bringing the assistant in): the intro is
    # two levels down, quoted in the answer it quotes.
    deeper = how is How.QUOTED_IN_REPLY and not threaded
    found = []
    for inner in reply.embedded:
        if inner.sender is None:
            continue
        if identity.is_ours(inner.sender.email):
            # In what she forwards, her own answer quoted in theirs (the prospect's "Monday suits me" to her
            # "thanks, does Monday suit you?"): the intro is under hers, and it is their answer that quotes it.
            # (Their answer reaching refmail itself is a reply on the intro's thread, read as such.)
            if how is How.QUOTED_IN_FORWARD and not ours and answered_by is None:
                found += _quoted(inner, identity, top_of, how, threaded=True, answered_by=reply)
            continue
        if how == How.QUOTED_IN_REPLY and not threaded and _forwarded(reply, inner):
            continue  # a forward: candidates() reads it as one
        # a reply on the intro's thread: the people now addressed are the intro's parties
        parties = _unique(inner.to + inner.cc + here)
        found.append(Candidate(how, inner, inner.sender, parties, top_of(inner.text),
                               inner.subject or without_reply_prefixes(reply.subject), quoted_by=answered_by or reply))
        if deeper:
            found += _quoted(inner, identity, top_of, how, threaded=True)
    return found


def _name_from_text(email: str, text: str) -> str:
    local = email.split("@")[0].lower()
    parts = [p for p in re.split(r"[._+\-0-9]", local) if p]
    if not parts:
        return ""
    best = ""
    for match in _CAPITALISED.finditer(text):
        first, second = match.group(1), (match.group(2) or "").rstrip(".")
        if first in _NOT_NAMES:
            continue
        f, s = first.lower(), second.lower()
        full = f"{first} {second}".strip() if second and second not in _NOT_NAMES else first
        if s and (f + s == local or f[0] + s == local or (f in parts and s in parts) or f"{f}.{s}" == local):
            return full
        if s and f == parts[0] and len(s) == 1 and len(parts) > 1 and parts[1].startswith(s):
            return full
        if not best and f == parts[0] and len(f) > 2:
            best = first if not s or s not in parts else full
    return best


# A name written just before an address in angle brackets (marked by a NUL), on the same line.
_NAME_BESIDE = re.compile(r"(?m)^[ \t>*]*([^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+){0,5})[ \t]*\0")


def named(person: Person, text: str, extra_names: tuple[str, ...] = ()) -> Person:
    """A person with a display name, filled from the text (greetings, signature, body) when missing."""
    if person.name:
        return person
    beside = _NAME_BESIDE.findall(text[:8000].replace("<" + person.email + ">", "\0"))
    if beside and len(beside[0].split()) <= 5:  # "Sannie Pienaar <sannie@x>": a card, a signature, a pasted header
        return Person(beside[0].strip(), person.email)
    local = person.email.split("@")[0].lower()
    for name in extra_names:
        bits = name.lower().split()
        if bits and (bits[0] in local or "".join(bits) == local or "".join(b[0] for b in bits) == local):
            return Person(name, person.email)
    return Person(_name_from_text(person.email, text), person.email)


_CAPITALISED_WORD = re.compile(r"\b[^\W\d_a-z][^\W\d_]{2,}")


def _name_tokens(person: Person | None) -> set[str]:
    if person is None:
        return set()
    words = LETTERS.findall(f"{person.name} {person.email.split('@')[0]}".lower())
    return {t for t in words if len(t) > 2 or len(t) > 1 and CJK.search(t)}  # 吉川: a whole family name


@dataclass(frozen=True)
class _Said:
    """An intro's text, read once for every person it may name (a message can address thousands)."""

    text: str
    words: frozenset[str]
    names: frozenset[str]  # its capitalised words, lower-cased: "Doug", "Judy"

    @classmethod
    def of(cls, text: str) -> _Said:
        return cls(text, frozenset(LETTERS.findall(text.lower())),
                   frozenset(w.lower() for w in _CAPITALISED_WORD.findall(text)) - {w.lower() for w in _NOT_NAMES})


def _mentioned(person: Person, said: _Said, others: set[str]) -> bool:
    """Named in the text by first name, last name or the address's local part (not by the writer's own name);
    a bare address, by a name it starts or ends with ("Doug" for azdoug61@...)."""
    tokens = _name_tokens(person) - others
    if tokens & said.words:
        return True
    # Chinese and Japanese write no spaces between words ("吉川までご連絡"): a name is found inside the text.
    if any(t in said.text for t in tokens if CJK.search(t)):
        return True
    if person.name:
        return False
    runs = [r for r in LETTERS.findall(person.email.split("@")[0].lower()) if len(r) > 3]
    return any(r.startswith(n) or r.endswith(n) for r in runs for n in said.names - others)


@dataclass(frozen=True)
class Parties:
    referrer: Person | None
    prospects: tuple[Person, ...]
    receiver: Person | None
    owner_is_referrer: bool
    # Everyone the intro addresses who might be introduced, with their cues (what the person model read;
    # training learns from it). Empty when there was no choice to make.
    considered: tuple[tuple[Person, Mapping[str, float]], ...] = ()


_MACHINE = re.compile(r"(?i)^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?|notifications?)\b")


def written(body: str) -> tuple[Person, ...]:
    """Addresses written out in the text ("her address is carol@x"): the intro that names its prospect
    there, with nobody else on the message, still introduces her."""
    return tuple(Person("", a) for a in addresses_in(body[:8000]) if not _MACHINE.match(a))[:5]


def _domain(person: Person | None) -> str:
    return person.email.rpartition("@")[2] if person else ""


def _first_name(person: Person) -> str:
    return first_name(person).lower()


def _principal(writer: Person | None, body: str, people: tuple[Person, ...]) -> Person | None:
    """The colleague an assistant writes for ("On behalf of Richard Hale, ...", "Dana asked me to connect you"),
    when that colleague is on the message and shares the writer's domain."""
    if writer is None:
        return None
    said = {w.lower() for m in _ON_BEHALF.finditer(body[:8000]) for w in (m.group(1) or m.group(2) or m.group(3)).split()}
    said -= _PARTICLES
    if not said:
        return None
    return next((p for p in people if p.email != writer.email and _domain(p) == _domain(writer)
                 and ({_first_name(p)} | _name_tokens(p)) & said), None)


def _helper(person: Person, referrer: Person | None, body: str) -> bool:
    """The referrer's own assistant or office copied in to help with scheduling: not introduced."""
    if referrer is None or _domain(person) != _domain(referrer):
        return False
    if _ASSISTANT_ROLE.search(person.name):
        return True
    first = re.escape(_first_name(person))
    return bool(re.search(rf"(?i)\b{first}\b[^.\n]{{0,30}}\b(from|in|of) (my|our) office\b|"
                          rf"\b(my|our) (executive |personal )?(assistant|EA|PA)\b,?\s+{first}\b|"
                          rf"\b{first}\b,? (my|our) (executive |personal )?(assistant|EA|PA)\b", body))


def _introduced(cand: Candidate, identity: Identity, by: Person | None, text: str,
                names: tuple[str, ...]) -> tuple[Person, ...]:
    """Whom ``by``'s intro introduces: the others it addresses; with none, the addresses its text spells out."""
    for pool in (cand.parties, written(cand.body)):
        found = tuple(named(p, text, names) for p in pool
                      if not identity.is_ours(p.email) and (by is None or p.email != by.email)
                      and not _helper(p, by, cand.body))
        if found:
            return found
    return ()


def on_earlier_messages(source: ParsedMessage) -> frozenset[str]:
    """Who wrote or read the messages ``source`` quotes, each level down (a thread quotes its whole history)."""
    found: set[str] = set()
    level = source.embedded
    while level:
        found.update(p.email for m in level for p in ((m.sender,) if m.sender else ()) + m.recipients)
        level = tuple(e for m in level for e in m.embedded)
    return frozenset(found)


def parties(cand: Candidate, msg: ParsedMessage, identity: Identity, names: tuple[str, ...] = (),
            quoted_intro: bool = True, model: PersonModel | None = None) -> Parties:
    """Referrer = the intro's writer; prospects = the others it addresses, minus the owner and assistant,
    and minus those ``model`` reads as copied rather than introduced (without one: the hand rules alone).

    ``quoted_intro``: whether the message this one quotes is itself an intro (the owner's reply-all
    to it names its writer as the referrer; otherwise the owner is introducing people herself)."""
    text = cand.body + "\n" + msg.text[:4000]
    referrer = cand.referrer
    everyone = _unique(cand.parties + msg.to + msg.cc + ((msg.sender,) if msg.sender else ()) +
                       ((cand.referrer,) if cand.referrer else ()))
    owner_side = next((p for p in everyone if identity.is_owner(p.email)), None)
    if cand.how == How.DIRECT and referrer and identity.is_owner(referrer.email) and msg.in_reply_to and quoted_intro \
            and msg.embedded and msg.embedded[0].sender and not identity.is_ours(msg.embedded[0].sender.email):
        referrer = msg.embedded[0].sender  # the owner's reply-all: the intro's writer is the one quoted
    prospects = _introduced(cand, identity, referrer, text, names)
    principal = _principal(referrer, cand.body, cand.parties)
    # An assistant writing for her principal; unless he is the one she introduces ("I'm Jonathan's EA").
    theirs = _introduced(cand, identity, principal, text, names) if principal is not None else ()
    if theirs:
        referrer, prospects = principal, theirs
    others = _name_tokens(referrer) | _name_tokens(owner_side) | _name_tokens(identity.owner)
    said = _Said.of(cand.body)
    mentioned = {p.email: _mentioned(p, said, others) for p in prospects}
    pool = prospects
    unnamed = tuple(p for p in prospects if (p.name or _domain(p) == _domain(referrer) or colleagues(p.email, identity.owner.email))
                    and not mentioned[p.email])
    if unnamed and len(unnamed) < len(prospects) and any(mentioned.values()):
        # Someone copied but never named (the referrer's assistant, a colleague in CC) is not introduced; a bare
        # address from elsewhere may be anyone the text names, and stays.
        prospects = tuple(p for p in prospects if p not in unnamed)
    owner_is_referrer = referrer is not None and identity.is_owner(referrer.email)
    own_side = tuple(p for p in prospects if colleagues(p.email, identity.owner.email))
    if own_side and len(own_side) < len(prospects) and not owner_is_referrer:
        # The owner's colleague on someone's intro ("Femke and Joris of Studio Veld") is on her side of it, not
        # introduced; when she makes the intro, the colleague she introduces is.
        prospects = tuple(p for p in prospects if p not in own_side)
    considered: tuple[tuple[Person, Mapping[str, float]], ...] = ()
    if len(pool) > 1:
        tokens = [_name_tokens(p) for p in pool]
        setting = introduced.Setting.of(cand.body, cand.subject, referrer, identity.owner, owner_is_referrer,
                                        frozenset(p.email for p in cand.source.to), frozenset(p.email for p in cand.source.cc),
                                        frozenset(others.union(*tokens)), on_earlier_messages(cand.source))
        kept = set(prospects)
        considered = tuple(zip(pool, introduced.pool_cues(pool, [t - others for t in tokens], setting,
                                                          [p in kept for p in pool])))
        if model is not None:
            prospects = introduced.choose(pool, [c for _, c in considered], model)
    if referrer is not None:
        referrer = named(referrer, text, names)
        if owner_is_referrer:  # one person, whichever of her addresses she wrote from (per-referrer stats)
            referrer = identity.owner
    receiver = owner_side
    if receiver is not None and not receiver.name and receiver.email == identity.owner.email:
        receiver = identity.owner
    return Parties(referrer, prospects, receiver, owner_is_referrer, considered)
