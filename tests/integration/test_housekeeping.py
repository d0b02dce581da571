"""Retention: unrelated mail loses its bytes after the rule's days; referral mail and quarantine are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from refmail.app.housekeeping import prune
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.store import models as m
from refmail.wiring import build_app

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_prune_drops_only_old_unrelated_bytes(backend, sqlite_url, request):
    url = sqlite_url if backend == "sqlite" else request.getfixturevalue("pg_url")
    app = build_app(load_settings(environ={"REFMAIL_OWNER": "owner@example.com", "REFMAIL_DATABASE_URL": url}),
                    clock=FixedClock(NOW))
    old = NOW - timedelta(days=31)
    with app.sessions.begin() as s:
        s.add(m.Referral(id="r1", state="contacted", intro_message_id="i@x", cadence={}, created_at=old,
                         updated_at=old))
        s.flush()
        for mid, kind, ref, err, at in [("a@x", "other", None, None, old), ("b@x", "reply", "r1", None, old),
                                        ("c@x", "unreadable", None, "bad", old), ("d@x", "other", None, None, NOW),
                                        ("e@x", "intro", None, None, old)]:
            s.add(m.Message(message_id=mid, account="o", folder="INBOX", source="inbox", uid=1, raw=b"bytes",
                            received_at=at, processed_at=at, kind=kind, referral_id=ref, error=err))
    assert prune(app, NOW) == 1
    with app.sessions() as s:
        raws = {row.message_id: row.raw for row in s.query(m.Message)}
    assert raws == {"a@x": b"", "b@x": b"bytes", "c@x": b"bytes", "d@x": b"bytes", "e@x": b"bytes"}
    assert prune(app, NOW) == 0
