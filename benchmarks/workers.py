"""The daily cycle with 1, 2 and 4 PostgreSQL workers: CPU per unit of work and send rate, as ratios to one (issue 9).

    python -m benchmarks.workers [--referrals 400] [--workers 1 2 4]

For each worker count: a throw-away database on 127.0.0.1:5432 (created and dropped here), the referrals
made and approved the way benchmarks/simulate.py makes them, then that many worker processes (each its own
app and worker id, as separate daemons would be) released together into the 09:00 cycle (followup.run_due,
then send.send_ready until the outbox is empty) with simulate's in-memory transport. A unit of work is a
due action or a sent mail; CPU is each worker process's own (time.process_time), not PostgreSQL's.
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
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.simulate import START, MemoryTransport, add_intro, cycle, make_app, owner_decides

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
INTROS_AT, DECIDED_AT, CYCLE_AT = (START + timedelta(hours=h) for h in (7, 8.75, 9))


@dataclass
class Share:
    """What one worker did in the cycle."""

    due: int
    sent: list[str]
    cpu: float
    wall: float


def _worker(url: str, name: str, ready: mp.Barrier, results: mp.Queue) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(url, Path(tmp))
        app.worker_id = name
        app.clock.at = CYCLE_AT  # type: ignore[attr-defined]
        with app.sessions() as s:  # connect before the clock starts
            s.execute(text("SELECT 1"))
        transport = MemoryTransport()
        ready.wait()
        wall, cpu = time.perf_counter(), time.process_time()
        due, _, _ = cycle(app, transport, CYCLE_AT)
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


def run(workers: int, referrals: int, seed_: int) -> list[Share]:
    name = f"refmail_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        seed(url, referrals, seed_)
        ctx = mp.get_context("spawn")  # each worker a fresh interpreter, as separate daemons are
        ready, results = ctx.Barrier(workers), ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(url, f"worker-{i}", ready, results)) for i in range(workers)]
        for p in procs:
            p.start()
        shares = [results.get(timeout=600) for _ in procs]
        for p in procs:
            p.join()
        return shares
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
    print(f"daily cycle over {args.referrals} referrals (approved first touches), PostgreSQL 127.0.0.1:5432")
    print(f"{'workers':>7} {'units':>6} {'sent':>6} {'twice':>6} {'ms CPU/unit':>12} {'mails/s':>8} "
          f"{'CPU x':>6} {'rate x':>7}")
    base: tuple[float, float] | None = None
    for n in args.workers:
        shares = run(n, args.referrals, args.seed)
        sent = [mid for sh in shares for mid in sh.sent]
        units = sum(sh.due for sh in shares) + len(sent)
        per_unit = 1000 * sum(sh.cpu for sh in shares) / max(1, units)
        rate = len(sent) / max(sh.wall for sh in shares)
        base = base or (per_unit, rate)
        print(f"{n:>7} {units:>6} {len(sent):>6} {len(sent) - len(set(sent)):>6} {per_unit:>12.2f} {rate:>8.1f} "
              f"{per_unit / base[0]:>6.2f} {rate / base[1]:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
