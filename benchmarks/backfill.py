"""Backfill speed: a 2,000-message intake stored and understood, against fetching plus mail-parser alone.

    python -m benchmarks.backfill [--messages 2000] [--database postgresql://postgres@127.0.0.1:5432/NAME]

A real Dovecot holds the intake: the corpus messages (tests/corpus*) repeated with fresh
Message-IDs, and in each repetition fresh addresses for everyone but the owner and the assistant. Printed: messages/s for (a) FETCH of every message plus mailparser.parse_from_bytes,
(b) refmail's intake poll (store), (c) processing (parse, understand, act), and (b)+(c) together,
with wall and CPU seconds, messages per CPU-second (the figure that holds on a shared machine) and the
ratio to (a); and the SQL statements and commits per message of (b) and (c), where the rest goes.
The store is a fresh SQLite file, or the empty database --database names (PostgreSQL).
"""

from __future__ import annotations

import argparse
import logging
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import mailparser
from sqlalchemy import event

from refmail.app import ingest, process
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.demo import world_env
from refmail.domain.types import Person
from refmail.mail.imap import ImapMailbox
from refmail.mail.world import MailWorld
from refmail.wiring import build_app

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
CORPUS = [p for d in ("tests/corpus", "tests/corpus_found", "tests/corpus_holdout") for p in sorted(Path(d).rglob("*.eml"))]


def write_intake(world: MailWorld, email: str, count: int) -> None:
    import os

    folder = world.directory / "home" / email / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    samples = [p.read_bytes() for p in CORPUS]
    for i in range(count):
        raw = samples[i % len(samples)]
        if i >= len(samples):  # a real backlog introduces new people: each copy gets its own addresses
            copy = i // len(samples)
            raw = re.sub(rb"@(?!example\.com\b)([a-z0-9-]+\.[a-z0-9.-]*[a-z])", lambda m: b"@c%d.%s" % (copy, m.group(1)),
                         raw, flags=re.IGNORECASE)
        raw = re.sub(rb"(?im)^message-id:.*(\r?\n[ \t].*)*\r?\n", b"", raw, count=1)
        raw = f"Message-ID: <backfill{i}@bench.example>\r\n".encode() + raw
        path = folder / "cur" / f"{1700000000 + i}.M{i}P1.bench:2,"
        path.write_bytes(raw)
        os.chown(path, world._uid, world._gid)  # noqa: SLF001
    for d in (folder.parent, folder, folder / "cur", folder / "new", folder / "tmp"):
        os.chown(d, world._uid, world._gid)  # noqa: SLF001
    client = world.imap(email)
    try:
        client.folder_status("INBOX", ["MESSAGES"])  # index once, outside the figures
    finally:
        client.logout()


class Timer:
    def __enter__(self) -> "Timer":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database", help="an empty database to store in, instead of a fresh SQLite file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("mailparser").setLevel(logging.ERROR)  # the floor's parser logs every MIME type it skips
    base = Path(tempfile.mkdtemp(prefix="refmail-backfill-"))
    base.chmod(0o755)
    world = MailWorld.start(base_dir=base / "world")
    try:
        owner, assistant = Person("Olivia Owner", "owner@example.com"), "assistant@example.com"
        world.add_user(owner.email)
        world.add_user(assistant)
        write_intake(world, assistant, args.messages)

        box = ImapMailbox(world.imap_host, world.imap_port, assistant, world.password(assistant), "none")
        with Timer() as floor:
            n = 0
            for fetched in box.fetch_new("INBOX", 0):
                mailparser.parse_from_bytes(fetched.raw)
                n += 1
        box.close()
        assert n == args.messages, n

        env = world_env(world, owner, assistant, base / "data")
        if args.database:
            env["REFMAIL_DATABASE_URL"] = args.database
        app = build_app(load_settings(environ=env), clock=FixedClock(NOW))
        intake = app.open_intake_mailbox() if app.open_intake_mailbox else None
        sql = {"statements": 0, "commits": 0}
        engine = app.sessions.kw["bind"]
        event.listen(engine, "before_cursor_execute", lambda *_: sql.__setitem__("statements", sql["statements"] + 1))
        event.listen(engine, "commit", lambda *_: sql.__setitem__("commits", sql["commits"] + 1))
        with Timer() as store:
            stored = ingest.poll_all(app, None, intake, NOW)
        store_sql, sql = dict(sql), {"statements": 0, "commits": 0}
        with Timer() as understand:
            processed = process.process_pending(app, NOW)
        if intake is not None:
            intake.close()
    finally:
        world.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total_wall, total_cpu = store.wall + understand.wall, store.cpu + understand.cpu
    print(f"{args.messages} messages ({len(CORPUS)} corpus files repeated); stored {stored}, processed {processed}"
          f" ({'PostgreSQL' if args.database else 'SQLite'})")
    print(f"{'stage':<34} {'wall s':>7} {'cpu s':>7} {'msg/s':>8} {'msg/cpu-s':>10} {'x floor':>8}")
    for name, wall, cpu in (("fetch + mail-parser (floor)", floor.wall, floor.cpu),
                            ("refmail intake poll (store)", store.wall, store.cpu),
                            ("refmail process (understand, act)", understand.wall, understand.cpu),
                            ("refmail stored and understood", total_wall, total_cpu)):
        print(f"{name:<34} {wall:>7.2f} {cpu:>7.2f} {args.messages / wall:>8.0f} {args.messages / cpu:>10.0f} "
              f"{wall / floor.wall:>8.2f}")
    for name, counts in (("store", store_sql), ("process", sql)):
        print(f"{name}: {counts['statements'] / args.messages:.1f} SQL statements and "
              f"{counts['commits'] / args.messages:.3f} commits per message")
    print(f"max RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
