"""The daemon's IMAP connections, opened once and kept across ticks (one per mailbox).

A cycle that opened its own connections paid two TCP (and TLS) handshakes, two logins, CAPABILITY
and LIST on every tick, about 2,880 logins a day, which providers throttle. Kept, an idle poll is one
STATUS per watched folder; an ImapMailbox reconnects by itself when its connection drops.
"""

from __future__ import annotations

from dataclasses import dataclass

from refmail.mail.ports import Mailbox
from refmail.app.context import App


@dataclass
class KeptMailboxes:
    app: App
    owner: Mailbox | None = None
    intake: Mailbox | None = None

    @classmethod
    def open(cls, app: App) -> "KeptMailboxes":
        """Nothing connects yet: each mailbox logs in on its first command, and stays logged in."""
        owner = app.open_owner_mailbox() if app.open_owner_mailbox else None
        intake = app.open_intake_mailbox() if app.open_intake_mailbox else None
        return cls(app, owner, intake)

    def intake_inbox(self) -> tuple[Mailbox, str] | None:
        """The mailbox whose INBOX intros arrive in (the assistant's, else the owner's), and its account."""
        settings = self.app.settings
        if self.intake is not None and settings.intake_user:
            return self.intake, settings.intake_user
        if self.owner is not None and settings.imap is not None and settings.imap.user:
            return self.owner, settings.imap.user
        return None

    def close(self) -> None:
        for box in (self.owner, self.intake):
            if box is not None:
                box.close()
