"""Pytest fixtures for the real local mail world (Dovecot + aiosmtpd) and adapters bound to it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from refmail.domain.types import OutgoingMail
from refmail.mail.imap import ImapMailbox
from refmail.mail.smtp import SmtpTransport
from refmail.mail.world import DOVECOT, MailWorld

WORLD_USERS = [
    "owner@example.com",
    "assistant@example.com",
    "alice@example.org",
    "carol@example.net",
    "dave@example.net",
]


def _start(**options: object) -> MailWorld:
    if not os.path.exists(DOVECOT):
        pytest.skip(f"{DOVECOT} is missing: apt-get install dovecot-imapd to run mail tests")
    return MailWorld.start(users=WORLD_USERS, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def mail_world() -> Iterator[MailWorld]:
    """One Dovecot + SMTP world per session; Sent/Drafts are flagged (RFC 6154)."""
    world = _start()
    yield world
    world.stop()


@pytest.fixture(scope="session")
def mail_world_unflagged() -> Iterator[MailWorld]:
    """A second world where no folder has a special-use flag and no Sent/Drafts exist."""
    world = _start(special_use=False)
    yield world
    world.stop()


@pytest.fixture(scope="session")
def oauth2_world() -> Iterator[MailWorld]:
    """A world whose Dovecot (oauth2 passdb) and SMTP server also take OAuth2 bearer tokens, checked by a
    token-introspection endpoint on loopback: oauth2_world.tokens.issue(email) / .revoke(token)."""
    world = _start(oauth2=True)
    yield world
    world.stop()


@pytest.fixture
def fresh_user(mail_world: MailWorld) -> str:
    """A brand-new empty mailbox in mail_world, so a test does not see others' mail."""
    email = f"user-{uuid.uuid4().hex[:10]}@example.com"
    mail_world.add_user(email)
    return email


@pytest.fixture
def imap_for(mail_world: MailWorld) -> Iterator[Callable[..., ImapMailbox]]:
    """Factory: imap_for(email, world=mail_world) -> an ImapMailbox logged in as that user."""
    opened: list[ImapMailbox] = []

    def make(email: str, world: MailWorld | None = None) -> ImapMailbox:
        w = world or mail_world
        box = ImapMailbox(w.imap_host, w.imap_port, email, w.password(email), security="none", timeout=10)
        opened.append(box)
        return box

    yield make
    for box in opened:
        box.close()


@pytest.fixture
def smtp_transport(mail_world: MailWorld) -> Iterator[SmtpTransport]:
    """An SmtpTransport to mail_world's SMTP server (plaintext, loopback, no AUTH)."""
    transport = SmtpTransport(mail_world.smtp_host, mail_world.smtp_port, security="none", timeout=10)
    yield transport
    transport.close()


def make_mail(
    sender: str,
    recipients: list[str],
    subject: str = "Hello",
    body: str = "Hi there.\n",
    message_id: str | None = None,
) -> OutgoingMail:
    """A small well-formed message with its envelope (Message-ID without brackets)."""
    mid = message_id or f"{uuid.uuid4().hex}@test.refmail"
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{mid}>"
    msg.set_content(body)
    return OutgoingMail(message_id=mid, sender=sender, recipients=tuple(recipients), data=msg.as_bytes(policy=SMTP))
