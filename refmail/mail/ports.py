"""The shapes of the mail adapters, so app code and tests depend on these, not on sockets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Self

from refmail.domain.types import FetchedMessage, OutgoingMail
from refmail.errors import (AmbiguousSendError as AmbiguousSendError, LoginFailed as LoginFailed,
                            MailError as MailError, PermanentSendError as PermanentSendError,
                            ServerUnreachable as ServerUnreachable)


@dataclass(frozen=True)
class FolderStatus:
    uidvalidity: int
    uidnext: int


class Closeable:
    """`with` support for anything with a close(): the connection goes away however the block ends."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Mailbox(Protocol):
    """One IMAP account."""

    def status(self, folder: str) -> FolderStatus: ...

    def fetch_new(
        self, folder: str, after_uid: int, wanted: Callable[[bytes], bool] | None = None
    ) -> Iterator[FetchedMessage]:
        """Messages with UID > after_uid, oldest first, fetched with BODY.PEEK.

        With `wanted`, headers come first and only messages whose header block it accepts are
        fetched whole; the others are yielded with skipped=True so the checkpoint can pass them.
        """
        ...

    def append(self, folder: str, data: bytes, when: datetime, flags: tuple[str, ...] = ()) -> None: ...

    def sent_folder(self) -> str:
        """The folder flagged \\Sent (RFC 6154), else "Sent", created if missing."""
        ...

    def drafts_folder(self) -> str: ...

    def contains_message_id(self, folder: str, message_id: str) -> bool: ...

    def remove_message_id(self, folder: str, message_id: str) -> int:
        """Delete (and expunge) the messages of `folder` with exactly this Message-ID; how many there were."""
        ...

    def supports_idle(self) -> bool:
        """Whether the server can push new mail (IMAP IDLE, RFC 2177)."""
        ...

    def wait_for_mail(self, folder: str, after_uid: int, seconds: float,
                      stop: Callable[[], bool] = lambda: False) -> int | None:
        """Block until `folder` holds a UID past after_uid and return the newest UID; None after
        `seconds`, or as soon as stop() says so. Needs supports_idle()."""
        ...

    def close(self) -> None: ...


class Transport(Protocol):
    """One SMTP submission account."""

    def send(self, mail: OutgoingMail) -> dict[str, str] | None:
        """Deliver or raise MailError (try again) / PermanentSendError.

        Taken for some recipients and refused outright (5xx) for others: it was sent, and the refused
        addresses come back ({address: reply}), since a BCC may have carried it past a dead To."""
        ...

    def close(self) -> None: ...
