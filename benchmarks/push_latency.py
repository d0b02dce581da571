"""Push (IMAP IDLE) latency: APPEND of an intro to the intake until its draft exists, against Dovecot's floor (issue 9).

    python -m benchmarks.push_latency [--intros 20]

A real Dovecot and SMTP server (MailWorld) and the real daemon (`python -m refmail run`, its own process).
Each intro is APPENDed on a kept, logged-in connection; the clock stops when its draft is in the database
(polled every few milliseconds: measuring may poll, tests may not). The floor is a bare imapclient IDLE on
the same server seeing the same APPEND (another user's INBOX, so the daemon does not see it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from refmail.demo import intro_email, world_env
from refmail.domain.types import Person
from refmail.mail.world import MailWorld
from benchmarks.simulate import pct
from tests.e2e.test_daemon import DaemonLog

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
OWNER = Person("Olivia Owner", "owner@example.com")
REFERRER = Person("Alice Source", "alice@example.org")
ASSISTANT = "assistant@example.com"


def intro(i: int) -> bytes:
    prospect = Person(f"Carol Prospect{i}", f"carol{i}@example.net")
    return intro_email(REFERRER, OWNER, prospect, ASSISTANT, MONDAY - timedelta(minutes=5)).data


def idle_floor(world: MailWorld, n: int) -> list[float]:
    """APPEND to IDLE's untagged EXISTS, on a bare connection: what any push client pays on this server."""
    user = "floor@example.com"
    world.add_user(user)
    watcher, writer = world.imap(user), world.imap(user)
    watcher.select_folder("INBOX")
    out = []
    try:
        for i in range(n):
            watcher.idle()
            t0 = time.perf_counter()
            writer.append("INBOX", intro(i))
            while not any(len(r) > 1 and r[1] == b"EXISTS" for r in watcher.idle_check(timeout=30)):
                pass
            out.append(time.perf_counter() - t0)
            watcher.idle_done()
    finally:
        watcher.logout()
        writer.logout()
    return out


def drafts(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM drafts").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or busy for a moment
        return -1


def daemon_latency(world: MailWorld, data: Path, n: int) -> list[float]:
    """The real daemon, idling on the intake with its tick an hour away: each intro must come by push."""
    world.add_user(OWNER.email)
    world.add_user(ASSISTANT)
    env = world_env(world, OWNER, ASSISTANT, data) | {"REFMAIL_NOW": MONDAY.isoformat()}
    data.mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, "-m", "refmail", "-v", "run", "--interval", "3600"],
                            env={**_plain_env(), **env}, cwd=data, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    log = DaemonLog(proc)
    db = data / "refmail.db"
    writer = world.imap(ASSISTANT)
    out = []
    try:
        log.until("push: new mail")  # idling now
        for i in range(n):
            before = drafts(db)
            t0 = time.perf_counter()
            writer.append("INBOX", intro(i))
            while drafts(db) <= before:
                time.sleep(0.002)
            out.append(time.perf_counter() - t0)
            log.until("cycle: ")  # the cycle is over; the daemon goes back to IDLE
            time.sleep(0.2)
    finally:
        writer.logout()
        proc.terminate()
        proc.wait(timeout=60)
    return out


def _plain_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("REFMAIL_")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.push_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--intros", type=int, default=20)
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="refmail-push-"))
    base.chmod(0o755)
    world = MailWorld.start(base_dir=base / "world")
    try:
        floor = idle_floor(world, args.intros)
        daemon = daemon_latency(world, base / "data", args.intros)
    finally:
        world.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(f"push latency over {args.intros} intros (s)   p50     p90     max")
    for label, values in (("bare IDLE sees the APPEND", floor), ("daemon: APPEND to draft", daemon)):
        print(f"{label:<33} {pct(values, 50):6.3f}  {pct(values, 90):6.3f}  {max(values):6.3f}")
    print(f"first intro after the daemon started: {daemon[0]:.3f}s (it also loads the understanding stack)")
    print(f"ratio daemon / IDLE floor: p50 {pct(daemon, 50) / pct(floor, 50):.2f}x  "
          f"p90 {pct(daemon, 90) / pct(floor, 90):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
