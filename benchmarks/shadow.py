"""Shadow mode's cost: 90 days of an owner's mail read from a real Dovecot and replayed in simulated time.

    python -m benchmarks.shadow [--messages 600] [--days 90]

The owner's INBOX holds the corpus messages (tests/corpus*) repeated with fresh Message-IDs, their Date
and INTERNALDATE spread evenly over the period. Printed: messages read, simulated cycles run, intros
found, wall and CPU seconds for reading and for the whole run, milliseconds of CPU per message, and the
process's peak memory.
"""

from __future__ import annotations

import argparse
import re
import resource
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from refmail.config import load_settings
from refmail.demo import world_env
from refmail.domain.types import Person
from refmail.mail.world import MailWorld
from refmail.shadow import Progress, run_shadow

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
CORPUS = [p for d in ("tests/corpus", "tests/corpus_found") for p in sorted(Path(d).rglob("*.eml"))]


def restamp(raw: bytes, at: datetime) -> bytes:
    """The message with a fresh Message-ID and the given Date (added when it had none)."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    head = re.sub(rb"(?im)^(message-id|date):.*(\r?\n[ \t].*)*\r?\n?", b"", head + b"\n")
    head = head.rstrip(b"\r\n") + (f"\nMessage-ID: <{uuid.uuid4().hex}@bench.example>\n"
                                   f"Date: {format_datetime(at)}").encode()
    return head + (sep or b"\n\n") + body


def fill(world: MailWorld, email: str, count: int, start: datetime, days: int) -> None:
    samples = [p.read_bytes() for p in CORPUS]
    step = timedelta(days=days) / max(count, 1)
    client = world.imap(email)
    try:
        for i in range(count):
            at = start + step * i + timedelta(minutes=1)
            client.append("INBOX", restamp(samples[i % len(samples)], at), msg_time=at)
    finally:
        client.logout()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    owner, assistant = Person("Olivia Owner", "owner@example.com"), "assistant@example.com"
    with tempfile.TemporaryDirectory() as tmp, MailWorld.start(users=[owner.email, assistant]) as world:
        period = timedelta(days=args.days)
        fill(world, owner.email, args.messages, NOW - period, args.days)
        env = world_env(world, owner, assistant, Path(tmp))
        settings = load_settings(environ=env)
        marks: dict[str, tuple[float, float]] = {}
        progress = Progress(start=lambda label, total: marks.setdefault(label.split()[0], (time.perf_counter(), cpu())))
        wall0, cpu0 = time.perf_counter(), cpu()
        report = run_shadow(settings, period, NOW, progress)
        wall, used = time.perf_counter() - wall0, cpu() - cpu0
        replay_wall0, replay_cpu0 = marks["replaying"]
        read = sum(report["read"].values())
        print(f"shadow mode over {args.days} days: {read} messages read, {report['cycles']} simulated cycles, "
              f"{len(report['intros'])} intros found ({report['summary']})")
        print(f"  reading (IMAP, EXAMINE + BODY.PEEK)  {replay_wall0 - wall0:6.2f} s wall  {replay_cpu0 - cpu0:6.2f} s CPU")
        print(f"  replaying (the real cycle)           {wall0 + wall - replay_wall0:6.2f} s wall  "
              f"{cpu0 + used - replay_cpu0:6.2f} s CPU")
        print(f"  whole run                            {wall:6.2f} s wall  {used:6.2f} s CPU  "
              f"({1000 * used / max(read, 1):.1f} ms CPU per message)")
        print(f"  peak memory (max RSS)                {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB")


if __name__ == "__main__":
    main()
