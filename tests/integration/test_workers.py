"""Several workers on one PostgreSQL database and one mailbox: one referral, one email, never two."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from refmail.app import decide, report
from refmail.domain.outbox import DraftEvent
from tests.e2e.harness import Cast, together, workers as _workers

pytestmark = pytest.mark.integration
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def workers(cast: Cast, url: str, n: int):  # type: ignore[no-untyped-def]
    return _workers(cast, url, n, MON)


def test_three_workers_share_one_postgres_without_doubling(mail_world, tmp_path, pg_url):
    cast = Cast.new(mail_world, tmp_path)
    apps = workers(cast, pg_url, 3)
    intro = cast.introduce(MON - timedelta(minutes=30))
    cast.send(intro)  # delivered twice, too
    for minute in range(3):
        together(apps, MON + timedelta(minutes=minute))
    refs = report.referrals(apps[0])
    assert len(refs) == 1
    drafts = report.drafts(apps[0])
    assert sorted(d["kind"] for d in drafts) == ["first_touch", "thank_source"]
    for d in drafts:
        decide.decide_by_id(apps[0], d["id"], DraftEvent.APPROVED, "test")
    for minute in range(5, 9):
        together(apps, MON + timedelta(minutes=minute))
    assert [m["X-Refmail"] for m in cast.from_refmail(cast.prospect)] == ["first_touch"]
    # Her thank-you, and the first touch in BCC (issue 10): each once, whatever the workers raced.
    assert sorted(m["X-Refmail"] for m in cast.from_refmail(cast.referrer)) == ["first_touch", "thank_source"]
    sent = [m for m in cast.inbox(cast.owner, "Sent") if m.get("X-Refmail") in ("first_touch", "thank_source")]
    assert len(sent) == 2
    assert report.referrals(apps[0])[0]["state"] == "contacted"
    # Each worker's approval mail to the owner went out once per draft, too.
    approvals = [m for m in cast.inbox(cast.owner) if str(m["Subject"]).startswith("[refmail] Approve: ")]
    assert len(approvals) == 2
