"""Migration 0015: timeline rows written before it get the event and actor their wording said."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from refmail.store import db

pytestmark = pytest.mark.integration

OLD_ROWS = [  # (kind, text, detail) as refmail up to 0014 wrote them
    ("message_in", "reply from carol@example.net: Re: Intro", {"reply_text": "Happy to talk"}),
    ("message_in", "reply from c.p@home.example (for carol@example.net): Re: Intro", {}),
    ("message_in", "reply from carol@example.net, forwarded by the owner: Fwd: Re: Intro", {}),
    ("message_in", "intro from Alice Source <alice@example.org>: Intro", {}),
    ("message_in", "out-of-office from dan@example.net, back 2026-12-01", {}),
    ("message_in", "dan@example.net bounced", {}),
    ("message_in", "calendar invitation accepted by carol@example.net: Coffee", {}),
    ("message_in", "referrer wrote on the thread: Re: Intro", {}),
    ("message_out", "owner wrote by hand: Re: Intro", {}),
    ("whose", "reply from eve@example.com on the thread, whose?", {"sender": "eve@example.com"}),
    ("note", "reply not applied: closed", {}),
    ("state", "prospect replied (contacted -> replied)", {"event": "ProspectReplied"}),
]
EXPECTED = [
    ("reply", "carol@example.net"), ("reply", "c.p@home.example"), ("reply", "carol@example.net"),
    ("intro", None), ("autoreply", "dan@example.net"), ("bounce", "dan@example.net"), ("meeting", None),
    ("referrer_wrote", None), ("owner_wrote", None), ("untied_reply", "eve@example.com"), (None, None), (None, None),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_url):  # type: ignore[no-untyped-def]
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_old_timeline_rows_get_their_event_and_actor(url):
    engine = db.make_engine(url)
    db.upgrade(engine, "0014")
    with engine.begin() as c:
        c.execute(text("INSERT INTO referrals (id, state, intro_message_id, intro_subject, context, owner_is_referrer, "
                       "cadence, unanswered, created_at, updated_at) VALUES ('r1', 'replied', 'i@x', 'Intro', '', "
                       "false, '{}', 0, '2026-11-20 09:00:00', '2026-11-20 09:00:00')"))
        for kind, words, detail in OLD_ROWS:
            c.execute(text("INSERT INTO timeline (referral_id, at, kind, text, detail) "
                           "VALUES ('r1', '2026-11-20 09:00:00', :k, :t, :d)"),
                      {"k": kind, "t": words, "d": json.dumps(detail)})
    db.upgrade(engine)
    with engine.connect() as c:
        got = [tuple(r) for r in c.execute(text("SELECT event, actor FROM timeline ORDER BY id"))]
    assert got == EXPECTED
    db.downgrade(engine, "0014")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM timeline")).scalar() == len(OLD_ROWS)
    engine.dispose()
