"""Shadow mode: the owner's past mail replayed through the real cycle in simulated time, in a scratch store.

Nothing is sent (the transport only records), nothing is changed: the mailboxes are read once, up front,
with EXAMINE and BODY.PEEK, and the live database is never opened. The replay is `daemon.run_once` at
every moment mail arrived and every moment a follow-up fell due, on a ReplayMailbox that shows each
message when the simulated clock reaches its Date.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from refmail.clock import FixedClock
from refmail.config import Settings
from refmail.errors import UserError
from refmail.mail.replay import RecordingTransport, ReplayMailbox, dated

# Mail landing within one tick is read by one simulated cycle (the daemon polls every minute; five keeps a
# busy mailbox's replay short without reordering a conversation, whose turns are rarely minutes apart).
TICK = timedelta(minutes=5)


class ShadowError(UserError):
    """Shadow mode cannot run with these settings (no mailbox); the message says what to set."""


@dataclass
class Progress:
    """Where the long parts are: reading (messages per folder), then replaying (cycles). No-op by default."""

    start: Callable[[str, int | None], None] = lambda label, total: None
    advance: Callable[[int], None] = lambda n: None
    done: Callable[[], None] = lambda: None


def parse_period(text: str) -> timedelta:
    """`90d`, `12w`, `6m` (30-day months) or a bare number of days."""
    value = text.strip().lower()
    unit = value[-1] if value and value[-1] in "dwm" else "d"
    number = value[:-1] if value and value[-1] in "dwm" else value
    if not number.isdigit() or int(number) < 1:
        raise ValueError(f"expected a period such as 90d, 12w or 3m, not {text!r}")
    return timedelta(days=int(number) * {"d": 1, "w": 7, "m": 30}[unit])


def _accounts(settings: Settings) -> list[tuple[str, str, Any, bool]]:
    """(user, password, OAuth2 token command, owner?) of every mailbox to read: the owner's, and the
    assistant's if separate."""
    from refmail.mail.oauth2 import account_tokens

    imap = settings.imap
    if imap is None or not imap.user:
        raise ShadowError("no mailbox configured: set REFMAIL_IMAP_HOST, REFMAIL_IMAP_USER and REFMAIL_IMAP_PASSWORD")
    tokens = account_tokens(settings)
    found = [(imap.user, imap.password or "", tokens.owner, True)]
    if settings.intake_user and settings.intake_user != imap.user:
        found.append((settings.intake_user, settings.intake_password or "", tokens.intake, False))
    return found


def read_mail(settings: Settings, since: datetime, until: datetime, box: ReplayMailbox,
              progress: Progress) -> None:
    """Copy the period's mail into `box`: INBOX (hers and the assistant's, as one intake) and her Sent.

    Read-only: SELECT ... EXAMINE, BODY.PEEK (no \\Seen set), no folder created, nothing appended."""
    from refmail.mail.imap import ImapMailbox

    accounts = _accounts(settings)  # first: with no mailbox configured, it says what to set
    imap = settings.imap
    assert imap is not None
    for user, password, token, owner in accounts:
        with ImapMailbox(imap.host, imap.port, user, password, imap.security,
                         allow_plaintext=imap.allow_plaintext, token=token) as mailbox:
            folders = [("INBOX", "INBOX")]
            sent = mailbox.existing_sent_folder() if owner else None
            if sent:
                folders.append((sent, "Sent"))
            for folder, as_folder in folders:
                progress.start(f"reading {user} {folder}", None)
                for fetched in mailbox.fetch_new(folder, 0, since=since.date()):
                    at = min(max(dated(fetched.raw, since), since), until)
                    box.add(as_folder, at, fetched.raw)
                    progress.advance(1)
                progress.done()
    box.seal()


@contextmanager
def scratch_app(settings: Settings, clock: FixedClock, box: ReplayMailbox,
                transport: RecordingTransport) -> Iterator[Any]:
    """The real App on a temporary SQLite file, its mailbox the replay and its transport a recorder.

    Her inbox is the intake here (every intro in it counts as handed to the assistant): shadow mode
    asks what refmail would have done had it seen them all."""
    from refmail.wiring import build_app

    with tempfile.TemporaryDirectory(prefix="refmail-shadow-") as scratch:
        where = Path(scratch)
        local = replace(settings, intake_user=None, intake_password=None, data_dir=where, now=None,
                        database_url=f"sqlite:///{where / 'shadow.db'}",
                        secret=settings.secret or secrets.token_hex(32))
        app = build_app(local, clock=clock)
        app = replace(app, open_owner_mailbox=lambda: box, open_intake_mailbox=None,
                      open_transport=lambda: transport)
        try:
            yield app
        finally:
            app.sessions.kw["bind"].dispose()


def _ticks(box: ReplayMailbox, until: datetime) -> list[datetime]:
    """The moments a cycle runs: each tick mail arrived in (rounded up, so the mail is there), then the end."""
    epoch = datetime.min.replace(tzinfo=until.tzinfo)
    up = lambda at: epoch + -((epoch - at) // TICK) * TICK  # noqa: E731  (ceiling to the tick)
    return sorted({min(up(at), until) for at in box.times()} | {until})


def replay(app: Any, clock: FixedClock, box: ReplayMailbox, start: datetime, until: datetime,
           progress: Progress) -> int:
    """run_once just before the start, at every tick with mail, and at every due action in between, each at
    its own time. Returns how many cycles ran."""
    from refmail.app.shadow import next_due_at
    from refmail.daemon import run_once

    def cycle(at: datetime) -> None:
        clock.at = at
        run_once(app, at)

    ticks = _ticks(box, until)
    progress.start("replaying", len(ticks))
    # Just before the period: every folder is first seen empty, so its checkpoint starts at 0 and all the
    # period's mail (some of it clamped to `start` exactly) comes in as new.
    first = start - timedelta(seconds=1)
    cycle(first)
    cycles, last = 1, first
    for tick in ticks:
        while (due := next_due_at(app)) is not None and last < due < tick:
            cycle(due)
            cycles, last = cycles + 1, due
        cycle(tick)
        cycles, last = cycles + 1, tick
        progress.advance(1)
    progress.done()
    return cycles


def run_shadow(settings: Settings, period: timedelta, now: datetime, progress: Progress | None = None) -> dict[str, Any]:
    """Read, replay, report. `now` is the end of the period (the clock is a parameter, as everywhere)."""
    from refmail.app.shadow import intro_report, mail_report

    progress = progress or Progress()
    start = now - period
    clock = FixedClock(start)
    box = ReplayMailbox(clock.now)
    transport = RecordingTransport(clock.now)
    read_mail(settings, start, now, box, progress)
    with scratch_app(settings, clock, box, transport) as app:
        cycles = replay(app, clock, box, start, now, progress)
        intros = intro_report(app)
        mail = mail_report(app)
    owner = settings.identity.owner.email
    return {
        "since": start.isoformat(), "until": now.isoformat(),
        "read": {folder: len(messages) for folder, messages in box.folders.items()},
        "stored": mail["messages"], "quarantined": mail["quarantined"], "cycles": cycles,
        "intros": intros,
        "summary": {verdict: sum(1 for i in intros if i["outcome"] == verdict)
                    for verdict in ("answered", "followed_up_by_hand", "dropped")},
        # What the recording transport took: refmail's mail to the owner (approvals, questions, digests),
        # and to anyone else (none expected: no draft is approved in shadow mode, so none goes out).
        "would_have_mailed_you": transport.kinds(owner),
        "would_have_sent_others": len(transport.sent) - sum(transport.kinds(owner).values()),
        "questions": mail["questions"],
    }
