"""The cycle (poll, process, act on what is due, send, digest) and the schedule loop that ticks it."""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime

import schedule

from refmail import logs
from refmail.app import (approval_mail, digest_mail, drafts_folder, followup, housekeeping, ingest, process,
                         question_mail, send)
from refmail.mail.ports import LoginFailed, Mailbox, MailError, ServerUnreachable
from refmail.app.kept import KeptMailboxes
from refmail.app.context import App

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


def run_once(app: App, now: datetime, kept: KeptMailboxes | None = None) -> CycleReport:
    """One full cycle at `now`. A mail server that is down costs this cycle, never a message.

    With `kept` (the daemon), the IMAP connections outlive the cycle; without, they close with it.
    """
    with ExitStack() as stack:
        owner = intake = transport = None
        if kept is None:
            kept = KeptMailboxes.open(app)
            stack.callback(kept.close)
        owner, intake = kept.owner, kept.intake
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
            guard("questions", lambda: question_mail.request_questions(app, transport, now))
            requested = guard("approval requests", lambda: approval_mail.request_approvals(app, transport, now))
            sent = guard("send", lambda: send.send_ready(app, transport, owner, now, problems))
            digest = bool(guard("digest", lambda: digest_mail.send_if_due(app, transport, now, owner, polled)))
        guard("drafts folder", lambda: drafts_folder.tidy(app, owner, now))
        guard("housekeeping", lambda: housekeeping.prune(app, now))
        return CycleReport(stored, processed, due, requested, sent, digest, tuple(dict.fromkeys(problems)))


def _guard(stage: str, work, problems: list[str]):  # type: ignore[no-untyped-def]
    """One stage failing (a server down, a broken template) must not stop the others."""
    try:
        return work()
    except (LoginFailed, ServerUnreachable) as exc:  # every stage that needs the server fails alike: say it once
        logs.report_problem(problems, f"{stage}: {exc}", "will retry next cycle", once=str(exc))
    except MailError as exc:
        logs.report_problem(problems, f"{stage}: {exc}", "will retry next cycle")
    except Exception as exc:
        log.debug("%s failed", stage, exc_info=True)
        logs.report_problem(problems, f"{stage} failed: {type(exc).__name__}: {exc}",
                            "the rest of the cycle goes on; -v shows where")
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
    shared: bool = False  # the kept poll connection: closed by its owner, not here

    @classmethod
    def open(cls, app: App, kept: KeptMailboxes | None = None) -> Push | None:
        found = kept.intake_inbox() if kept is not None else None
        if found is not None:  # one connection per mailbox: IDLE between ticks, STATUS in them
            return cls._start(app, found[0], found[1], shared=True)
        opened = ingest.intake_inbox(app)
        if opened is None:
            return None
        opener, account = opened
        return cls._start(app, opener(), account, shared=False)

    @classmethod
    def _start(cls, app: App, mailbox: Mailbox, account: str, shared: bool) -> Push | None:
        try:
            if mailbox.supports_idle():
                log.info("push: new mail in %s's INBOX starts a cycle at once (IMAP IDLE)", account)
                return cls(app, mailbox, account, shared=shared)
            log.info("push: the server has no IDLE; polling on the schedule only")
        except MailError as exc:
            log.warning("push unavailable for now, polling on the schedule only: %s", exc)
        if not shared:
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
        if not self.shared:
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

    kept = KeptMailboxes.open(app)  # connections live as long as the daemon, not one tick

    def tick() -> None:
        try:
            report = run_once(app, app.clock.now(), kept)
            log.info("cycle: %s", report)
        except Exception:  # the daemon never dies of one bad cycle
            log.exception("cycle failed; next one in %ss", interval_seconds)

    tick()
    scheduler = schedule.Scheduler()
    scheduler.every(interval_seconds).seconds.do(tick)
    push = _open_push(app, kept)
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
        kept.close()
    log.info("stopped")


def _open_push(app: App, kept: KeptMailboxes | None = None) -> Push | None:
    try:
        return Push.open(app, kept)
    except Exception:  # whatever keeps push from starting, the schedule still polls
        log.exception("push unavailable, polling on the schedule only")
        return None
