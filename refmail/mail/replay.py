"""Adapters for shadow mode: a mailbox that replays mail already read, as the clock reaches it, and a
transport that records instead of sending. No sockets: the real servers are never touched again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime

from refmail.domain.types import FetchedMessage, OutgoingMail
from refmail.mail.ports import Closeable, FolderStatus

UIDVALIDITY = 1


def dated(raw: bytes, fallback: datetime) -> datetime:
    """When a message was written (its Date header), else `fallback`; always aware."""
    try:
        value = BytesHeaderParser(policy=compat32).parsebytes(raw).get("Date")
        at = parsedate_to_datetime(str(value)) if value else None
    except Exception:  # an unreadable date: the message still plays, at the fallback
        at = None
    if at is None:
        return fallback
    return at if at.tzinfo else at.replace(tzinfo=fallback.tzinfo)


@dataclass
class ReplayMailbox(Closeable):
    """One account's folders as read at the start of shadow mode. A message becomes visible when the
    clock passes its time; UIDs are given in time order, so what is visible is always a prefix of each
    folder (the ingest checkpoint never passes a message that is not there yet)."""

    clock: Callable[[], datetime]
    folders: dict[str, list[tuple[datetime, bytes]]] = field(default_factory=dict)
    appended: list[tuple[str, bytes]] = field(default_factory=list)  # what refmail would have filed

    def add(self, folder: str, at: datetime, raw: bytes) -> None:
        self.folders.setdefault(folder, []).append((at, raw))

    def seal(self) -> None:
        """Sort each folder by time (stable: same-time messages keep the server's order)."""
        for messages in self.folders.values():
            messages.sort(key=lambda pair: pair[0])

    def times(self) -> list[datetime]:
        return [at for messages in self.folders.values() for at, _ in messages]

    def _visible(self, folder: str) -> int:
        now = self.clock()
        return sum(1 for at, _ in self.folders.get(folder, ()) if at <= now)

    def status(self, folder: str) -> FolderStatus:
        return FolderStatus(UIDVALIDITY, self._visible(folder) + 1)

    def fetch_new(self, folder: str, after_uid: int,
                  wanted: Callable[[bytes], bool] | None = None) -> Iterator[FetchedMessage]:
        messages = self.folders.get(folder, [])
        for uid in range(after_uid + 1, self._visible(folder) + 1):
            raw = messages[uid - 1][1]
            if wanted is not None and not wanted(raw):
                yield FetchedMessage(folder, UIDVALIDITY, uid, raw, skipped=True)
            else:
                yield FetchedMessage(folder, UIDVALIDITY, uid, raw)

    def append(self, folder: str, data: bytes, when: datetime, flags: tuple[str, ...] = ()) -> None:
        self.appended.append((folder, data))  # kept apart: never read back as her own mail

    def sent_folder(self) -> str:
        return "Sent"

    def drafts_folder(self) -> str:
        return "Drafts"

    def contains_message_id(self, folder: str, message_id: str) -> bool:
        return False  # nothing was ever sent

    def remove_message_id(self, folder: str, message_id: str) -> int:
        return 0

    def supports_idle(self) -> bool:
        return False

    def wait_for_mail(self, folder: str, after_uid: int, seconds: float,
                      stop: Callable[[], bool] = lambda: False) -> int | None:
        return None

    def close(self) -> None:
        pass  # shared by every simulated cycle; nothing to close


@dataclass
class RecordingTransport(Closeable):
    """Takes every message and sends none: shadow mode counts what would have gone out."""

    clock: Callable[[], datetime]
    sent: list[tuple[datetime, OutgoingMail]] = field(default_factory=list)

    def send(self, mail: OutgoingMail) -> dict[str, str] | None:
        self.sent.append((self.clock(), mail))
        return None

    def kinds(self, to: str) -> dict[str, int]:
        """How many messages of each kind (X-Refmail: approval, question, digest, ...) went only to `to`."""
        found: dict[str, int] = {}
        for _, mail in self.sent:
            if {r.lower() for r in mail.recipients} <= {to.lower()}:
                kind = str(BytesHeaderParser(policy=compat32).parsebytes(mail.data).get("X-Refmail") or "other")
                found[kind] = found.get(kind, 0) + 1
        return found

    def close(self) -> None:
        pass
