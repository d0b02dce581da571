"""A reply that reads like a meeting is set ("see you Tuesday at 10"): worth asking the owner to mark it met.

Only clear cues: a day (or tomorrow) together with seeing or meeting, or a confirmed slot. A reply that
merely proposes ("would Tuesday work?") is not one.
"""

from __future__ import annotations

import re

_DAY = (r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?|tomorrow|tonight|next week"
        r"|montag|dienstag|mittwoch|donnerstag|freitag|morgen"
        r"|lundi|mardi|mercredi|jeudi|vendredi|demain"
        r"|lunes|martes|miércoles|miercoles|jueves|viernes|mañana|manana")
_TIME = r"(?:\s*(?:at|@|um|à|a las)\s*\d{1,2}(?:[:.h]\d{2})?\s*(?:am|pm|h|uhr)?)?"
CUES = [
    rf"\bsee you (?:on |then,? )?(?:{_DAY})\b{_TIME}",
    rf"\b(?:looking forward to|look forward to) (?:meeting|seeing|speaking with|talking to|our (?:call|meeting|chat))"
    rf"[^.!?\n]{{0,40}}?\b(?:{_DAY})\b{_TIME}",
    rf"\b(?:(?:{_DAY})\b{_TIME}) (?:works|is confirmed|it is|it's|suits me)(?! for you)",
    r"\b(?:booked|confirmed|scheduled|sent (?:you )?(?:an|a calendar) invite)\b[^.!?\n]{0,40}\b(?:" + _DAY + r")\b",
    rf"\bbis (?:{_DAY})\b{_TIME}",
    rf"\bà (?:{_DAY})\b{_TIME}",
    rf"\bnos vemos (?:el )?(?:{_DAY})\b{_TIME}",
]
_CUE = re.compile("|".join(f"(?:{c})" for c in CUES), re.IGNORECASE)
_QUESTION = re.compile(r"\?\s*$")


def meeting_cue(text: str) -> str | None:
    """The phrase that says a meeting is set, or None. Questions ("see you Tuesday?") do not count."""
    for line in (text or "").splitlines():
        if line.lstrip().startswith(">"):
            continue  # quoted: someone else's words
        for match in _CUE.finditer(line):
            rest = line[match.end():]
            sentence_end = re.search(r"[.!?\n]", rest)
            tail = rest[: sentence_end.end()] if sentence_end else rest
            if _QUESTION.search(tail.strip()):
                continue
            return match.group(0).strip()
    return None
