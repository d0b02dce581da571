"""Messages carried inside a body's text: inline forwards and quoted replies of the common clients."""

from __future__ import annotations

import hashlib
import heapq
import re
from functools import partial

from anyascii import anyascii

from refmail.domain.addresses import addresses
from refmail.domain.mailtext import (ATTRIBUTION, ATTRIBUTION_LEADS, FIELD_KEY, FIELD_NAMES, FIELD_WORDS, LETTER, MARKS,
                                      FORWARD_END_WORDS, FROM_FIELDS, SEPARATOR, UNNAMED_FROM, UNNAMED_SEPARATOR,
                                      WRITER_FIRST_LEADS, WROTE_PATTERN, attribution_matches, unglued_header_fields)
from refmail.domain.scanning import ADDRESS_NO_EQ, addresses_in
from refmail.domain.types import ParsedMessage, Person

MAX_DEPTH = 3
_SEPARATOR = re.compile(r"^[> ]*" + SEPARATOR + r"\s*$", re.IGNORECASE | re.MULTILINE)
_ATTRIBUTION = re.compile(r"^[> ]*" + ATTRIBUTION, re.IGNORECASE | re.MULTILINE)
_ALL_FIELDS = "|".join(name for names in FIELD_NAMES.values() for name in names)
_FIELD = re.compile(r"^[> *]*(" + _ALL_FIELDS + r")\s*\*?[:：]\s*\*?(.*)$", re.IGNORECASE)
_ADDR = ADDRESS_NO_EQ
# A field whose name no list here holds ("Dată:" of Romanian Apple Mail), inside a block begun by a known "From":
# one to three words, and a value as a date or an address list has (a year, a time or an address). Kept under its
# own name, or read as copied people when it names an address, so that one unknown word does not end the block
# and lose the sender or a prospect.
_OTHER_FIELD = re.compile(r"^[> *]*(" + FIELD_WORDS + r")\s*\*?[:：]\s*\*?"
                          r"(.*?(?:@|\b\d{1,2}[:.]\d{2}\b|\b(?:19|20)\d{2}\b).*)$")
_BEGIN_FROM = re.compile(r"^[> *]*(" + "|".join(FROM_FIELDS) + r")\s*\*?[:：]\s*\*?.*\S.*$", re.IGNORECASE | re.MULTILINE)
_BEGIN_UNNAMED = re.compile(r"^[> *]*" + UNNAMED_FROM, re.IGNORECASE | re.MULTILINE)
_UNNAMED_SEPARATOR = re.compile(r"^[> ]*" + UNNAMED_SEPARATOR, re.MULTILINE)
# Any field under such a separator, whatever its name: the separator vouches for the block.
_ANY_FIELD = re.compile(r"^[> *]*(" + FIELD_WORDS + r")\s*\*?[:：]\s*\*?(.*\S.*)$")

# A writer's name with no address, as an attribution gives it ("Ingrid Berg", "सुष्मा श्रेष्ठ").
_BARE_NAME = re.compile(LETTER + r"(?:[\w.'’ -]|[" + MARKS + r"]){0,60}")


def _key(name: str) -> str:
    """What a quoted block's field name means ("from", "to", "cc", "subject"), or the name itself (dates, and names
    no list holds)."""
    return FIELD_KEY.get(name.lower(), name.lower())


def _unquote(lines: list[str]) -> list[str]:
    return [re.sub(r"^> ?", "", line) for line in lines]


# "Carol [carol@example.net]" (Outlook): starts only where a blank run starts, never re-scans a "[[[[" run.
_BRACKETED = re.compile(r"(?<!\s)\s*+\[(?:mailto:)?([^\[\]@\s]++@[^\[\]\s]++)\]")


def _address_field(value: str):
    value = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", value)
    value = _BRACKETED.sub(r"<\1>", value)
    return addresses(value.replace(";", ","))


def _header_block(lines: list[str], start: int, unnamed_sender: bool = False,
                  vouched: bool = False) -> tuple[dict[str, str], int] | None:
    """Fields of a "From:/Sent:/To:/Subject:" block at ``start``; None if it isn't one.

    ``unnamed_sender``: the block's first field is its sender under a name no list holds (UNNAMED_FROM).
    ``vouched``: a separator says a block starts here, so a field of any name and value belongs to it."""
    fields: dict[str, str] = {}
    i, last = start, None
    while i < len(lines) and i < start + 16:
        line = lines[i]
        match = _FIELD.match(line)
        other = ((_ANY_FIELD if vouched else _OTHER_FIELD).match(line)
                 if (fields or unnamed_sender) and not match else None)
        if match or other:
            match = match or other
            last = _key(match.group(1))
            if other and not fields:
                last = "from"
            elif other and _ADDR.search(match.group(2)):
                last = "cc"  # people under a field name no list holds ("نسخة إلى:"): the sender has its own field
            fields[last] = (fields.get(last, "") + " " + match.group(2)).strip()
        elif not line.strip():
            # HTML mail turned into text often leaves blank lines between the fields of one block
            nxt = next((ln for ln in lines[i + 1:i + 3] if ln.strip()), "")
            follow = _FIELD.match(nxt)
            if fields and not (follow and _key(follow.group(1)) not in fields):
                break
        elif last in ("to", "cc") and (_ADDR.search(line) or line.startswith((" ", "\t"))):
            fields[last] += " " + line.strip()
        else:
            break
        i += 1
    if "from" not in fields or len(fields) < 2:
        return None
    return fields, i


_MAX_NAMES = 50  # names without addresses read from one field: a hostile "Cc: a; b; c; ..." stays cheap


def _people(value: str, written: tuple[str, ...], known: tuple[Person, ...]) -> tuple[Person, ...]:
    """A header field of a quoted block. Old Outlook writes names without addresses ("Cc: Ramesh Agarwal;
    Jo Ng"): each is the one person of that name on the thread, or the one address in the quoted text that
    spells the name (``written``: "ramesh@agarwalfabrics.example", often under "his email is" or in a signature)."""
    found = list(_address_field(value))
    for name in value.split(";", _MAX_NAMES)[:_MAX_NAMES]:
        name = name.strip().strip('"\'')
        if name and "@" not in name and not _ADDR.search(name):
            found += _by_name(name, known) or _spelled_in(name, written)
    return tuple(dict.fromkeys(found))


def _spelled_in(name: str, written: tuple[str, ...]) -> tuple[Person, ...]:
    """The one address in ``written`` whose local part spells the name: a word of it ("ramesh@", "duskova@"),
    or its initials and then its last words ("ctba@" for Cheikh Tidiane BA, "jsmith@", "cjs@"); a name in
    another script is spelled in Latin letters too ("v.lebedev@" for Виктор Лебедев)."""
    spellings = [re.findall(r"[^\W\d_]+", form.lower())[:6] for form in dict.fromkeys((name[:200], anyascii(name[:200])))]
    words = {w for every in spellings for w in every if len(w) >= 3}
    if not words:
        return ()
    initialled = {"".join(w[0] for w in every[:i]) + "".join(every[i:])
                  for every in spellings for i in range(1, len(every) + 1)}
    initialled = {form for form in initialled if len(form) >= 3}
    scored: dict[str, float] = {}
    for address in written:
        local, _, domain = address.partition("@")
        hits = sum(w in local for w in words) or 2 * (re.sub(r"[\W\d_]", "", local) in initialled)
        if hits:
            scored[address] = hits + 0.5 * sum(w in domain.split(".")[0] for w in words)
    if not scored:
        return ()
    best = max(scored.values())
    winners = [a for a, v in scored.items() if v == best]
    return (Person(" ".join(name.split()), winners[0]),) if len(winners) == 1 else ()


_FORWARD_END = re.compile(r"^[> ]*-{2,}[ \t]*(?:" + "|".join(FORWARD_END_WORDS) + r")[ \t]*-*[ \t]*$",
                          re.IGNORECASE | re.MULTILINE)


def _closing_recipients(body: str) -> tuple[dict[str, str], str]:
    """The recipients Yandex Mail writes under a forwarded message's text, over its closing line, and the text
    without them (or nothing, and the text as it is, when the message has no closing line).

    Only the lines right above the closing line are read, from the bottom up: a "Кому:" inside the text stays text.
    The last closing line is this message's: one above it closes a message it forwards in turn."""
    end = None
    for end in _FORWARD_END.finditer(body):
        pass
    if end is None:
        return {}, body
    lines = body[:end.start()].rstrip().split("\n")
    fields: dict[str, str] = {}
    while lines:
        field = _FIELD.match(lines[-1])
        key = _key(field.group(1)) if field else None
        if key not in ("to", "cc") or not _ADDR.search(field.group(2)):
            if lines[-1].strip():
                break
        else:
            fields[key] = (field.group(2) + " " + fields.get(key, "")).strip()
        lines.pop()
    return fields, "\n".join(lines).rstrip() + "\n"


def _embedded(fields: dict[str, str], body: str, depth: int, known: tuple[Person, ...],
              carded: frozenset[str] = frozenset()) -> ParsedMessage:
    closing, body = _closing_recipients(body)
    fields = closing | fields  # a block's own fields win: the closing line may be the end of a message it quotes
    written = addresses_in(body[:20000])[:200]
    senders = _people(fields.get("from", ""), written, known)[:1]
    to, cc = _people(fields.get("to", ""), written, known), _people(fields.get("cc", ""), written, known)
    digest = hashlib.sha256((repr(sorted(fields.items())) + body).encode("utf-8", "replace")).hexdigest()[:24]
    return ParsedMessage(
        message_id=f"refmail-embedded-{digest}@missing",
        subject=fields.get("subject", ""),
        sender=senders[0] if senders else None,
        to=to,
        cc=cc,
        reply_to=(),
        date=None,
        in_reply_to=None,
        references=(),
        headers=tuple((k, v) for k, v in fields.items()),
        text=body,
        carded=carded.intersection(written),  # the cards pasted into its text, not those of the messages around it
        quoted_reader=partial(embedded_messages, body, depth + 1, senders + to + cc + known, carded),
    )


def _by_name(name: str, known: tuple[Person, ...]) -> tuple[Person, ...]:
    """ "On ..., Ingrid Berg wrote:" names no address: the one person on the thread of that name."""
    wanted = " ".join(name.strip(' "').split()).lower()
    if not wanted or "@" in wanted:
        return ()
    found = {p.email: p for p in known if p.name and " ".join(p.name.split()).lower() == wanted}
    return tuple(found.values()) if len(found) == 1 else ()


def embedded_messages(text: str, depth: int = 0, known: tuple[Person, ...] = (),
                      carded: frozenset[str] = frozenset()) -> tuple[ParsedMessage, ...]:
    """The first forwarded/original message in ``text`` (with its own nested ones), as ParsedMessages.

    ``known``: the people on the messages around it, by whom a name-only attribution is resolved.
    ``carded``: the addresses the contact cards in ``text`` give; each message keeps those written in its own part.
    """
    if depth >= MAX_DEPTH or not text:
        return ()
    text = unglued_header_fields(text[:60000])
    spelled_tries = 3
    # Every kind of opening, in the order of the text: each scan runs only as far as the first opening that
    # holds up, not over the whole text (what a reply quotes is most of it).
    candidates = heapq.merge(((m.start(), m.end(), "separator") for m in _SEPARATOR.finditer(text)),
                             ((m.start(), m.end(), "attribution") for m in attribution_matches(_ATTRIBUTION, text)),
                             ((m.start(), m.start(), "block") for m in _BEGIN_FROM.finditer(text)),
                             ((m.start(), m.start(), "unnamed") for m in _BEGIN_UNNAMED.finditer(text)),
                             ((m.start(), m.end(), "unnamed separator") for m in _UNNAMED_SEPARATOR.finditer(text)))
    for start, end, how in candidates:
        # Only a candidate that holds up reads the rest of the text: splitting it for every failed
        # candidate was quadratic on a body of thousands of "From: x" lines.
        if how == "attribution":
            head = " ".join(text[start:end].split())
            fields = {"from": _attribution_sender(head)}
            if not (_address_field(fields["from"]) or _by_name(fields["from"], known)):
                # A name alone ("Dne 12. 2. 2024 v 21:03 Michaela Dušková napsal(a):"), resolved by the address
                # the quote spells under it (her signature); tried on the first few only: a hostile body of
                # thousands of "On a wrote:" lines stays linear.
                spelled_tries -= 1
                if spelled_tries < 0 or not _spelled_in(fields["from"], addresses_in(text[end:end + 20000])[:200]):
                    continue
            body_lines = text[end:].lstrip("\n").split("\n")
            if body_lines and body_lines[0].startswith(">"):
                body_lines = _unquote([ln for ln in body_lines if ln.startswith(">") or not ln.strip()])
            under, body_lines = _fields_under_attribution(body_lines)
            return (_embedded(under | fields, "\n".join(body_lines), depth, known, carded),)
        first = _first_lines(text, end, _BLOCK_LINES)
        quoted = bool(first) and first[0].startswith(">")
        found = _header_block(_unquote(first) if quoted else first, 0, unnamed_sender=how.startswith("unnamed"),
                              vouched=how == "unnamed separator")
        if found is None:
            continue
        fields, stop = found
        lines = text[end:].lstrip("\n").split("\n")
        if quoted:
            lines = _unquote(lines)
        return (_embedded(fields, "\n".join(lines[stop:]).strip("\n"), depth, known, carded),)
    return ()


def _fields_under_attribution(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The fields Yandex Mail writes under a forward's attribution line ("Кому:", "Копия:", "Тема:"), and the lines
    after them; none, and the lines as they are, unless they name a recipient by address ("To: whom it may
    concern" opens a text)."""
    fields: dict[str, str] = {}
    i = 0
    while i < min(len(lines), 8):
        field = _FIELD.match(lines[i])
        key = _key(field.group(1)) if field else None
        if key in (None, "from"):
            break
        fields[key] = (fields.get(key, "") + " " + field.group(2)).strip()
        i += 1
    if not any(_ADDR.search(fields.get(key, "")) for key in ("to", "cc")):
        return {}, lines
    return fields, lines[i:]


_BLOCK_LINES = 20  # _header_block reads at most 16 lines and looks 2 ahead


def _first_lines(text: str, at: int, count: int) -> list[str]:
    """The first `count` lines of text[at:] (leading newlines dropped) without copying the rest."""
    while at < len(text) and text[at] == "\n":
        at += 1
    lines: list[str] = []
    while len(lines) < count:
        stop = text.find("\n", at)
        if stop < 0:
            lines.append(text[at:])
            break
        lines.append(text[at:stop])
        at = stop + 1
    return lines


# Everything up to the time an attribution gives ("... 2024 v 21:03 ", "... at 10:05 AM ", Korean iOS "... 오전 2:11에 "):
# the name follows it.
_UP_TO_TIME = re.compile(r"^.*\d{1,2}[:.]\d{2}(?:\s*[AaPp][Mm])?(?:에)?\s*")


def _attribution_sender(head: str) -> str:
    head = re.sub(r"^[> -]*(" + "|".join(ATTRIBUTION_LEADS + WRITER_FIRST_LEADS) + r")\s", "", head, flags=re.IGNORECASE)
    head = re.sub(r"\s*(" + WROTE_PATTERN + r")\s*(?::|-{3,})\s*$", "", head, flags=re.IGNORECASE)
    head = re.sub(r"\s*[:：]\s*$", "", head)
    # '"Source, Alice" <a@x>': the quotes say where the name ends
    quoted = re.search(r'"([^"<>\n]{1,120})"\s*<([^<>\s]+@[^<>\s]+)>', head)
    if quoted:
        return f'"{quoted.group(1).strip()}" <{quoted.group(2)}>'
    # "Alice Source <a@x>", or Finnish Gmail's "Vainio Olli (a@x)"
    match = (re.search(r"([^,<>]*?)\s*<([^<>\s]+@[^<>\s]+)>", head)
             or re.search(r"([^,<>()]*?)\s*\(([^()<>\s]+@[^()<>\s]+)\)", head))
    if match:
        name = _UP_TO_TIME.sub("", match.group(1)).strip(' ,(、，"')
        name = re.sub(r"^(?:(?:at|um|à|a las|om|kl\.?|alle ore|às|het|heeft|schreef|skrev|schrieb|saatinde|je)\s+)+", "", name,
                      flags=re.IGNORECASE)
        return f'"{name}" <{match.group(2)}>' if name else match.group(2)
    bare = _ADDR.search(head)
    if bare:
        return bare.group(0)
    # Thunderbird and others: "On 05.03.2025 09:00, Ingrid Berg wrote:" (the name after the last comma);
    # Apple Mail in Czech: "Dne 12. 2. 2024 v 21:03 Michaela Dušková napsal(a):" (the name after the time).
    name = head.rsplit(",", 1)[-1] if "," in head else _UP_TO_TIME.sub("", head)
    name = re.sub(r"^ο/η\s+", "", name.strip())  # Greek Gmail: "Στις 13/3/2024 9:47 π.μ., ο/η Πέτρος Σακελλαρίου έγραψε:"
    return name if _BARE_NAME.fullmatch(name) else ""
