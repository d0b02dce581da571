"""The daily cycle with 1, 2 and 4 PostgreSQL workers: CPU per unit of work and send rate, as ratios to one (issue 9).

    python -m benchmarks.workers [--referrals 400] [--workers 1 2 4]

For each worker count: a throw-away database on 127.0.0.1:5432 (created and dropped here), the referrals
made and approved the way benchmarks/simulate.py makes them, then that many worker processes (each its own
app and worker id, as separate daemons would be) released together into a 09:00 cycle (followup.run_due,
then send.send_ready until the outbox is empty) with simulate's in-memory transport. Two cycles are
measured: Monday's, which sends the approved first touches, and Thursday's, when the second touches fall
due (Tuesday's and Wednesday's run unmeasured in between). A unit of work is a due action or a sent mail;
CPU is each worker process's own (time.process_time), not PostgreSQL's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.simulate import START, MemoryTransport, add_intro, cycle, make_app, owner_decides

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
INTROS_AT, DECIDED_AT = START + timedelta(hours=7), START + timedelta(hours=8.75)
MEASURED = {"Mon, sends": START + timedelta(hours=9), "Thu, due": START + timedelta(days=3, hours=9)}
BETWEEN = [START + timedelta(days=d, hours=9) for d in (1, 2)]


@dataclass
class Share:
    """What one worker did in the cycle."""

    due: int
    sent: list[str]
    cpu: float
    wall: float


def _worker(url: str, name: str, at: datetime, ready: mp.Barrier, results: mp.Queue) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(url, Path(tmp))
        app.worker_id = name
        app.clock.at = at  # type: ignore[attr-defined]
        with app.sessions() as s:  # connect before the clock starts
            s.execute(text("SELECT 1"))
        transport = MemoryTransport()
        ready.wait()
        wall, cpu = time.perf_counter(), time.process_time()
        due, _, _ = cycle(app, transport, at)
        results.put(Share(due, transport.sent, time.process_time() - cpu, time.perf_counter() - wall))


def seed(url: str, referrals: int, seed_: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(url, Path(tmp))
        rng = random.Random(seed_)
        for n in range(referrals):
            with app.sessions.begin() as s:
                add_intro(s, app, n, INTROS_AT, rng)
        owner_decides(app, DECIDED_AT, rng, Counter())
        app.sessions.kw["bind"].dispose()


def between(url: str) -> None:
    """Tuesday's and Wednesday's cycles, one worker, not measured."""
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(url, Path(tmp))
        for at in BETWEEN:
            app.clock.at = at  # type: ignore[attr-defined]
            cycle(app, MemoryTransport(), at)
        app.sessions.kw["bind"].dispose()


def together(url: str, workers: int, at: datetime) -> list[Share]:
    ctx = mp.get_context("spawn")  # each worker a fresh interpreter, as separate daemons are
    ready, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, f"worker-{i}", at, ready, results)) for i in range(workers)]
    for p in procs:
        p.start()
    shares = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    return shares


def run(workers: int, referrals: int, seed_: int) -> dict[str, list[Share]]:
    name = f"refmail_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        seed(url, referrals, seed_)
        out = {"Mon, sends": together(url, workers, MEASURED["Mon, sends"])}
        between(url)
        out["Thu, due"] = together(url, workers, MEASURED["Thu, due"])
        return out
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers", description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=400)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    print(f"daily cycle over {args.referrals} intros, PostgreSQL 127.0.0.1:5432; x = against {args.workers[0]} worker(s)")
    print(f"{'workers':>7} {'cycle':<11} {'due':>5} {'sent':>5} {'twice':>5} {'ms CPU/unit':>11} {'units/s':>8} "
          f"{'CPU x':>6} {'rate x':>7}")
    base: dict[str, tuple[float, float]] = {}
    for n in args.workers:
        for label, shares in run(n, args.referrals, args.seed).items():
            sent = [mid for sh in shares for mid in sh.sent]
            due = sum(sh.due for sh in shares)
            units = due + len(sent)
            per_unit = 1000 * sum(sh.cpu for sh in shares) / max(1, units)
            rate = units / max(sh.wall for sh in shares)
            b = base.setdefault(label, (per_unit, rate))
            print(f"{n:>7} {label:<11} {due:>5} {len(sent):>5} {len(sent) - len(set(sent)):>5} {per_unit:>11.2f} "
                  f"{rate:>8.1f} {per_unit / b[0]:>6.2f} {rate / b[1]:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
