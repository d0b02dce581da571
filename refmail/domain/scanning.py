"""Linear-time patterns shared by the steps that read message text: none of them backtracks over a long run.

A pattern that can start at every character of a long unbroken run and scan to its end is quadratic
("aaaa...a" with no "@" in it). Each pattern here starts only at the beginning of a run (a look-behind)
and never gives back what it took (possessive quantifiers), so one pass over the text is all it costs.
"""

from __future__ import annotations

import re

# An address in free text (bounce notices, quoted header blocks): local part, "@", dotted domain.
ADDRESS = re.compile(r"(?<![\w.+'=-])[\w.+'=-]++@[\w-]++(?:\.[\w-]++)+")
# The same without "=" in the local part (quoted header blocks: "a=b@c" there is a mangled line, not an address).
ADDRESS_NO_EQ = re.compile(r"(?<![\w.+'-])[\w.+'-]++@[\w-]++(?:\.[\w-]++)+")


def addresses_in(text: str) -> tuple[str, ...]:
    """Every address written out in ``text``, lower-cased, once each, in order ("...at carol@x.example.")."""
    return tuple(dict.fromkeys(m.group(0).lower().rstrip(".") for m in ADDRESS_NO_EQ.finditer(text)))


def bounded(text: str, limit: int) -> tuple[str, str | None]:
    """`text` cut to `limit` characters, and the note for the reasons trail when it was cut."""
    if len(text) <= limit:
        return text, None
    return text[:limit], f"text cut to its first {limit:,} of {len(text):,} characters for reading (rules.yaml)"
