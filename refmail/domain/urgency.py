"""Timing cues in an intro ("they need this by Friday", "she's only in town till Friday", "no rush",
"urgent") -> Urgency and the phrase."""

from __future__ import annotations

from refmail.domain.availability import availability
from refmail.domain.nlp import Analysis, Pipeline, analysed, window
from refmail.domain.types import Urgency


def urgency(pipe: Pipeline, text: str, memo: dict[str, Analysis] | None = None) -> tuple[Urgency | None, str]:
    """The strongest timing cue in the text; relaxed wins over urgent ("not urgent", "no rush")."""
    if not text.strip():
        return None, ""
    doc, cues = analysed(pipe, window(text), memo)
    found: dict[str, str] = {}
    for match_id, start, end in pipe.urgency(doc):
        found.setdefault(pipe.nlp.vocab.strings[match_id], doc[start:end].text)
    for label, start, end in cues:
        if label == "DEADLINE":
            found.setdefault("DEADLINE", doc[max(0, start - 3): min(len(doc), end + 2)].text)
    if "DEADLINE" not in found:
        window_closes = availability(window(text))  # "he leaves on Thursday": a deadline by another name
        if window_closes:
            found["DEADLINE"] = window_closes
    if "RELAXED" in found:
        return Urgency.RELAXED, found["RELAXED"]
    if "URGENT" in found:
        return Urgency.URGENT, found["URGENT"]
    if "DEADLINE" in found:
        return Urgency.DEADLINE, found["DEADLINE"]
    return None, ""
