"""Every crash point of the send path: afterwards each referral has its next step, nothing goes out twice,
and a send whose fate is unknown is assumed delivered, told to the owner once, and settled by `resolve`."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from sqlalchemy import event

from refmail.app import decide, digest_mail, followup, report, send
from refmail.app.intake import take_intro
from refmail.app.resolve import Verdict, resolve
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.domain.digest import SectionKind
from refmail.domain.types import Kind, OutgoingMail, ParsedMessage, Person, Understanding
from refmail.mail.ports import FolderStatus
from refmail.wiring import build_app

pytestmark = pytest.mark.integration
MON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CAROL = Person("Carol Prospect", "carol@example.net")
ALICE = Person("Alice Source", "alice@example.org")
FINAL = {"closed_no_response", "won", "lost", "bounced", "do_not_contact", "cancelled"}


class Crash(BaseException):
    """The process dies here: nothing after this line of the send path runs (not an Exception, so no
    stage guard catches it; only the `with` blocks roll back, as the database would)."""


def kind_of(data: bytes) -> str:
    return str(message_from_bytes(data)["X-Refmail"])


class World:
    """The SMTP server (a Transport) and the owner's Sent folder (a Mailbox), with one armed crash point."""

    def __init__(self, crash_at: str | None) -> None:
        self.crash_at = crash_at
        self.delivered: list[OutgoingMail] = []
        self.sent_folder_copies: list[bytes] = []
        self.armed_commit: str | None = None

    def _crash(self, point: str, data: bytes) -> None:
        if self.crash_at == point and kind_of(data) == "first_touch":
            self.crash_at = None
            raise Crash(point)

    # Transport
    def send(self, mail: OutgoingMail) -> None:
        self._crash("before_smtp", mail.data)
        self.delivered.append(mail)  # the server accepted DATA: the prospect has it
        self._crash("after_data_accepted", mail.data)

    def close(self) -> None:
        pass

    # Mailbox (what the send path uses of her mailbox)
    def sent_folder(self) -> str:
        return "Sent"

    def append(self, folder: str, data: bytes, when: datetime, flags: tuple[str, ...] = ()) -> None:
        self.sent_folder_copies.append(data)
        self._crash("after_sent_copy", data)
        if self.crash_at in ("while_recording", "after_recording") and kind_of(data) == "first_touch":
            self.armed_commit, self.crash_at = self.crash_at, None  # the next commit is the record of it

    def contains_message_id(self, folder: str, message_id: str) -> bool:
        return any(f"<{message_id}>".encode() in copy for copy in self.sent_folder_copies)

    def status(self, folder: str) -> FolderStatus:  # pragma: no cover - the send path never polls
        raise AssertionError("not polled here")

    # Crashes around the commit that records the send
    def before_commit(self, session) -> None:  # type: ignore[no-untyped-def]
        if self.armed_commit == "while_recording":
            self.armed_commit = None
            raise Crash("while_recording")  # the commit never lands

    def after_commit(self, session) -> None:  # type: ignore[no-untyped-def]
        if self.armed_commit == "after_recording":
            self.armed_commit = None
            raise Crash("after_recording")  # landed, then the process died

    def count(self) -> Counter[tuple[str, str]]:
        return Counter((r, kind_of(m.data)) for m in self.delivered for r in m.recipients)


def make_app(sqlite_url: str, world: World):  # type: ignore[no-untyped-def]
    env = {"REFMAIL_OWNER": "Olivia Owner <owner@example.com>", "REFMAIL_DATABASE_URL": sqlite_url}
    app = build_app(load_settings(environ=env), clock=FixedClock(MON))
    event.listen(app.sessions, "before_commit", world.before_commit)
    event.listen(app.sessions, "after_commit", world.after_commit)
    parsed = ParsedMessage("intro-1@example.org", "Intro", ALICE, (CAROL,), (), (), MON, None, (), (), "")
    with app.sessions.begin() as s:
        take_intro(s, app, parsed, Understanding(Kind.INTRO, 1.0, referrer=ALICE, prospects=(CAROL,)), MON)
    for d in report.drafts(app):
        decide.decide_by_id(app, d["id"], "approve", "test")
    return app


def cycle(app, world: World, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The send half of `run --once` (reconcile, due actions, outbox), in the daemon's order."""
    app.clock.at = now
    send.reconcile(app, world, now)
    followup.run_due(app, now)
    send.send_ready(app, world, world, now)


def no_dead_end(app) -> None:  # type: ignore[no-untyped-def]
    for r in report.referrals(app):
        assert r["state"] in FINAL or r["next_action"] is not None, r


def first_touch(app) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return next(d for d in report.drafts(app, include_all=True) if d["kind"] == "first_touch")


POINTS = {  # crash point -> what refmail can know afterwards
    "before_smtp": "uncertain",  # it cannot tell this from a crash during SMTP: assumed sent, owner told
    "after_data_accepted": "uncertain",
    "after_sent_copy": "sent",  # the Sent copy proves it
    "while_recording": "sent",
    "after_recording": "sent",
}


@pytest.mark.parametrize("point", POINTS)
def test_each_crash_point_leaves_a_next_step_and_sends_nothing_twice(sqlite_url, point):
    world = World(point)
    app = make_app(sqlite_url, world)
    with pytest.raises(Crash):
        cycle(app, world, MON + timedelta(minutes=1))
    for minutes in (2, 5, 15, 30):  # restarts: the lease of the interrupted send runs out after 10 minutes
        cycle(app, world, MON + timedelta(minutes=minutes))

    delivered_first = 0 if point == "before_smtp" else 1
    # The referrer is in BCC of the first touch (issue 10, rule first_touch.bcc_referrer): her copy too, once.
    assert world.count() == Counter({(ALICE.email, "thank_source"): 1} |
                                     ({(CAROL.email, "first_touch"): 1, (ALICE.email, "first_touch"): 1}
                                      if delivered_first else {}))
    assert first_touch(app)["status"] == POINTS[point]
    [ref] = report.referrals(app)
    assert ref["state"] == "contacted" and ref["next_action"]["kind"] == "second_touch"
    no_dead_end(app)

    # The owner is told once: in the next digest, not the one after.
    with app.sessions() as s:
        snap, _ = digest_mail.snapshot(s, app, MON + timedelta(hours=23))
    unconfirmed = snap.items.get(SectionKind.UNCONFIRMED, ())
    assert [i.ref for i in unconfirmed] == ([first_touch(app)["id"]] if POINTS[point] == "uncertain" else [])
    if unconfirmed:
        assert f"refmail resolve {first_touch(app)['id']}" in unconfirmed[0].hint
        digest_mail._mark_sent(app, snap.day, MON + timedelta(hours=23), "digest-1@x", [])
        with app.sessions() as s:
            later, _ = digest_mail.snapshot(s, app, MON + timedelta(days=1, hours=23))
        assert not later.items.get(SectionKind.UNCONFIRMED)

    # The lifecycle goes on: the second message comes due, is approved, goes out once, threaded to the first.
    thu = MON + timedelta(days=3, hours=1)
    cycle(app, world, thu)
    second = next(d for d in report.drafts(app) if d["kind"] == "second_touch")
    decide.decide_by_id(app, second["id"], "approve", "test")
    cycle(app, world, thu + timedelta(minutes=1))
    assert world.count()[(CAROL.email, "second_touch")] == 1
    assert report.referrals(app)[0]["state"] == "followed_up"
    no_dead_end(app)


def test_resolve_resend_sends_once_under_a_new_message_id_and_moves_nothing(sqlite_url):
    world = World("before_smtp")  # nothing reached the server: the owner, told, says so
    app = make_app(sqlite_url, world)
    with pytest.raises(Crash):
        cycle(app, world, MON + timedelta(minutes=1))
    cycle(app, world, MON + timedelta(minutes=15))
    lost = first_touch(app)
    assert lost["status"] == "uncertain"
    assert "refmail resolve" in decide.decide_by_id(app, lost["id"], "approve", "cli").message
    app.clock.at = MON + timedelta(minutes=20)
    message = resolve(app, lost["id"], Verdict.RESEND)
    assert "sent again as" in message
    cycle(app, world, MON + timedelta(minutes=21))
    cycle(app, world, MON + timedelta(minutes=40))
    firsts = [m for m in world.delivered if kind_of(m.data) == "first_touch"]
    assert len(firsts) == 1
    with app.sessions() as s:
        from refmail.store import models as m

        assert firsts[0].message_id != s.get(m.Draft, lost["id"]).message_id
        again = s.scalars(select(m.Draft).where(m.Draft.message_id == firsts[0].message_id)).one()
        assert again.bcc and again.bcc == s.get(m.Draft, lost["id"]).bcc  # the referrer's BCC copy resent too
    [ref] = report.referrals(app)
    assert ref["state"] == "contacted" and ref["next_action"]["kind"] == "second_touch"
    with pytest.raises(decide.DecisionError):  # settled: nothing left to settle
        resolve(app, lost["id"], Verdict.SENT)


def test_resolve_sent_just_clears_the_flag(sqlite_url):
    world = World("after_data_accepted")
    app = make_app(sqlite_url, world)
    with pytest.raises(Crash):
        cycle(app, world, MON + timedelta(minutes=1))
    cycle(app, world, MON + timedelta(minutes=15))
    assert first_touch(app)["status"] == "uncertain"
    resolve(app, first_touch(app)["id"], Verdict.SENT)
    cycle(app, world, MON + timedelta(minutes=30))
    assert first_touch(app)["status"] == "sent"
    assert world.count()[(CAROL.email, "first_touch")] == 1
    assert report.referrals(app)[0]["next_action"]["kind"] == "second_touch"


def test_a_draft_left_uncertain_by_an_older_version_is_carried_on(sqlite_url):
    """What the issue saw: 'uncertain' with the referral stuck in awaiting_approval, nothing scheduled."""
    from refmail.store import models as m

    world = World(None)
    app = make_app(sqlite_url, world)
    with app.sessions.begin() as s:
        draft = s.get(m.Draft, first_touch(app)["id"])
        draft.status, draft.last_error = "uncertain", "connection lost after sending the message data"
    cycle(app, world, MON + timedelta(minutes=1))
    assert world.count()[(CAROL.email, "first_touch")] == 0
    [ref] = report.referrals(app)
    assert ref["state"] == "contacted" and ref["next_action"]["kind"] == "second_touch"


def test_show_and_resolve_on_the_command_line(sqlite_url, monkeypatch, capsys):
    from refmail.cli import main

    world = World("after_data_accepted")
    app = make_app(sqlite_url, world)
    with pytest.raises(Crash):
        cycle(app, world, MON + timedelta(minutes=1))
    cycle(app, world, MON + timedelta(minutes=15))
    lost, ref = first_touch(app), report.referrals(app)[0]
    for key, value in {"REFMAIL_OWNER": "Olivia Owner <owner@example.com>", "REFMAIL_DATABASE_URL": sqlite_url,
                       "REFMAIL_NOW": (MON + timedelta(minutes=20)).isoformat()}.items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    assert main(["show", ref["id"]]) == 0
    assert f"refmail resolve {lost['id']} sent|resend" in capsys.readouterr().out
    assert main(["resolve", lost["id"], "sent"]) == 0
    assert "recorded as sent" in capsys.readouterr().out
    assert main(["show", ref["id"]]) == 0
    assert "unconfirmed:" not in capsys.readouterr().out
    assert main(["resolve", lost["id"], "resend"]) == 1  # settled already: nothing to do, and a script sees it
    assert "nothing to settle" in capsys.readouterr().err


class SlowServer(World):
    """An SMTP server that takes the message only after the sender's lease ran out: meanwhile another
    worker's reconcile, not finding it in Sent, has settled the draft as 'uncertain'."""

    def __init__(self) -> None:
        super().__init__(None)
        self.app = None

    def send(self, mail: OutgoingMail) -> None:
        if kind_of(mail.data) == "first_touch":
            send.reconcile(self.app, self, MON + timedelta(minutes=12))
        super().send(mail)


def test_a_send_that_outlives_its_lease_leaves_reconciles_word_standing(sqlite_url, caplog):
    world = SlowServer()
    app = world.app = make_app(sqlite_url, world)
    cycle(app, world, MON + timedelta(minutes=1))  # no error: the late 'sent' is not written over 'uncertain'
    assert first_touch(app)["status"] == "uncertain"
    assert "cannot be sent" in caplog.text  # InvalidDraftTransition(uncertain, sent), logged
    for minutes in (15, 30):
        cycle(app, world, MON + timedelta(minutes=minutes))
    assert world.count()[(CAROL.email, "first_touch")] == 1
    [ref] = report.referrals(app)
    assert ref["state"] == "contacted" and ref["next_action"]["kind"] == "second_touch"
    with app.sessions() as s:
        from refmail.store import models as m

        outs = s.scalars(select(m.TimelineEntry).where(m.TimelineEntry.kind == "message_out")).all()
    assert [e.detail["draft_id"] for e in outs].count(first_touch(app)["id"]) == 1  # recorded once
