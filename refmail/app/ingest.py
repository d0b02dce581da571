"""Read new mail off IMAP into the store: checkpointed by (folder, UIDVALIDITY, UID), idempotent by Message-ID."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from refmail.domain.parse import stable_message_id
from refmail.domain.reuse import derived_id, same_message
from refmail.domain.types import ErrorStage, FetchedMessage, MessageKind
from refmail import logs
from refmail.mail.ports import LoginFailed, Mailbox, MailError, ServerUnreachable
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
SENT = "\\Sent"  # the owner's Sent folder, resolved when polled: finding it is itself an IMAP call that may fail


@dataclass(frozen=True)
class Watch:
    """One folder to poll and what its mail means: intake, the owner's inbox, or her Sent."""

    account: str
    folder: str
    source: str
    # The assistant's own mailbox exists for refmail: read it all. The owner's folders hold years of
    # mail refmail must not act on: the first poll starts at UIDNEXT, with what arrives from then on.
    read_history: bool = True


@dataclass(frozen=True)
class Envelope:
    """What intake decides on before it fetches a body, read from the header block in one pass."""

    message_id: str  # as parse_message will also find it
    ours: bool  # refmail's own mail (X-Refmail): its Sent copies need no body
    sent: datetime | None  # the Date header, when it reads as one

    @classmethod
    def read(cls, raw: bytes) -> Envelope:
        """Never raises: a header block too broken to read still gets stored (and fetched whole)."""
        try:
            headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        except Exception:
            return cls(stable_message_id("", raw), False, None)
        return cls(stable_message_id(str(headers.get("Message-ID") or ""), raw), headers.get("X-Refmail") is not None,
                   _date(headers.get("Date")))


def _date(value: object) -> datetime | None:
    try:
        sent = parsedate_to_datetime(str(value)) if value else None
    except Exception:  # an unreadable date is no reason to skip a message
        return None
    return None if sent is None else sent if sent.tzinfo else sent.replace(tzinfo=UTC)


def message_id_of(raw: bytes) -> str:
    """The Message-ID parse_message will also find, read from the header block alone (cheap, never raises)."""
    return Envelope.read(raw).message_id


def _claim(app: App, watch: Watch, now: datetime) -> tuple[bool, int]:
    """Lease the folder so several workers never read the same one at once; returns (mine, last UID)."""
    key = (watch.account, watch.folder)
    with app.sessions.begin() as s:
        cp = s.scalars(
            select(m.FolderCheckpoint)
            .where(m.FolderCheckpoint.account == watch.account, m.FolderCheckpoint.folder == watch.folder)
            .with_for_update(skip_locked=True)
        ).first()
        if cp is None:
            if s.get(m.FolderCheckpoint, key) is not None:
                return False, 0  # it exists and another worker holds its row lock
            cp = m.FolderCheckpoint(account=watch.account, folder=watch.folder, uidvalidity=0, last_uid=0)
            s.add(cp)
        elif cp.lease_owner not in (None, app.worker_id) and cp.lease_until is not None and cp.lease_until > now:
            return False, 0
        cp.lease_owner, cp.lease_until = app.worker_id, now + LEASE
        return True, cp.last_uid


def _release(app: App, watch: Watch) -> None:
    with app.sessions.begin() as s:
        cp = s.get(m.FolderCheckpoint, (watch.account, watch.folder))
        if cp is not None and cp.lease_owner == app.worker_id:
            cp.lease_owner, cp.lease_until = None, None


def poll_folder(app: App, mailbox: Mailbox, watch: Watch, now: datetime) -> int:
    """Store every new message of one folder; returns how many were new to refmail.

    An idle folder costs one STATUS: nothing is fetched when UIDNEXT has not moved.
    """
    try:
        mine, _ = _claim(app, watch, now)
    except IntegrityError:  # two workers created the checkpoint at once: the other one has it
        return 0
    if not mine:
        return 0
    try:
        return _poll_claimed(app, mailbox, watch, now)
    finally:
        _release(app, watch)


# Clock skew and time zones between her mail's Date headers and refmail's own clock.
RESET_MARGIN = timedelta(days=1)


def _poll_claimed(app: App, mailbox: Mailbox, watch: Watch, now: datetime) -> int:
    status = mailbox.status(watch.folder)
    floor: datetime | None = None
    with app.sessions.begin() as s:
        cp = s.get(m.FolderCheckpoint, (watch.account, watch.folder))
        assert cp is not None
        if cp.uidvalidity != status.uidvalidity:
            if cp.uidvalidity:
                log.warning("UIDVALIDITY of %s/%s changed: re-reading it (Message-IDs keep it idempotent)",
                            watch.account, watch.folder)
                cp.last_uid = 0
                if not watch.read_history:
                    # Her own folder: years of her mail must not come back as new replies; only what is
                    # dated after refmail last stored something from it.
                    last = s.scalar(select(func.max(m.Message.received_at)).where(
                        m.Message.account == watch.account, m.Message.folder == watch.folder))
                    floor = (last or now) - RESET_MARGIN
            else:  # first sight of this folder
                cp.last_uid = 0 if watch.read_history else status.uidnext - 1
                log.info("now watching %s/%s from UID %s", watch.account, watch.folder, cp.last_uid + 1)
            cp.uidvalidity = status.uidvalidity
        after = cp.last_uid
    if status.uidnext - 1 <= after:
        return 0
    stored = 0
    batch: list[FetchedMessage] = []
    for fetched in mailbox.fetch_new(watch.folder, after, wanted=lambda header: _needs_body(app, header, floor)):
        batch.append(fetched)
        if len(batch) >= STORE_BATCH:
            stored += _store_batch(app, watch, batch, now)
            batch = []
            log.info("reading %s/%s: %d new messages stored so far (UID %d of %d)", watch.account, watch.folder,
                     stored, fetched.uid, status.uidnext - 1)
    if batch:
        stored += _store_batch(app, watch, batch, now)
    return stored


# Messages stored per transaction: one commit per message cost a backfill more than reading the mail.
STORE_BATCH = 200


def _store_batch(app: App, watch: Watch, batch: list[FetchedMessage], now: datetime) -> int:
    """Store a batch and move the checkpoint past it in one transaction; on a clash, one by one."""
    try:
        with app.sessions.begin() as s:
            ids = [message_id_of(fetched.raw) for fetched in batch]
            known = q.stored_messages(s, ids)  # one query for the batch, not one a message
            stored, seen = 0, set()
            for fetched, mid in zip(batch, ids):
                # A second copy within the batch: the first one is pending, and the query (after its flush) sees it.
                found = q.stored_message(s, mid) if mid in seen else known.get(mid)
                seen.add(mid)
                stored += _keep(s, watch, fetched, now, mid, found)
            return stored
    except IntegrityError:  # another worker stored one of these Message-IDs just now
        return sum(_store(app, watch, fetched, now) for fetched in batch)


def _needs_body(app: App, header: bytes, floor: datetime | None = None) -> bool:
    """Bodies only where needed: not for refmail's own mail (Sent copies), nor for a Message-ID already stored,
    nor (after her folder's UIDVALIDITY changed) for her mail dated before `floor`."""
    envelope = Envelope.read(header)
    if envelope.ours or floor is not None and envelope.sent is not None and envelope.sent < floor:
        return False
    with app.sessions() as s:
        known = q.stored_message(s, envelope.message_id)
    # A known Message-ID on a different message (other From, Subject, Date...) is fetched: it is kept too.
    return known is None or not same_message(known[1], header)


def _store(app: App, watch: Watch, fetched: FetchedMessage, now: datetime) -> int:
    """Keep the raw message and move the checkpoint past it, in one transaction."""
    for attempt in range(2):
        try:
            with app.sessions.begin() as s:
                return _store_in(s, watch, fetched, now, keep=attempt == 0)
        except IntegrityError:  # another worker stored the same Message-ID from another folder just now
            continue
    return 0


def _store_in(s: Session, watch: Watch, fetched: FetchedMessage, now: datetime, keep: bool = True) -> int:
    mid = message_id_of(fetched.raw)
    return _keep(s, watch, fetched, now, mid, q.stored_message(s, mid), keep)


def _keep(s: Session, watch: Watch, fetched: FetchedMessage, now: datetime, mid: str,
          known: tuple[int, bytes] | None, keep: bool = True) -> int:
    """Store one message under `mid` (`known`: what is stored under it already) and move the checkpoint past it."""
    new = keep and not fetched.skipped and known is None
    if new:
        s.add(m.Message(message_id=mid, account=watch.account, folder=watch.folder, source=watch.source,
                        uid=fetched.uid, raw=fetched.raw, received_at=now))
    elif keep and not fetched.skipped and known is not None:
        new = _keep_reused(s, watch, fetched, mid, known, now)
    cp = s.get(m.FolderCheckpoint, (watch.account, watch.folder))
    assert cp is not None
    cp.last_uid = max(cp.last_uid, fetched.uid)
    return int(new)


def _keep_reused(s: Session, watch: Watch, fetched: FetchedMessage, mid: str, known: tuple[int, bytes],
                 now: datetime) -> bool:
    """A different message under a known Message-ID never vanishes: stored under a derived ID, quarantined
    (it may be a forgery riding on an intro's or an approval's ID) and listed by `refmail quarantine`."""
    if same_message(known[1], fetched.raw):
        return False  # another copy of the message already stored
    derived = derived_id(mid, fetched.raw)
    if q.message_known(s, derived):
        return False
    log.warning("Message-ID <%s> is reused by a different message: kept as <%s>, quarantined", mid, derived)
    s.add(m.Message(message_id=derived, account=watch.account, folder=watch.folder, source=watch.source,
                    uid=fetched.uid, raw=fetched.raw, received_at=now, processed_at=now, kind=MessageKind.REUSED_ID,
                    error_stage=ErrorStage.REUSED_ID,
                    error=f"its Message-ID <{mid}> already belongs to a different message (no. {known[0]}); "
                          f"kept under a derived ID: `refmail quarantine --retry` reads it as a message of its own"))
    return True


def watches(app: App, owner: Mailbox | None, intake: Mailbox | None) -> list[tuple[Mailbox, Watch]]:
    settings = app.settings
    out: list[tuple[Mailbox, Watch]] = []
    owner_user = settings.imap.user if settings.imap else None
    if intake is not None and settings.intake_user:
        out.append((intake, Watch(settings.intake_user, "INBOX", "intake")))
    if owner is not None and owner_user:
        source = "inbox" if intake is not None else "intake"
        out.append((owner, Watch(owner_user, "INBOX", source, read_history=False)))
        out.append((owner, Watch(owner_user, SENT, "sent", read_history=False)))
    return out


def intake_inbox(app: App) -> tuple[Callable[[], Mailbox], str] | None:
    """How to open the INBOX intros arrive in, and its account: the assistant's, else the owner's."""
    settings = app.settings
    if app.open_intake_mailbox is not None and settings.intake_user:
        return app.open_intake_mailbox, settings.intake_user
    if app.open_owner_mailbox is not None and settings.imap is not None and settings.imap.user:
        return app.open_owner_mailbox, settings.imap.user
    return None


def last_uid(app: App, account: str, folder: str) -> int:
    """The checkpoint: the highest UID of the folder already stored (0 before the first poll)."""
    with app.sessions() as s:
        cp = s.get(m.FolderCheckpoint, (account, folder))
        return cp.last_uid if cp is not None else 0


def poll_all(app: App, owner: Mailbox | None, intake: Mailbox | None, now: datetime,
             problems: list[str] | None = None) -> int:
    """Poll every watched folder; one failing folder is logged (and added to `problems`) and stops no other."""
    total = 0
    for mailbox, watch in watches(app, owner, intake):
        try:
            if watch.folder == SENT:
                watch = replace(watch, folder=mailbox.sent_folder())
            total += poll_folder(app, mailbox, watch, now)
        except (LoginFailed, ServerUnreachable) as exc:  # every folder fails the same way: one line says it
            logs.report_problem(problems, f"polling: {exc}", "will retry next cycle", once=str(exc))
        except MailError as exc:
            logs.report_problem(problems, f"polling {watch.account}/{watch.folder}: {exc}", "will retry next cycle")
        except Exception as exc:  # a store error on one folder: its checkpoint stays put, the others go on
            log.debug("polling %s/%s failed", watch.account, watch.folder, exc_info=True)
            logs.report_problem(problems, f"polling {watch.account}/{watch.folder} failed: {type(exc).__name__}: {exc}",
                                "its checkpoint is unchanged")
    return total
