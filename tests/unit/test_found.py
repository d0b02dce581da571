"""The audit corpus (tests/corpus_found: fresh mail written blind to the rules; its misses became fixes)."""

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

FOUND = Path(__file__).resolve().parents[1] / "corpus_found"


@pytest.fixture(scope="module")
def report() -> Report:
    return run(FOUND, DetectionRules(), passes=1)


def test_referrer_and_prospects_exact_match(report):
    referrer, prospects, n = report.exact()
    assert n >= 25
    assert referrer >= 0.95 and prospects >= 0.95


def test_the_misses_that_became_fixes_stay_fixed(report):
    got = {r.label["file"]: r.got.kind.value for r in report.results}
    assert got["n37_meet_other_sense.eml"] == "other"  # "meet Tuesday" is a meeting
    assert got["n40_asks_owner_for_intro.eml"] == "other"  # "would you introduce me" asks the owner
    assert got["i04_nonnative.eml"] == "intro"  # "Mr. Rajesh Iyer (in copy)"
    assert got["i12_group_intro.eml"] == "intro"  # "Rita, Sam, Tara -- Olivia is ..."
