"""The spaCy pipeline unit tests read mail with: loaded once per rule set and test run.

The app loads its own, once per App (wiring.pipeline_loader); the domain keeps no cache of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from refmail.domain import pipeline
from refmail.domain.detection_rules import DetectionRules
from refmail.domain.nlp import Pipeline
from refmail.domain.types import Identity, ParsedMessage, Understanding
from refmail.nlp_load import load_pipeline


@cache
def pipe_for(rules: DetectionRules | None = None) -> Pipeline:
    rules = rules or DetectionRules()
    return load_pipeline(rules, rules.model)


def understand(msg: ParsedMessage, identity: Identity, rules: DetectionRules | None = None,
               over_budget: Callable[[], bool] = lambda: False) -> Understanding:
    """domain.pipeline.understand with the pipeline for ``rules`` (the defaults when None)."""
    rules = rules or DetectionRules()
    return pipeline.understand(msg, identity, rules, pipe_for(rules), over_budget)
