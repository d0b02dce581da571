"""Idle poll cost against raw STATUS, on 1k and 50k-message mailboxes (issue 9).

    python -m benchmarks.idle_poll [--sizes 1000 50000]

A real Dovecot; every byte goes through a counting TCP proxy (tests/tap.py). For each size the
owner's INBOX holds that many messages. Printed per size: an idle cycle with kept connections (the
daemon), the same after an IDLE wait on the shared intake connection, an idle cycle opening its own (run --once, the old daemon), and three raw STATUS commands
on a logged-in connection (the floor), with the ratios.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from imapclient import IMAPClient

from refmail.app.kept import KeptMailboxes
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.daemon import Push, run_once
from refmail.demo import world_env
from refmail.domain.types import Person
from refmail.mail.world import MailWorld
from refmail.wiring import build_app
from tests.tap import Tap

MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def fill_maildir(world: MailWorld, email: str, count: int) -> None:
    """Write `count` messages straight into the user's Maildir (APPENDing 50k would take minutes)."""
    cur = world.directory / "home" / email / "Maildir" / "cur"
    for sub in ("cur", "new", "tmp"):
        (cur.parent / sub).mkdir(parents=True, exist_ok=True)
    uid, gid = world._uid, world._gid  # noqa: SLF001 - the world's mail user owns the files
    for i in range(count):
        path = cur / f"{1700000000 + i}.M{i}P1.bench:2,S"
        path.write_bytes(f"From: a{i}@example.org\r\nTo: {email}\r\nSubject: old {i}\r\n"
                         f"Message-ID: <old{i}@example.org>\r\n\r\nold mail {i}\r\n".encode())
        os.chown(path, uid, gid)
    for d in [cur.parent.parent, cur.parent, *(cur.parent / s for s in ("cur", "new", "tmp"))]:
        os.chown(d, uid, gid)
    client = world.imap(email)  # Dovecot indexes the folder once, before anything is measured
    try:
        client.folder_status("INBOX", ["MESSAGES"])
    finally:
        client.logout()


def measure(world: MailWorld, size: int, base: Path) -> dict[str, tuple[int, int]]:
    owner = Person("Olivia Owner", f"owner{size}@example.com")
    assistant = f"assistant{size}@example.com"
    world.add_user(owner.email)
    world.add_user(assistant)
    fill_maildir(world, owner.email, size)
    tap = Tap(world.imap_host, world.imap_port)
    data = base / f"data{size}"
    env = world_env(world, owner, assistant, data)
    env["REFMAIL_IMAP_PORT"] = str(tap.port)
    app = build_app(load_settings(environ=env), clock=FixedClock(MONDAY))
    out: dict[str, tuple[int, int]] = {}
    kept = KeptMailboxes.open(app)
    try:
        run_once(app, MONDAY, kept)
        run_once(app, MONDAY + timedelta(minutes=1), kept)
        before = tap.snapshot()
        run_once(app, MONDAY + timedelta(minutes=2), kept)
        d = tap.snapshot().minus(before)
        out["kept"] = (d.bytes_up + d.bytes_down, d.round_trips)
        # The daemon with push: IDLE on the same intake connection between ticks, then the idle poll.
        push = Push.open(app, kept)
        assert push is not None and push.shared
        push.wait(0.3, threading.Event())
        before = tap.snapshot()
        run_once(app, MONDAY + timedelta(minutes=3), kept)
        d = tap.snapshot().minus(before)
        out["kept, after IDLE"] = (d.bytes_up + d.bytes_down, d.round_trips)
    finally:
        kept.close()
    before = tap.snapshot()
    run_once(app, MONDAY + timedelta(minutes=4))  # connections of its own, closed at the end
    d = tap.snapshot().minus(before)
    out["fresh"] = (d.bytes_up + d.bytes_down, d.round_trips + 2 * d.connections)  # + greeting and LOGOUT turns
    clients = []
    for user in (assistant, owner.email):
        c = IMAPClient(world.imap_host, port=tap.port, ssl=False)
        c.login(user, world.password(user))
        clients.append(c)
    items = ["UIDVALIDITY", "UIDNEXT"]  # what ImapMailbox.status asks for
    before = tap.snapshot()
    clients[0].folder_status("INBOX", items)
    clients[1].folder_status("INBOX", items)
    clients[1].folder_status("Sent", items)
    d = tap.snapshot().minus(before)
    out["raw STATUS x3"] = (d.bytes_up + d.bytes_down, d.round_trips)
    for c in clients:
        c.logout()
    tap.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 50000])
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="refmail-bench-"))
    base.chmod(0o755)
    world = MailWorld.start(base_dir=base / "world")
    try:
        results = {size: measure(world, size, base) for size in args.sizes}
    finally:
        world.stop()
    print(f"{'mailbox':>8} {'what':<16} {'bytes':>7} {'round trips':>12} {'bytes x':>8} {'trips x':>8}")
    for size, rows in results.items():
        floor_bytes, floor_trips = rows["raw STATUS x3"]
        for what, (nbytes, trips) in rows.items():
            print(f"{size:>8} {what:<16} {nbytes:>7} {trips:>12} {nbytes / floor_bytes:>8.2f} {trips / floor_trips:>8.2f}")
    sizes = list(results)
    if len(sizes) > 1:
        a, b = results[sizes[0]]["kept"], results[sizes[-1]]["kept"]
        print(f"kept idle poll, {sizes[-1]} vs {sizes[0]} messages: bytes {b[0] / a[0]:.2f}x, round trips {b[1] / a[1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
