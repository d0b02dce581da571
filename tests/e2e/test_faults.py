"""Issue 9: a scripted three-week run on the real mail world with seeded faults: `refmail run --once`
SIGKILLed at random instants, and a proxy cutting a share of IMAP and SMTP connections. The owner
settles what refmail could not confirm, as the digest asks her to. In the end: every intro is a
referral, every email that should go out went out exactly once, and no referral is left without a
next step."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select

from refmail.demo import intro_email
from refmail.domain.types import Person
from refmail.store import models as m
from tests.e2e.faults import CuttingProxy, Zygote
from tests.e2e.harness import Cast, message

pytestmark = [pytest.mark.e2e, pytest.mark.faults]
SEED = 9
MONDAY = datetime(2026, 11, 16, tzinfo=UTC)
INTROS = 5
REPLIERS = {1, 3}
KILL_SHARE, CUT_SHARE = 0.5, 0.3
CADENCE = {"second_touch_after": 2, "escalation_after": 2, "close_after": 3}
FINAL = {"closed_no_response", "won", "lost", "bounced", "do_not_contact", "cancelled"}
KINDS = ("first_touch", "thank_source", "second_touch", "escalation", "keep_in_loop", "thank_won")


def business_days(start: datetime, count: int) -> list[datetime]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def kinds_in(cast: Cast, who: Person) -> Counter[str]:
    return Counter(str(msg["X-Refmail"]) for msg in cast.from_refmail(who))


def test_seeded_kills_and_cut_connections_leave_no_dead_end_and_no_duplicate(mail_world, tmp_path, capsys):
    kills, imap_rng, smtp_rng = (random.Random(f"{SEED}/{what}") for what in ("kill", "imap", "smtp"))
    cast = Cast.new(mail_world, tmp_path)
    rules = (tmp_path / "rules.yaml")
    text = (Path(__file__).resolve().parents[2] / "rules.yaml").read_text()
    for kind in KINDS:  # approvals waived: the run needs no owner at the keyboard, only for settling
        text = text.replace(f"  {kind}: true", f"  {kind}: false")
    for step, days in CADENCE.items():  # a brisk cadence (rules, not code): the whole life in two weeks
        text = re.sub(rf"(?m)^  {step}: \d+", f"  {step}: {days}", text, count=1)
    rules.write_text(text)
    imap = CuttingProxy(mail_world.imap_port, imap_rng, CUT_SHARE)
    smtp = CuttingProxy(mail_world.smtp_port, smtp_rng, CUT_SHARE)
    cast.env_overrides.update({"REFMAIL_RULES": str(rules), "REFMAIL_IMAP_PORT": str(imap.port),
                               "REFMAIL_SMTP_PORT": str(smtp.port)})
    pairs = [(cast.person(f"r{i}", f"Ref{i} Source", "example.org"), cast.person(f"p{i}", f"Pros{i} Prospect"))
             for i in range(INTROS)]
    engine = create_engine(cast.env["REFMAIL_DATABASE_URL"])
    zygote = Zygote(cast.env, tmp_path, tmp_path / "zygote.log")
    replied: set[int] = set()
    settled = Counter[str]()

    def send_intros(now: datetime) -> None:
        for i, (referrer, prospect) in enumerate(pairs):
            if i % 2 == (now.weekday() % 2) and now.weekday() < 2:  # Monday and Tuesday
                cast.send(intro_email(referrer, cast.owner, prospect, cast.assistant, now - timedelta(hours=1)))

    def prospects_answer(now: datetime) -> None:
        for i in REPLIERS - replied:
            referrer, prospect = pairs[i]
            firsts = [msg for msg in cast.from_refmail(prospect) if msg["X-Refmail"] == "first_touch"]
            if firsts and now - parsedate_to_datetime(firsts[0]["Date"]) >= timedelta(hours=20):
                cast.send(message(prospect, [cast.owner], f"Re: {firsts[0]['Subject']}", "Gladly, call me Thursday.",
                                  now - timedelta(minutes=30), in_reply_to=firsts[0]["Message-ID"].strip("<>")))
                replied.add(i)

    def owner_settles(now: datetime) -> None:
        """What the digest asks of her: look in the recipient's mailbox, then resolve sent or resend."""
        if "drafts" not in inspect(engine).get_table_names():
            return  # every cycle so far was killed before its first migration committed: nothing yet
        with engine.connect() as conn:
            rows = conn.execute(select(m.Draft.id, m.Draft.message_id, m.Draft.to)
                                .where(m.Draft.status == "uncertain")).all()
        for draft_id, message_id, to in rows:
            arrived = any(f"<{message_id}>" in str(msg["Message-ID"]) for msg in cast.inbox(to[0]["email"]))
            verdict = "sent" if arrived else "resend"
            cast.cli("resolve", draft_id, verdict, now=now)
            settled[verdict] += 1

    try:
        for day in business_days(MONDAY, 10):
            if day.weekday() < 2 and day < MONDAY + timedelta(days=7):
                send_intros(day + timedelta(hours=8))
            for hour in (8, 11, 15):
                now = day + timedelta(hours=hour)
                prospects_answer(now)
                zygote.cycle(now, kills.uniform(0.02, 0.9) if kills.random() < KILL_SHARE else None)
            owner_settles(day + timedelta(hours=17))
        # The faults stop; the owner marks the answered referrals won; a quiet week runs out.
        imap.share = smtp.share = 0.0
        after = MONDAY + timedelta(weeks=2)
        for i in sorted(replied):
            ref = next(r for r in cast.cli_json("referrals", now=after)
                       if r["prospects"][0]["email"] == pairs[i][1].email)
            cast.cli("outcome", ref["id"], "won", now=after)
        for day in business_days(after, 4):
            for hour in (9, 14):
                zygote.cycle(day + timedelta(hours=hour))
            owner_settles(day + timedelta(hours=17))
        end = after + timedelta(weeks=1)
    finally:
        zygote.close()
        imap.stop()
        smtp.stop()

    refs = cast.cli_json("referrals", now=end)
    assert sorted(r["prospects"][0]["email"] for r in refs) == sorted(p.email for _, p in pairs)  # every intro
    for r in refs:
        assert r["state"] in FINAL or r["next_action"] is not None, r  # no dead end
    for i, (referrer, prospect) in enumerate(pairs):
        answered = i in REPLIERS
        assert kinds_in(cast, prospect) == Counter({"first_touch": 1} | ({} if answered else {"second_touch": 1})), i
        assert kinds_in(cast, referrer) == Counter(  # her BCC copy of the first touch included (issue 10)
            {"thank_source": 1, "first_touch": 1} | ({"keep_in_loop": 1, "thank_won": 1} if answered
                                                     else {"escalation": 1})), i
    state = {r["prospects"][0]["email"]: r["state"] for r in refs}
    assert {state[p.email] for i, (_, p) in enumerate(pairs) if i in REPLIERS} == {"won"}
    assert {state[p.email] for i, (_, p) in enumerate(pairs) if i not in REPLIERS} == {"closed_no_response"}
    digests = [parsedate_to_datetime(msg["Date"]).date() for msg in cast.inbox(cast.owner)
               if str(msg["Subject"]).startswith("[refmail] Digest")]
    assert len(digests) == len(set(digests))  # never two in a day
    for who in [cast.owner, *(p for pair in pairs for p in pair)]:
        ids = [str(msg["Message-ID"]) for msg in cast.inbox(who)]
        assert len(ids) == len(set(ids)), who

    with capsys.disabled():
        print(f"\nfaults: {zygote.kills} of {zygote.cycles} cycles SIGKILLed; connections cut: "
              f"IMAP {imap.cuts} of {imap.connections}, SMTP {smtp.cuts} of {smtp.connections}; "
              f"owner settled {dict(settled)}")
    assert zygote.kills >= 6 and imap.cuts + smtp.cuts >= 5  # the run really was faulty
