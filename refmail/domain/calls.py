"""The one place an intro score becomes a decision: intro, ask the owner, or not an intro.

The lines are those chosen on a validation split with the fitted model, unless rules.yaml
(`detection.thresholds`) sets its own; this is the only code that reads them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from refmail.domain.detection_rules import DetectionRules
from refmail.domain.scoring import IntroModel


class Call(enum.StrEnum):
    INTRO = "intro"
    QUESTION = "question"  # unsure: the owner decides
    NOT_INTRO = "not_intro"


@dataclass(frozen=True)
class Thresholds:
    intro: float
    question: float
    ask: float


def thresholds(rules: DetectionRules, model: IntroModel) -> Thresholds:
    """rules.yaml's lines where it sets them, else the model's; the question band never rises above the intro line."""
    intro = rules.min_confidence if rules.min_confidence is not None else model.threshold
    question = rules.question_confidence if rules.question_confidence is not None else model.question_min
    ask = rules.ask_min_confidence if rules.ask_min_confidence is not None else model.ask_threshold
    return Thresholds(intro, min(question, intro), ask)


def call(score: float, lines: Thresholds) -> Call:
    if score >= lines.intro:
        return Call.INTRO
    if score >= lines.question:
        return Call.QUESTION
    return Call.NOT_INTRO


def borderline(score: float, lines: Thresholds, margin: float) -> bool:
    """Just under the intro threshold: where extra evidence (a trained pipeline's names) may tip it."""
    return lines.intro - margin <= score < lines.intro
