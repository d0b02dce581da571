"""`refmail shadow` on the real mail world: three past intros (one followed up by hand, one answered, one
dropped) each reported as what happened; nothing sent, the mailboxes and the live database unchanged."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

import pytest

from refmail.domain.types import Person

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def mail(sender: Person, to: list[Person], subject: str, body: str, at: datetime, reply_to: str | None = None,
         cc: list[Person] = ()) -> tuple[str, bytes]:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender.formatted()
    msg["To"] = ", ".join(p.formatted() for p in to)
    if cc:
        msg["Cc"] = ", ".join(p.formatted() for p in cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = make_msgid(domain=sender.email.rpartition("@")[2])
    if reply_to:
        msg["In-Reply-To"] = msg["References"] = reply_to
    msg.set_content(body)
    return msg["Message-ID"], msg.as_bytes()


def intro(referrer: Person, owner: Person, prospect: Person, at: datetime, cc: list[Person] = ()) -> tuple[str, bytes]:
    o, p = owner.name.split()[0], prospect.name.split()[0]
    return mail(referrer, [owner, prospect], f"Intro: {o} <> {p}", (
        f"{o}, meet {p}. {p} runs operations at a logistics firm and is looking for help with a pricing review;\n"
        f"{o} did exactly that for us last year and I can't recommend her enough.\n\n"
        f"{p}, meet {o}. I'll let you two take it from here.\n\nBest,\n{referrer.name.split()[0]}\n"), at, cc=cc)


def file(world, email: str, folder: str, raw: bytes, at: datetime, flags: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Into a folder as the server would have it: INTERNALDATE the day it arrived."""
    client = world.imap(email)
    try:
        client.append(folder, raw, flags=flags, msg_time=at)
    finally:
        client.logout()


def state_of(world, email: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Every folder's UIDVALIDITY, UIDNEXT, message count and each UID's flags."""
    client = world.imap(email)
    try:
        seen: dict[str, object] = {}
        for _flags, _sep, name in client.list_folders():
            info = client.select_folder(name, readonly=True)
            uids = client.search("ALL")
            flags = client.get_flags(uids) if uids else {}
            seen[name] = (info[b"UIDVALIDITY"], info.get(b"UIDNEXT"), len(uids),
                          sorted((uid, tuple(sorted(f))) for uid, f in flags.items()))
        return seen
    finally:
        client.logout()


def test_shadow_reports_three_past_intros_and_changes_nothing(cast) -> None:
    world, owner = cast.world, cast.owner
    alice, bob = cast.referrer, cast.person("bob", "Bob Broker", "example.org")
    carol, dan, erin = cast.prospect, cast.person("dan", "Dan Prospect"), cast.person("erin", "Erin Prospect")

    # Before the period: an intro she dropped in the spring is not in a 90-day shadow.
    _, old = intro(alice, owner, cast.person("old", "Otto Old"), datetime(2026, 6, 2, 9, 0, tzinfo=UTC))
    file(world, owner.email, "INBOX", old, datetime(2026, 6, 2, 9, 0, tzinfo=UTC), ("\\Seen",))
    # 1. Carol: Olivia answered by hand the same afternoon; Carol never wrote back.
    t1 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    mid1, raw1 = intro(alice, owner, carol, t1)
    file(world, owner.email, "INBOX", raw1, t1, ("\\Seen",))
    hand = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)
    _, mine = mail(owner, [carol], "Re: Intro: Olivia <> Carol", "Carol, lovely to meet you. Free for a call on "
                   "Thursday?\n\nOlivia\n", hand, reply_to=mid1, cc=[alice])
    file(world, owner.email, "Sent", mine, hand, ("\\Seen",))
    # 2. Dan: answered the intro himself the next morning.
    t2 = datetime(2026, 9, 8, 9, 0, tzinfo=UTC)
    mid2, raw2 = intro(bob, owner, dan, t2)
    file(world, owner.email, "INBOX", raw2, t2, ("\\Seen",))
    answer = datetime(2026, 9, 9, 10, 0, tzinfo=UTC)
    _, his = mail(dan, [owner], "Re: Intro: Olivia <> Dan", "Thanks Bob! Olivia, happy to talk: how is Friday?\n\n"
                  "Dan\n", answer, reply_to=mid2, cc=[bob])
    file(world, owner.email, "INBOX", his, answer)  # still unread: shadow mode must leave it so
    # 3. Erin: nobody ever wrote to her. Alice CC'd the assistant: a copy is in its own mailbox too (one intro).
    t3 = datetime(2026, 9, 15, 9, 0, tzinfo=UTC)
    _, raw3 = intro(alice, owner, erin, t3, cc=[Person("", cast.assistant)])
    file(world, owner.email, "INBOX", raw3, t3)
    file(world, cast.assistant, "INBOX", raw3, t3)
    # Everyday mail around them; this one's Date is older than the period, though it arrived inside it.
    _, news = mail(Person("News", "news@example.com"), [owner], "Weekly digest", "Ten links.\n",
                   datetime(2026, 8, 1, 7, 0, tzinfo=UTC))
    file(world, owner.email, "INBOX", news, datetime(2026, 9, 10, 7, 0, tzinfo=UTC))

    cast.cli("db", "upgrade", now=NOW)  # the live store exists, and must stay as it is
    live = cast.data_dir / "refmail.db"
    live_before = hashlib.sha256(live.read_bytes()).hexdigest()
    files_before = sorted(p.name for p in cast.data_dir.iterdir())
    people = [owner.email, cast.assistant, alice.email, bob.email, carol.email, dan.email, erin.email]
    boxes_before = {email: state_of(world, email) for email in people}
    users_before = set(world.users)

    done = cast.cli("shadow", "--since", "90d", "--json", now=NOW)
    report = json.loads(done.stdout)

    by = {i["prospects"][0]["email"]: i for i in report["intros"]}
    assert set(by) == {carol.email, dan.email, erin.email}, report["intros"]
    assert report["summary"] == {"answered": 1, "followed_up_by_hand": 1, "dropped": 1}

    c = by[carol.email]
    assert c["outcome"] == "followed_up_by_hand" and c["went_quiet"]
    assert c["followed_up_by_hand_at"].startswith("2026-09-01T14:00")
    assert c["referrer"]["email"] == alice.email
    # Three business days after her own message (rules.yaml second_touch_after), inside the send window.
    assert c["would_follow_up"]["kind"] == "second_touch" and c["would_follow_up"]["at"].startswith("2026-09-04")
    assert c["would_follow_up"]["to"] == [carol.email]
    assert not any(d["kind"] == "first_touch" and d["status"] == "pending" for d in c["drafts"])

    d = by[dan.email]
    assert d["outcome"] == "answered" and not d["went_quiet"] and d["would_follow_up"] is None
    assert d["answered_at"].startswith("2026-09-09T10:00")
    assert d["followed_up_by_hand_at"] is None and d["referrer"]["email"] == bob.email
    assert any(x["kind"] == "keep_in_loop" and x["to"] == [bob.email] for x in d["drafts"])  # the note to Bob

    e = by[erin.email]
    assert e["outcome"] == "dropped" and e["went_quiet"] and e["followed_up_by_hand_at"] is None
    assert e["would_follow_up"]["kind"] == "first_touch" and e["would_follow_up"]["to"] == [erin.email]
    assert e["would_follow_up"]["at"].startswith("2026-09-1")  # within a business day of the 15th
    assert "2026-09-15" <= e["would_follow_up"]["at"][:10] <= "2026-09-16"
    first = next(x for x in e["drafts"] if x["kind"] == "first_touch")
    assert "Alice Source" in first["subject"] and first["status"] == "pending"

    # Her INBOX (5, the spring intro is outside the period) and the assistant's (1), and her Sent.
    assert report["read"] == {"INBOX": 6, "Sent": 1}
    assert report["stored"] == 6 and report["quarantined"] == 0  # every message replayed, Erin's intro once
    assert report["would_have_sent_others"] == 0  # nothing to anyone but her: no draft is approved in shadow mode
    # One approval request per draft refmail wrote (the ones withdrawn later included), mailed to her.
    assert report["would_have_mailed_you"]["approval"] == sum(len(i["drafts"]) for i in report["intros"])

    # Nothing sent (every address refmail could have written to is as it was; no new user was made by
    # the SMTP server), nothing changed in any mailbox (no \Seen set, nothing appended or created).
    assert {email: state_of(world, email) for email in people} == boxes_before
    assert set(world.users) == users_before
    assert hashlib.sha256(live.read_bytes()).hexdigest() == live_before
    assert sorted(p.name for p in cast.data_dir.iterdir()) == files_before

    text = cast.cli("shadow", "--since", "90d", now=NOW).stdout
    assert "3 intro(s) found: 1 answered, 1 followed up by you by hand, 1 dropped" in text
    assert "dropped: nobody wrote to the prospect; refmail would have sent the first touch on 2026-09-1" in text
    assert "you followed up by hand on 2026-09-01, then it went quiet; refmail would have sent the second touch" in text
    assert {email: state_of(world, email) for email in people} == boxes_before


def test_a_wrong_period_is_a_usage_error(cast) -> None:
    done = cast.cli("shadow", "--since", "ninety", now=NOW, check=False)
    assert done.returncode == 2 and "90d" in done.stderr


def test_a_progress_bar_on_a_terminal_only(cast) -> None:
    """stderr a terminal: the bar is drawn there; stdout (the report) stays clean."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios

    _, raw = intro(cast.referrer, cast.owner, cast.prospect, datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    file(cast.world, cast.owner.email, "INBOX", raw, datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 wide
    try:
        done = subprocess.run([sys.executable, "-m", "refmail", "shadow", "--since", "90d"],
                              env=cast.env | {"REFMAIL_NOW": NOW.isoformat()}, cwd=cast.data_dir,
                              stdout=subprocess.PIPE, stderr=follower, text=True, timeout=180)
        drawn = b""
        while select.select([leader], [], [], 0)[0]:  # what the terminal holds, read while it is still open
            drawn += os.read(leader, 65536)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    assert b"replaying" in drawn and b"cycle" in drawn and b"reading" in drawn
    assert "replaying" not in done.stdout and "1 intro(s) found" in done.stdout
    plain = cast.cli("shadow", "--since", "90d", now=NOW)  # captured stderr: not a terminal, no bar
    assert plain.stderr == ""


def test_no_mailbox_says_what_to_set(cast) -> None:
    cast.env_overrides["REFMAIL_IMAP_HOST"] = ""
    done = cast.cli("shadow", now=NOW, check=False)
    assert done.returncode == 1 and "set REFMAIL_IMAP_HOST" in done.stderr and "unexpected" not in done.stderr
