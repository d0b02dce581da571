"""`refmail parse`: read .eml files and say what refmail understands of each, in order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from refmail.domain.parse import parse_message
from refmail.domain.pipeline import understand, understanding_json
from refmail.domain.detection_rules import DetectionRules
from refmail.domain.rules import Rules
from refmail.domain.types import Identity, ParseFailure

if TYPE_CHECKING:
    from refmail.domain.nlp import Pipeline


def parse_files(files: list[str], identity: Identity, rules: Rules | None,
                pipeline: Callable[[], Pipeline]) -> Iterator[dict[str, Any]]:
    """One result per file; a file that cannot be read yields {"file", "error"} and the rest go on.

    ``pipeline`` is asked for on the first message that parses (wiring.pipeline_loader).
    """
    detection = rules.detection_rules if rules else DetectionRules()
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
        try:
            u = understand(parsed, identity, detection, pipeline())
        except Exception as exc:  # a bug is no verdict: this file says so, the others go on
            yield {"file": name, "error": f"understanding failed: {type(exc).__name__}: {exc}"}
            continue
        yield understanding_json(name, u)
