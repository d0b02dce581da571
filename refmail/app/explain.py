"""`refmail parse`: read .eml files and say what refmail understands of each, in order."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import getaddresses
from typing import Any

from refmail.domain.parse import parse_message
from refmail.domain.pipeline import understand, understanding_json
from refmail.domain.rules import Rules
from refmail.domain.types import Identity, ParseFailure, Person


def identity_for(owner: str, assistant: str = "") -> Identity:
    people = [(n, a.strip().lower()) for n, a in getaddresses([owner]) if "@" in a]
    if not people:
        raise ValueError(f"no email address in owner {owner!r}")
    name, email = people[0]
    return Identity(Person(name, email), tuple(a for _, a in people[1:]), assistant.strip().lower())


def parse_files(files: list[str], owner: str, assistant: str = "", rules: Rules | None = None) -> Iterator[dict[str, Any]]:
    """One result per file; a file that cannot be read yields {"file", "error"} and the rest go on."""
    identity = identity_for(owner, assistant)
    detection = rules.detection_rules if rules else None
    for name in files:
        try:
            with open(name, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            yield {"file": name, "error": f"cannot read: {exc.strerror or exc}"}
            continue
        parsed = parse_message(raw)
        if isinstance(parsed, ParseFailure):
            yield {"file": name, "error": parsed.error}
            continue
        yield understanding_json(name, understand(parsed, identity, detection))
