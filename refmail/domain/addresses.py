"""Address headers -> Persons: split before decoding, names decoded, "Last, First" kept as one person."""

from __future__ import annotations

import email.utils
import re
from email.header import decode_header, make_header

from refmail.domain.charsets import codec
from refmail.domain.types import Person

# "carol@example.net" or "Carol Prospect <carol@example.net>": letters, digits, spaces, hyphens and apostrophes in
# the name; anything else (quotes, commas, dots, encoded words, comments, groups) goes to the full parser.
_SIMPLE = re.compile(r"[ \t]*(?:(?P<bare>[\w.+'-]+@[\w.-]+)|(?P<name>[\w' -]*?)[ \t]*<(?P<addr>[\w.+'-]+@[\w.-]+)>)[ \t]*")
_EMAIL = re.compile(r"^[^@\s/<>()\[\],;:\"]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$|^[^@\s]+@localhost$")


def decode_text(value: object) -> str:
    """A header value as text: RFC 2047 words decoded, broken charsets replaced, not raised."""
    value = str(value)
    if "=?" not in value:  # no encoded word: the value is its text (make_header would rebuild it, 20 µs a header)
        return value
    try:
        return str(make_header([(chunk, codec(label)) for chunk, label in decode_header(value)]))
    except Exception:
        return value.encode("utf-8", "replace").decode("utf-8", "replace")


def _name(name: str) -> str:
    name = " ".join(name.replace('"', " ").split()).strip("'")
    if "@" in name:
        return ""
    if name.count(",") == 1:  # "Prospect, Carol" -> "Carol Prospect"
        last, first = (p.strip() for p in name.split(","))
        if last and first and " " not in last:
            return f"{first} {last}"
    return name


def addresses(value: str) -> tuple[Person, ...]:
    """Lower-cased addresses with decoded names; an unquoted "Last, First <x>" stays one person.

    The header is split into addresses *before* RFC 2047 words are decoded: a display name such as
    =?utf-8?q?Carol_=3Ccarol=40example=2Enet=3E?= <mallory@evil.test> is Mallory, never Carol.
    """
    value = str(value)
    simple = _SIMPLE.fullmatch(value)
    if simple:  # one plain address, or a plain name and one: what the full parser would read, a tenth of its cost
        name, addr = " ".join((simple["name"] or "").split()), (simple["addr"] or simple["bare"]).lower()
        return (Person(_name(name), addr),) if _EMAIL.match(addr) else ()
    people: dict[str, Person] = {}  # by address: a set lookup per address, not a scan of those so far
    dangling = ""
    for name, original in email.utils.getaddresses([value]):
        name = decode_text(name)
        addr = original.strip().strip("<>").lower()
        if not _EMAIL.match(addr):
            dangling = "" if "@" in addr else decode_text(original or name).strip()
            continue
        if dangling and not name:
            name = dangling
        elif dangling and name and " " not in dangling:
            name = f"{dangling}, {name}"
        dangling = ""
        people.setdefault(addr, Person(_name(name), addr))
    return tuple(people.values())


def recipients(value: str) -> tuple[Person, ...]:
    """To and Cc: some clients encode the whole list, addresses included, as RFC 2047 words.

    Read decoded only when the header names no address as written. Never for From or Reply-To: there a
    display name must not become the address refmail believes or answers.
    """
    found = addresses(value)
    if found or "=?" not in value:
        return found
    return addresses(decode_text(value))
