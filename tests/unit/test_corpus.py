"""The labelled corpus meets issue 3's targets; autoreplies and bounces are never intros or replies."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.understanding import Report, run
from refmail.domain.detection_rules import DetectionRules

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.fixture(scope="module")
def report() -> Report:
    return run(CORPUS, DetectionRules(), passes=1)


def test_corpus_is_big_and_varied(report):
    kinds = {r.label["kind"] for r in report.results}
    assert len(report.results) >= 200
    assert kinds >= {"intro", "double_opt_in_ask", "reply", "autoreply", "bounce", "other"}


def test_every_message_is_read(report):
    assert [r.label["file"] for r in report.results if r.got is None and "error" not in r.label] == []


def test_intro_precision_and_recall(report):
    precision, recall, _ = report.kinds()["intro"]
    assert precision >= 0.98
    assert recall >= 0.97


def test_referrer_and_prospects_exact_match(report):
    referrer, prospects, n = report.exact()
    assert n >= 100
    assert referrer >= 0.95
    assert prospects >= 0.95


def test_no_autoreply_or_bounce_is_read_as_intro_or_reply(report):
    assert report.unsafe() == []


def test_expected_extra_fields(report):
    wrong = []
    for r in report.results:
        label, u = r.label, r.got
        if "return_date" in label and (u.return_date.isoformat() if u.return_date else None) != label["return_date"]:
            wrong.append((label["file"], "return_date", u.return_date))
        if label.get("permanent") and not u.permanent:
            wrong.append((label["file"], "permanent"))
        if label.get("do_not_contact") and not u.do_not_contact:
            wrong.append((label["file"], "do_not_contact"))
        if "failed_addresses" in label and list(u.failed_addresses) != label["failed_addresses"]:
            wrong.append((label["file"], "failed", u.failed_addresses))
        if label.get("owner_is_referrer") and not u.owner_is_referrer:
            wrong.append((label["file"], "owner_is_referrer"))
        if "urgency" in label and (u.urgency.value if u.urgency else None) != label["urgency"]:
            wrong.append((label["file"], "urgency", u.urgency))
        if "reply_contains" in label and label["reply_contains"] not in (u.reply_text or ""):
            wrong.append((label["file"], "reply_text", u.reply_text))
        if "replied_by" in label and (u.replied_by.email if u.replied_by else None) != label["replied_by"]:
            wrong.append((label["file"], "replied_by", u.replied_by))
    assert wrong == []


@pytest.fixture(scope="module")
def shared():
    if not (SHARED / "labels.yaml").exists():
        pytest.skip("shared corpus not present")
    return run(SHARED, DetectionRules(), passes=1)


def test_shared_corpus_safety(shared):
    """Real mail written by others: no autoreply or bounce is ever read as an intro or a reply."""
    assert shared.unsafe() == []


def test_shared_corpus_intros(shared):
    precision, recall, _ = shared.kinds()["intro"]
    assert precision >= 0.5 and recall == 1.0
