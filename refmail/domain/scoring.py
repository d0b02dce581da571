"""The fitted intro model: cue values -> calibrated probabilities of intro and double opt-in ask.

The weights are data (refmail/data/intro_model/weights.json, written by `python -m refmail.training`),
so no number here says how much a cue counts; that was learnt from the labelled corpora.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

CLASSES = ("intro", "ask", "other")


@dataclass(frozen=True)
class IntroModel:
    """A multinomial logistic regression over named cues, with thresholds chosen on a validation split."""

    features: tuple[str, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per class in CLASSES
    bias: tuple[float, ...]
    threshold: float  # intro at or above this
    question_min: float  # between this and threshold: ask the owner
    ask_threshold: float = 0.5
    about: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any]) -> "IntroModel":
        if tuple(d.get("classes", ())) != CLASSES:
            raise ValueError(f"intro model: classes must be {list(CLASSES)}")
        feats = tuple(d["features"])
        weights = tuple(tuple(float(w) for w in row) for row in d["weights"])
        if len(weights) != len(CLASSES) or any(len(row) != len(feats) for row in weights):
            raise ValueError("intro model: weights do not match classes x features")
        return cls(feats, weights, tuple(float(b) for b in d["bias"]), float(d["threshold"]),
                   float(d["question_min"]), float(d.get("ask_threshold", 0.5)), dict(d.get("about", {})))

    def as_mapping(self) -> dict[str, Any]:
        return {"classes": list(CLASSES), "features": list(self.features), "weights": [list(r) for r in self.weights],
                "bias": list(self.bias), "threshold": self.threshold, "question_min": self.question_min,
                "ask_threshold": self.ask_threshold, "about": dict(self.about)}


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def text_model_features(scores: Mapping[str, float]) -> dict[str, float]:
    """The text classifier's scores as the regression reads them (at run time and in training alike): as
    logits, and the intro logit again times the share of the text's words it was trained on, with the share
    it was not, so the regression learns how far to trust it on text unlike its training mail."""
    z = logit(scores["textcat_intro"])
    features = {"textcat_intro_logit": z, "textcat_ask_logit": logit(scores["textcat_ask"])}
    if "known" in scores:
        features |= {"textcat_intro_logit_known": z * scores["known"], "text_unknown": 1.0 - scores["known"]}
    return features


def score(model: IntroModel, features: Mapping[str, float], ask_possible: bool = True) -> tuple[float, float]:
    """P(intro), P(ask) for one candidate text; cues the model does not know are ignored, missing ones are 0.

    A double opt-in ask goes to one side alone: with both sides on the mail it is impossible, and the
    probabilities are those of the other classes given that (no linear weight can say "never").
    """
    x = [features.get(name, 0.0) for name in model.features]
    logits = [b + sum(w * v for w, v in zip(row, x)) for row, b in zip(model.weights, model.bias)]
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    if not ask_possible:
        exps[1] = 0.0
    total = sum(exps)
    return exps[0] / total, exps[1] / total


@dataclass(frozen=True)
class PersonModel:
    """A binary logistic regression over one addressed person's cues: is she introduced?
    (refmail/data/intro_model/people.json, written by `python -m refmail.training`)."""

    weights: Mapping[str, float]
    bias: float
    threshold: float = 0.5
    about: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any]) -> "PersonModel":
        return cls({str(k): float(v) for k, v in d["weights"].items()}, float(d["bias"]),
                   float(d.get("threshold", 0.5)), dict(d.get("about", {})))

    def as_mapping(self) -> dict[str, Any]:
        return {"weights": dict(sorted(self.weights.items())), "bias": self.bias, "threshold": self.threshold,
                "about": dict(self.about)}

    def probability(self, features: Mapping[str, float]) -> float:
        """Cues the model does not know are ignored."""
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
