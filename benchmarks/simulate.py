"""Drive many referrals through simulated weeks: cycle time and SQL queries per cycle, memory, final states.

    python -m benchmarks.simulate [--referrals 10000] [--days 60] [--database-url URL] [--seed 4] [--memory]

Times are measured without tracemalloc (it slows the cycle about 4x); `--memory` is a separate run that
traces the Python heap and reports its peak (its times are then not the figures to quote).

No mail servers: intros are stored the way intake stores them, the owner's decisions go through
refmail.app.decide, prospect replies / out-of-office notices / bounces through
refmail.app.transitions.apply, and mail "goes out" through an in-memory Transport. Each simulated
day ends in the cycle the daemon runs in the send window: followup.run_due, then send.send_ready
until the outbox is empty. The due-action and outbox lookups are checked to use their indexes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from refmail.app import decide, followup, send
from refmail.app.intake import take_intro
from refmail.app.transitions import apply, record
from refmail.clock import FixedClock
from refmail.config import PACKAGE_DATA, load_settings
from refmail.domain import lifecycle as lc
from refmail.domain.types import Kind, OutgoingMail, ParsedMessage, Person, Understanding, Urgency
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App
from refmail.wiring import build_app

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # a Monday; the packaged rules run in UTC
WATCHED = (lc.State.CONTACTED, lc.State.FOLLOWED_UP, lc.State.ESCALATED, lc.State.AWAITING_APPROVAL)


class MemoryTransport:
    """A fake of refmail.mail.ports.Transport: remembers what it was handed."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, mail: OutgoingMail) -> None:
        self.sent.append(mail.message_id)

    def close(self) -> None:
        pass


@dataclass
class QueryCounter:
    """Counts statements on the engine while `counting` is on."""

    engine: Engine
    counting: bool = False
    count: int = 0
    statements: list[tuple[str, Any]] = field(default_factory=list)
    capture: bool = False

    def __post_init__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if self.counting:
            self.count += 1
        if self.capture:
            self.statements.append((statement, parameters))

    @contextmanager
    def measure(self) -> Iterator[None]:
        self.counting, self.count = True, 0
        try:
            yield
        finally:
            self.counting = False


def make_app(database_url: str, data_dir: Path) -> App:
    settings = load_settings(environ={
        "REFMAIL_OWNER": "Olivia Owner <owner@example.com>",
        "REFMAIL_ASSISTANT": "assistant@example.com",
        "REFMAIL_DATABASE_URL": database_url,
        "REFMAIL_DATA_DIR": str(data_dir),
        "REFMAIL_RULES": str(PACKAGE_DATA / "rules.yaml"),
        "REFMAIL_TEMPLATES": str(PACKAGE_DATA / "templates"),
        "REFMAIL_SECRET": "benchmark-secret",
    })
    return build_app(settings, clock=FixedClock(START))


def engine_of(app: App) -> Engine:
    return app.sessions.kw["bind"]


# ---- the world around refmail ----------------------------------------------------


def add_intro(s: Session, app: App, n: int, now: datetime, rng: random.Random) -> None:
    """An understood intro handed to the same use case the daemon calls (intake.take_intro)."""
    urgent = rng.random() < 0.1
    owner_intro = rng.random() < 0.03
    group = not owner_intro and rng.random() < 0.08  # a group intro: one track per prospect (issue 11)
    referrer = app.identity.owner if owner_intro else Person(f"Source {n % 400}", f"source{n % 400}@example.org")
    prospects = (Person(f"Prospect {n}", f"prospect{n}@example.net"),)
    if owner_intro or group:
        prospects += (Person(f"Partner {n}", f"partner{n}@example.net"),)
    parsed = ParsedMessage(
        message_id=f"intro-{n}@bench.example.org", subject=f"Intro: Olivia <> Prospect {n}", sender=referrer,
        to=prospects, cc=(), reply_to=(), date=now, in_reply_to=None, references=(), headers=(),
        text="would love for you two to talk",
    )
    understood = Understanding(
        kind=Kind.INTRO, confidence=0.95, referrer=referrer, prospects=prospects, receiver=app.identity.owner,
        context="would love for you two to talk", urgency=Urgency.URGENT if urgent else None,
        owner_is_referrer=owner_intro,
    )
    take_intro(s, app, parsed, understood, now)


def one_event(app: App, rid: str, make: Callable[[m.Referral], lc.Event | None], now: datetime, **extra: Any) -> bool:
    """One incoming message = one transaction, as process.handle does it."""
    with app.sessions.begin() as s:
        row = s.get(m.Referral, rid)
        assert row is not None
        ev = make(row)
        if ev is None:
            return False
        record(s, rid, now, "message_in", f"simulated {type(ev).__name__}")
        try:
            apply(s, app, row, ev, now, **extra)
        except lc.InvalidTransition:
            return False
        if isinstance(ev, lc.ProspectReplied) and row.replied_at is None:
            row.replied_at = now
        return True


def meeting(row: m.Referral, now: datetime) -> lc.Event:
    """An accepted calendar invitation, as app/meetings.py turns it into an event (start two days on)."""
    row.meeting_at = now + timedelta(days=2)
    return lc.MeetingSet(row.meeting_at)


def inject_mail(app: App, now: datetime, rng: random.Random, tally: Counter[str]) -> None:
    """Prospects answer, go on holiday, bounce; the owner marks outcomes."""
    with app.sessions() as s:
        rows = s.execute(select(m.Referral.id, m.Referral.state).where(
            m.Referral.state.in_([st.value for st in (*WATCHED, lc.State.REPLIED, lc.State.MET)]))).all()
    for rid, state in rows:
        roll = rng.random()
        if state in (lc.State.REPLIED, lc.State.MET):
            if roll < 0.08:
                outcome = lc.Outcome.MET if state == lc.State.REPLIED else rng.choice([lc.Outcome.WON, lc.Outcome.LOST])
                tally["outcome"] += one_event(app, rid, lambda r: lc.OutcomeMarked(outcome), now)
            elif roll < 0.14 and state == lc.State.REPLIED:
                tally["calendar invitation"] += one_event(app, rid, lambda r: meeting(r, now), now)
            continue
        if state == lc.State.AWAITING_APPROVAL:
            continue  # nobody has heard from us yet
        if roll < 0.07:
            dnc = rng.random() < 0.03
            tally["reply"] += one_event(app, rid, lambda r: lc.ProspectReplied(do_not_contact=dnc), now)
        elif roll < 0.08:
            back = now + timedelta(days=rng.randint(2, 12))
            tally["autoreply"] += one_event(app, rid, lambda r: lc.AutoReplied(back), now)
        elif roll < 0.083:
            tally["bounce"] += one_event(app, rid, lambda r: lc.Bounced(f"prospect@{rid}"), now,
                                         bounced_address=f"prospect@{rid}")
        elif roll < 0.088:  # she accepts an invitation without writing first
            tally["calendar invitation"] += one_event(app, rid, lambda r: meeting(r, now), now)


def owner_decides(app: App, now: datetime, rng: random.Random, tally: Counter[str]) -> None:
    """The owner approves nearly every pending draft and skips a few (one transaction, as the CLI would)."""
    with app.sessions.begin() as s:
        for draft in q.drafts_awaiting(s):
            if rng.random() < 0.03:
                decide.reject(s, app, draft, now, by="cli")
                tally["rejected"] += 1
            else:
                decide.approve(s, app, draft, now, by="cli")
                tally["approved"] += 1


# ---- the cycle ----------------------------------------------------------------------


@dataclass
class CycleStats:
    day: int
    at: datetime
    seconds: float
    queries: int
    due: int
    sent: int
    send_calls: int


def cycle(app: App, transport: MemoryTransport, now: datetime) -> tuple[int, int, int]:
    """What run_once does after polling: act on what is due, then drain the outbox (the daemon ticks every minute)."""
    due = followup.run_due(app, now)
    sent = calls = 0
    while True:
        calls += 1
        n = send.send_ready(app, transport, None, now)
        sent += n
        if n == 0:
            with app.sessions() as s:
                if not q.outbox_ready(s, now, limit=1):
                    break
    return due, sent, calls


# ---- index checks ---------------------------------------------------------------------


def explain(app: App, counter: QueryCounter, run: Callable[[Session], Any]) -> list[str]:
    """EXPLAIN QUERY PLAN of the statement a named query really sends."""
    counter.statements.clear()
    counter.capture = True
    with app.sessions() as s:
        run(s)
    counter.capture = False
    statement, params = counter.statements[-1]
    with engine_of(app).connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
    return [str(r[-1]) for r in rows]


def check_plans(app: App, counter: QueryCounter, now: datetime) -> bool:
    if engine_of(app).dialect.name != "sqlite":
        print("query plans: EXPLAIN QUERY PLAN check is SQLite-only; skipped")
        return True
    ok = True
    for name, index, table, run in (
        ("due_action_ids", "ix_due_actions_pending", "due_actions", lambda s: q.due_action_ids(s, now)),
        ("outbox_ready", "ix_drafts_outbox", "drafts", lambda s: q.outbox_ready(s, now)),
    ):
        plan = explain(app, counter, run)
        searches = [line for line in plan if line.startswith(f"SEARCH {table} USING ") and "INDEX" in line]
        scans = any(line.startswith(f"SCAN {table}") for line in plan)
        if table == "due_actions":  # the due-action lookup must use its own index
            good = any(index in line for line in searches) and not scans
        else:  # the outbox: an index search on status is acceptable; say when it is not the outbox index
            good = bool(searches) and not scans
        verdict = "OK, index search" if good else "FAIL, not an index search"
        if good and not any(index in line for line in searches):
            verdict += f" (SQLite chose another index than {index})"
        ok &= good
        print(f"query plan {name}: {verdict}")
        for line in plan:
            print(f"    {line}")
    return ok


# ---- main ------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def summary(label: str, values: list[float], unit: str, fmt: str = "{:.3f}") -> str:
    if not values:
        return f"{label}: none"
    f = fmt.format
    return (f"{label} ({unit}): mean {f(statistics.fmean(values))}  p50 {f(pct(values, 50))}  "
            f"p95 {f(pct(values, 95))}  max {f(max(values))}  (n={len(values)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.simulate", description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--intake-days", type=int, default=None,
                        help="intros arrive over the first N days (default: a third of --days)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--memory", action="store_true",
                        help="trace the Python heap (tracemalloc) for its peak; slows every timing, quote times from a run without it")
    args = parser.parse_args(argv)

    # tmpfs when there is one: the figures are refmail's work, not the disk's fsync latency
    shm = Path("/dev/shm")
    tmp = tempfile.TemporaryDirectory(prefix="refmail-sim-", dir=shm if shm.is_dir() else None)
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'sim.db'}"
    if args.memory:
        tracemalloc.start()
    rng = random.Random(args.seed)
    app = make_app(url, Path(tmp.name))
    counter = QueryCounter(engine_of(app))
    transport = MemoryTransport()
    tally: Counter[str] = Counter()
    intake_days = args.intake_days or max(1, args.days // 3)
    per_day = [args.referrals // intake_days + (1 if d < args.referrals % intake_days else 0) for d in range(intake_days)]
    print(f"refmail simulation: {args.referrals} referrals arriving over {intake_days} days, {args.days} days, "
          f"{url.split(':///')[0] if args.database_url else 'sqlite in ' + tmp.name}")

    stats: list[CycleStats] = []
    sim_seconds = 0.0
    made = 0
    wall = time.perf_counter()
    for day in range(args.days):
        date0 = START + timedelta(days=day)
        t = time.perf_counter()
        # 07:00 intros arrive (intake + process), one transaction each
        for _ in range(per_day[day] if day < intake_days else 0):
            with app.sessions.begin() as s:
                add_intro(s, app, made, date0 + timedelta(hours=7), rng)
            made += 1
        # through the day: replies, out-of-office notices, bounces, outcomes; the owner's decisions
        if date0.weekday() < 5:
            inject_mail(app, date0 + timedelta(hours=8, minutes=30), rng, tally)
        owner_decides(app, date0 + timedelta(hours=8, minutes=45), rng, tally)
        sim_seconds += time.perf_counter() - t
        # 09:00 the cycle, inside the send window
        now = date0 + timedelta(hours=9)
        app.clock.at = now  # type: ignore[attr-defined]
        t = time.perf_counter()
        with counter.measure():
            due, sent, calls = cycle(app, transport, now)
        stats.append(CycleStats(day, now, time.perf_counter() - t, counter.count, due, sent, calls))
        c = stats[-1]
        print(f"day {day:>3} {now:%a %Y-%m-%d}: cycle {c.seconds:7.3f}s  queries {c.queries:>6}  due {due:>5}  "
              f"sent {sent:>5}  (referrals so far {made})", file=sys.stderr, flush=True)
    # one last look: the owner approves what the last cycle drafted
    owner_decides(app, START + timedelta(days=args.days, hours=8, minutes=45), rng, tally)
    total = time.perf_counter() - wall
    peak = tracemalloc.get_traced_memory()[1] if args.memory else None
    tracemalloc.stop()

    with app.sessions() as s:
        states = Counter(dict(s.execute(select(m.Referral.state, func.count()).group_by(m.Referral.state)).all()))
        drafts = Counter(dict(s.execute(select(m.Draft.kind, func.count()).where(m.Draft.status == q.SENT)
                                        .group_by(m.Draft.kind)).all()))
        pending_due = s.scalar(select(func.count()).select_from(m.DueAction).where(m.DueAction.done_at.is_(None)))
        groups = s.execute(select(m.Referral.intro_message_id).group_by(m.Referral.intro_message_id)
                           .having(func.count() > 1)).all()

    busy = [c for c in stats if c.at.weekday() < 5]
    print()
    print(f"cycles: {len(stats)} ({len(busy)} on business days); total wall time {total:.1f}s, "
          f"of which cycles {sum(c.seconds for c in stats):.1f}s, simulated world {sim_seconds:.1f}s")
    print(summary("cycle time, every day", [c.seconds for c in stats], "s"))
    print(summary("cycle time, business days", [c.seconds for c in busy], "s"))
    print(summary("SQL queries per cycle, business days", [float(c.queries) for c in busy], "count", "{:.0f}"))
    work = [c.queries / (c.due + c.sent) for c in busy if c.due + c.sent]
    print(summary("SQL queries per unit of work (due action or sent mail)", work, "count", "{:.1f}"))
    print(summary("due actions per cycle", [float(c.due) for c in busy], "count", "{:.0f}"))
    print(summary("mails sent per cycle", [float(c.sent) for c in busy], "count", "{:.0f}"))
    idle = [c for c in stats if c.at.weekday() >= 5]
    if idle:
        print(summary("SQL queries per weekend cycle (nothing due, outside the window)",
                      [float(c.queries) for c in idle], "count", "{:.0f}"))
    if peak is not None:
        print(f"peak memory (tracemalloc, Python heap): {peak / 2**20:.1f} MiB  (times above include tracemalloc)")
    else:
        print("peak memory (tracemalloc): not traced; run with --memory")
    try:
        import resource

        print(f"peak RSS (getrusage): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")
    except ImportError:  # pragma: no cover - not on Windows
        pass
    print(f"mail handed to the transport: {len(transport.sent)}; sent by kind: "
          + ", ".join(f"{k} {v}" for k, v in sorted(drafts.items())))
    print("simulated world: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    print(f"due actions still pending: {pending_due}")
    print(f"referrals (tracks): {sum(states.values())} from {made} intros; group intros split into tracks: "
          f"{len(groups)}")
    print("final state distribution:")
    for state in lc.State:
        if states.get(state.value):
            print(f"    {state.value:<20} {states[state.value]:>7}  "
                  f"{100 * states[state.value] / max(1, sum(states.values())):5.1f}%")
    print()
    ok = check_plans(app, counter, START + timedelta(days=args.days))
    tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
