"""The one place an intro score becomes a decision: intro, ask the owner, or not an intro.

Whatever produces the score (the rules today, a trained model later), the thresholds are rules
(rules.yaml `detection.thresholds`), and this is the only code that reads them.
"""

from __future__ import annotations

import enum

from refmail.domain.detection_rules import DetectionRules


class Call(enum.StrEnum):
    INTRO = "intro"
    QUESTION = "question"  # unsure: the owner decides
    NOT_INTRO = "not_intro"


def call(score: float, rules: DetectionRules) -> Call:
    if score >= rules.min_confidence:
        return Call.INTRO
    if score >= rules.question_confidence:
        return Call.QUESTION
    return Call.NOT_INTRO


def borderline(score: float, rules: DetectionRules, margin: float) -> bool:
    """Just under the intro threshold: where extra evidence (a trained pipeline's names) may tip it."""
    return rules.min_confidence - margin <= score < rules.min_confidence
