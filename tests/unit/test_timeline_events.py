"""Timeline lines say what happened and who did it as data; the digest reads that, never the wording."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from sqlalchemy import select

from refmail.app import digest_mail, process
from refmail.app.transitions import defer_timeline, record
from refmail.store import queries as q
from refmail.domain.digest import SectionKind
from refmail.domain.types import TimelineEvent, TimelineKind
from refmail.store import models as m
from tests.unit.test_questions import NOW, make_app, store


def _mail(sender: str, to: str, subject: str, mid: str, body: str, cc: str = "", in_reply_to: str = "") -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    if cc:
        msg["Cc"] = cc
    msg["Date"] = format_datetime(NOW)
    msg["Message-ID"] = f"<{mid}>"
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = f"<{in_reply_to}>"
    msg.set_content(body)
    return msg.as_bytes()


INTRO = _mail("Alice Source <alice@example.org>", "Olivia Owner <owner@example.com>, Carol Prospect <carol@example.net>",
              "Intro: Olivia <> Carol", "intro@example.org",
              "Olivia, meet Carol. Carol runs pricing at Acme and is looking for help with their review.\n"
              "Carol, Olivia is the pricing adviser I told you about. I'll let you two take it from here.\n\nAlice\n",
              cc="assistant@example.com")
REPLY = _mail("Carol Prospect <carol@example.net>", "Olivia Owner <owner@example.com>", "Re: Intro: Olivia <> Carol",
              "carol-1@example.net", "Happy to talk on Thursday.\n\nCarol\n", in_reply_to="intro@example.org")


def test_an_intro_and_the_prospects_reply_are_recorded_as_events_with_their_actor(tmp_path):
    app = make_app(tmp_path)
    store(app, INTRO, uid=1)
    store(app, REPLY, source="inbox", uid=2)
    process.process_pending(app, NOW)
    with app.sessions() as s:
        rows = s.scalars(select(m.TimelineEntry).where(m.TimelineEntry.event.is_not(None))
                         .order_by(m.TimelineEntry.id)).all()
        assert [(t.event, t.actor) for t in rows] == [("intro", "alice@example.org"), ("reply", "carol@example.net")]


def test_the_digest_lists_replies_by_their_event_whatever_the_wording(tmp_path):
    app = make_app(tmp_path)
    store(app, INTRO, uid=1)
    process.process_pending(app, NOW)
    later = NOW + timedelta(hours=1)
    with app.sessions.begin() as s:
        rid = s.scalars(select(m.Referral.id)).one()
        record(s, rid, later, TimelineKind.MESSAGE_IN, "Carol answered", happened=TimelineEvent.REPLY,
               actor="carol@example.net", reply_text="Thursday works")
        record(s, rid, later, TimelineKind.NOTE, "reply from nobody: a note that only sounds like one")
    with app.sessions() as s:
        snap, _ = digest_mail.snapshot(s, app, later)
    replies = snap.items[SectionKind.REPLIES]
    assert [(i.headline, i.quote) for i in replies] == [("Carol Prospect replied", "Thursday works")]


def test_deferred_timeline_lines_are_read_before_the_commit_kept_by_it_and_dropped_by_a_rollback(tmp_path):
    app = make_app(tmp_path)
    store(app, INTRO, uid=1)
    process.process_pending(app, NOW)
    with app.sessions() as s:
        rid = s.scalars(select(m.Referral.id)).one()
        before = len(q.timeline(s, rid))
    later = NOW + timedelta(hours=1)
    with app.sessions.begin() as s:
        defer_timeline(s)
        record(s, rid, later, TimelineKind.NOTE, "first")
        assert [t.text for t in q.timeline(s, rid)][before:] == ["first"]  # a read in the transaction sees it
        record(s, rid, later, TimelineKind.NOTE, "second", happened=TimelineEvent.REPLY, actor="carol@example.net")
    s = app.sessions()
    with s.begin():
        defer_timeline(s)
        record(s, rid, later, TimelineKind.NOTE, "rolled back")
        s.rollback()
    with s.begin():  # the same session again: the rolled-back line is not written by the next commit
        record(s, rid, later, TimelineKind.NOTE, "third")
    s.close()
    with app.sessions() as s:
        lines = q.timeline(s, rid)[before:]
        assert [(t.text, t.event, t.actor, t.at) for t in lines] == [
            ("first", None, None, later), ("second", "reply", "carol@example.net", later), ("third", None, None, later)]
