"""The held-out corpus (tests/corpus_holdout, written blind to the rules) meets issue 3's targets too.

The checks are test_corpus.py's own, run here against the holdout's report; only the size floor of the
exact-match check differs (the holdout has about 50 intros, the project corpus over 100).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.understanding import Report, run
from refmail.domain.detection_rules import DetectionRules
from tests.unit.test_corpus import (  # noqa: F401  (collected here with this module's `report` fixture)
    test_expected_extra_fields,
    test_every_message_is_read,
    test_intro_precision_and_recall,
    test_no_autoreply_or_bounce_is_read_as_intro_or_reply,
)

HOLDOUT = Path(__file__).resolve().parents[1] / "corpus_holdout"


@pytest.fixture(scope="module")
def report() -> Report:
    return run(HOLDOUT, DetectionRules(), passes=1)


def test_holdout_is_big_and_varied(report):
    kinds = {r.label["kind"] for r in report.results}
    assert len(report.results) >= 80
    assert kinds >= {"intro", "double_opt_in_ask", "reply", "autoreply", "bounce", "other"}


def test_referrer_and_prospects_exact_match(report):
    referrer, prospects, n = report.exact()
    assert n >= 50
    assert referrer >= 0.95
    assert prospects >= 0.95
