"""The tunable knobs of intro detection, validated from rules.yaml's `detection:` key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any


def _phrases(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip().lower() for v in value)


def _unit(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{where}: expected a number between 0 and 1")
    return float(value)


def _thresholds(value: Any, where: str) -> dict[str, float]:
    """`thresholds: {intro: 0.5, question: 0.3}`: the two lines the intro score is read against."""
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a mapping with intro and question")
    out = {}
    for key, item in value.items():
        field = {"intro": "min_confidence", "question": "question_confidence"}.get(key)
        if field is None:
            raise ValueError(f"{where}.{key}: unknown key (expected intro or question)")
        out[field] = _unit(item, f"{where}.{key}")
    return out


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected a pipeline name or path")
    return value.strip()


def _size(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 200:
        raise ValueError(f"{where}: expected a whole number of at least 200")
    return value


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
        raise ValueError(f"{where}: expected a number of seconds between 0 and 3600")
    return float(value)


# How each key is checked; a key not named here is a list of cue phrases.
_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "pipeline": _name, "model": _name,
    "min_confidence": _unit, "ask_min_confidence": _unit, "question_confidence": _unit,
    "max_body_chars": _size, "max_scan_chars": _size, "max_header_chars": _size,
    "time_budget_seconds": _seconds,
}


@dataclass(frozen=True)
class DetectionRules:
    """How sure refmail must be before it calls a message an intro, and extra cue phrases.

    ``pipeline`` is "blank" (spaCy blank English + rules), or the name of an
    installed trained pipeline ("en_core_web_sm"), or a path to a saved one;
    a trained pipeline only adds NER evidence on top of the rules. ``model`` is the fitted intro
    model ("builtin", shipped in the package, or a folder written by `python -m refmail.training`);
    thresholds left unset take the ones chosen with it (refmail.domain.calls.thresholds).
    """

    pipeline: str = "blank"
    model: str = "builtin"
    # The intro threshold (rules.yaml `thresholds.intro`): at or above it, an intro refmail acts on.
    # The bottom of the question band (`thresholds.question`): from there up to the intro threshold refmail
    # is unsure, and asks the owner (mail handed to the assistant) or lists a possible intro (her own inbox).
    # Unset (the default), both are the lines chosen on validation with the fitted model.
    min_confidence: float | None = None
    question_confidence: float | None = None
    ask_min_confidence: float | None = None
    intro_phrases: tuple[str, ...] = ()
    ask_phrases: tuple[str, ...] = ()
    not_intro_phrases: tuple[str, ...] = ()
    urgent_phrases: tuple[str, ...] = ()
    relaxed_phrases: tuple[str, ...] = ()
    max_body_chars: int = 6000
    # Hostile mail must not stall a cycle: text past these sizes is not read (the cut is noted in the
    # reasons), and a message whose reading still takes longer than the budget (CPU seconds) is quarantined.
    max_scan_chars: int = 200_000
    max_header_chars: int = 65_536
    time_budget_seconds: float = 5.0

    @classmethod
    def from_mapping(cls, d: dict[str, Any] | None, path: str = "detection") -> "DetectionRules":
        """Build from a plain mapping; a ValueError names the first bad key."""
        if d is None:
            return cls()
        if not isinstance(d, dict):
            raise ValueError(f"{path}: expected a mapping")
        known = {f.name for f in fields(cls)} | {"thresholds"}
        values: dict[str, Any] = {}
        for key, value in d.items():
            where = f"{path}.{key}"
            if key not in known:
                raise ValueError(f"{where}: unknown key (expected one of {', '.join(sorted(known))})")
            if key == "thresholds":
                values.update(_thresholds(value, where))
            else:
                values[key] = _CHECKS.get(key, _phrases)(value, where)
        made = cls(**values)
        if made.question_confidence is not None and made.min_confidence is not None \
                and made.question_confidence > made.min_confidence:
            raise ValueError(f"{path}.thresholds.question: expected a number no higher than the intro threshold "
                             f"({made.min_confidence})")
        return made
