"""The cycle (poll, process, act on what is due, send, digest) and the schedule loop that ticks it."""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime

import schedule

from refmail.app import approval_mail, digest_mail, followup, housekeeping, ingest, process, send
from refmail.mail.ports import Mailbox, MailError
from refmail.wiring import App

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CycleReport:
    stored: int = 0
    processed: int = 0
    due: int = 0
    approvals_requested: int = 0
    sent: int = 0
    digest: bool = False
    # What went wrong, one line each (a server down, a stage that failed): the daemon goes on regardless,
    # `run --once` exits 1 so a cron job or a script sees it.
    problems: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (f"new messages {self.stored}, processed {self.processed}, due actions {self.due}, "
                f"approval requests {self.approvals_requested}, sent {self.sent}, digest {'sent' if self.digest else 'no'}")


def run_once(app: App, now: datetime) -> CycleReport:
    """One full cycle at `now`. A mail server that is down costs this cycle, never a message."""
    with ExitStack() as stack:
        owner = intake = transport = None
        if app.open_owner_mailbox:
            owner = app.open_owner_mailbox()
            stack.callback(owner.close)
        if app.open_intake_mailbox:
            intake = app.open_intake_mailbox()
            stack.callback(intake.close)
        if app.open_transport:
            transport = app.open_transport()
            stack.callback(transport.close)
        problems: list[str] = []

        def guard(stage: str, work):  # type: ignore[no-untyped-def]
            return _guard(stage, work, problems)

        stored = guard("poll", lambda: ingest.poll_all(app, owner, intake, now, problems))
        polled = not problems  # every watched folder read: the digest may decide it has nothing to say
        processed = guard("process", lambda: process.process_pending(app, now))
        due = guard("due actions", lambda: followup.run_due(app, now))
        requested = sent = 0
        digest = False
        if transport is not None:
            guard("reconcile", lambda: send.reconcile(app, owner, now))
            requested = guard("approval requests", lambda: approval_mail.request_approvals(app, transport, now))
            sent = guard("send", lambda: send.send_ready(app, transport, owner, now, problems))
            digest = bool(guard("digest", lambda: digest_mail.send_if_due(app, transport, now, owner, polled)))
        guard("housekeeping", lambda: housekeeping.prune(app, now))
        return CycleReport(stored, processed, due, requested, sent, digest, tuple(dict.fromkeys(problems)))


def _guard(stage: str, work, problems: list[str]):  # type: ignore[no-untyped-def]
    """One stage failing (a server down, a broken template) must not stop the others."""
    try:
        return work()
    except MailError as exc:
        log.warning("%s: mail server problem, will retry next cycle: %s", stage, exc)
        problems.append(f"{stage}: {exc}")
    except Exception as exc:
        log.exception("%s failed; the rest of the cycle goes on", stage)
        problems.append(f"{stage} failed: {type(exc).__name__}: {exc}")
    return 0


@dataclass
class Push:
    """Wakes the loop the moment mail lands in the intake (IMAP IDLE): an intro need not wait for the tick.

    It only adds cycles: the scheduled tick still runs, and due work lives in the database.
    """

    app: App
    mailbox: Mailbox
    account: str
    seen: int = 0

    @classmethod
    def open(cls, app: App) -> Push | None:
        found = ingest.intake_inbox(app)
        if found is None:
            return None
        opener, account = found
        mailbox = opener()
        try:
            if mailbox.supports_idle():
                log.info("push: new mail in %s's INBOX starts a cycle at once (IMAP IDLE)", account)
                return cls(app, mailbox, account)
            log.info("push: the server has no IDLE; polling on the schedule only")
        except MailError as exc:
            log.warning("push unavailable for now, polling on the schedule only: %s", exc)
        mailbox.close()
        return None

    def wait(self, seconds: float, stopping: threading.Event) -> bool:
        """True when new mail arrived within `seconds`; a server problem costs a quiet wait, never a spin."""
        after = max(self.seen, ingest.last_uid(self.app, self.account, "INBOX"))
        try:
            newest = self.mailbox.wait_for_mail("INBOX", after, seconds, stopping.is_set)
        except MailError as exc:
            log.warning("push: %s; waiting for the next tick", exc)
            stopping.wait(timeout=seconds)
            return False
        except Exception:  # the daemon never dies of its wake-up call
            log.exception("push failed; waiting for the next tick")
            stopping.wait(timeout=seconds)
            return False
        if newest is None:
            return False
        self.seen = newest  # a message the cycle cannot store must not wake us again and again
        return True

    def close(self) -> None:
        self.mailbox.close()


def run_forever(app: App, interval_seconds: int = 60) -> None:
    """schedule ticks, and new intake mail (Push) adds a cycle; all state lives in the database,
    so a restart loses nothing.

    SIGTERM or Ctrl-C ends the loop between cycles, never inside one.
    """
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping after the current cycle", signum)
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)

    def tick() -> None:
        try:
            report = run_once(app, app.clock.now())
            log.info("cycle: %s", report)
        except Exception:  # the daemon never dies of one bad cycle
            log.exception("cycle failed; next one in %ss", interval_seconds)

    tick()
    scheduler = schedule.Scheduler()
    scheduler.every(interval_seconds).seconds.do(tick)
    push = _open_push(app)
    try:
        while not stopping.is_set():
            scheduler.run_pending()
            pause = max(scheduler.idle_seconds or 1.0, 0.05)
            if push is None:
                stopping.wait(timeout=min(1.0, pause))
            elif push.wait(pause, stopping) and not stopping.is_set():
                log.info("new mail arrived: a cycle now")
                tick()
    finally:
        if push is not None:
            push.close()
    log.info("stopped")


def _open_push(app: App) -> Push | None:
    try:
        return Push.open(app)
    except Exception:  # whatever keeps push from starting, the schedule still polls
        log.exception("push unavailable, polling on the schedule only")
        return None
