"""SmtpTransport against the local aiosmtpd server that delivers into Dovecot."""

from __future__ import annotations

import socket

import pytest

from refmail.mail.ports import MailError, PermanentSendError
from refmail.mail.security import InsecureConnectionError
from refmail.mail.smtp import SmtpTransport
from refmail.mail.world import MailWorld, free_port
from tests.fixtures_mail import make_mail

pytestmark = pytest.mark.integration


def _new_user(world: MailWorld, tag: str) -> str:
    email = f"{tag}-{free_port()}-{id(world)}@example.net"
    world.add_user(email)
    return email


def test_send_delivers_to_every_envelope_recipient(mail_world: MailWorld, smtp_transport: SmtpTransport) -> None:
    a, b = _new_user(mail_world, "a"), _new_user(mail_world, "b")
    mail = make_mail("owner@example.com", [a, b], body="Grüße, café\n")
    smtp_transport.send(mail)
    for rcpt in (a, b):
        [stored] = mail_world.messages(rcpt)
        assert f"<{mail.message_id}>".encode() in stored


def test_bare_newlines_are_sent_as_crlf(mail_world: MailWorld, smtp_transport: SmtpTransport, fresh_user: str) -> None:
    data = b"From: owner@example.com\nSubject: lf\nMessage-ID: <lf@x>\n\nline one\nline two\n"
    mail = make_mail("owner@example.com", [fresh_user])
    smtp_transport.send(type(mail)(mail.message_id, mail.sender, mail.recipients, data))
    [stored] = mail_world.messages(fresh_user)
    assert stored.endswith(b"\r\n\r\nline one\r\nline two\r\n")


def test_unknown_recipient_is_permanent(smtp_transport: SmtpTransport) -> None:
    mail = make_mail("owner@example.com", ["ghost@example.net"])
    with pytest.raises(PermanentSendError) as caught:
        smtp_transport.send(mail)
    assert "ghost@example.net" in caught.value.refused
    assert caught.value.refused["ghost@example.net"].startswith("550")


def test_some_recipients_refused_still_sends(mail_world: MailWorld, smtp_transport: SmtpTransport, fresh_user: str) -> None:
    smtp_transport.send(make_mail("owner@example.com", [fresh_user, "ghost@example.net"]))
    assert len(mail_world.messages(fresh_user)) == 1


def test_temporary_refusal_is_retryable(mail_world: MailWorld, smtp_transport: SmtpTransport, fresh_user: str) -> None:
    mail_world.refuse_recipient(fresh_user, "450 4.2.1 Try later")
    try:
        with pytest.raises(MailError):
            smtp_transport.send(make_mail("owner@example.com", [fresh_user]))
    finally:
        mail_world.refuse_recipient(fresh_user, None)
    # The same transport recovers for the retry.
    smtp_transport.send(make_mail("owner@example.com", [fresh_user]))
    assert len(mail_world.messages(fresh_user)) == 1


def test_connection_is_reused_and_rebuilt_when_dropped(
    mail_world: MailWorld, smtp_transport: SmtpTransport, fresh_user: str
) -> None:
    smtp_transport.send(make_mail("owner@example.com", [fresh_user]))
    first = smtp_transport._conn
    smtp_transport.send(make_mail("owner@example.com", [fresh_user]))
    assert smtp_transport._conn is first
    assert first is not None and first.sock is not None
    first.sock.shutdown(socket.SHUT_RDWR)  # the server or network dropped us between sends
    smtp_transport.send(make_mail("owner@example.com", [fresh_user]))
    assert smtp_transport._conn is not first
    assert len(mail_world.messages(fresh_user)) == 3


def test_auth_on_loopback(mail_world: MailWorld, fresh_user: str) -> None:
    with SmtpTransport(
        mail_world.smtp_host, mail_world.smtp_port, "owner@example.com",
        mail_world.password("owner@example.com"), security="none", timeout=10,
    ) as transport:
        transport.send(make_mail("owner@example.com", [fresh_user]))
    assert len(mail_world.messages(fresh_user)) == 1


def test_wrong_password_is_mail_error_without_the_password(mail_world: MailWorld) -> None:
    transport = SmtpTransport(
        mail_world.smtp_host, mail_world.smtp_port, "owner@example.com", "s3cret-wrong", security="none", timeout=10
    )
    with pytest.raises(MailError) as caught:
        transport.send(make_mail("owner@example.com", ["carol@example.net"]))
    assert "s3cret-wrong" not in str(caught.value)
    assert "s3cret-wrong" not in repr(transport)


def test_nothing_listening_is_mail_error() -> None:
    transport = SmtpTransport("127.0.0.1", free_port(), security="none", timeout=5)
    with pytest.raises(MailError):
        transport.send(make_mail("owner@example.com", ["carol@example.net"]))


def test_starttls_required_but_not_offered_is_mail_error(mail_world: MailWorld) -> None:
    transport = SmtpTransport(mail_world.smtp_host, mail_world.smtp_port, security="starttls", timeout=10)
    with pytest.raises(MailError, match="STARTTLS"):
        transport.send(make_mail("owner@example.com", ["carol@example.net"]))


def test_plaintext_to_non_loopback_is_refused() -> None:
    with pytest.raises(InsecureConnectionError):
        SmtpTransport("smtp.example.com", 25, "owner@example.com", "pw", security="none")
    SmtpTransport("smtp.example.com", 25, security="none", allow_plaintext=True)  # explicit opt-in
    SmtpTransport("localhost", 25, security="none")
    with pytest.raises(ValueError):
        SmtpTransport("smtp.example.com", 25, security="tls")
