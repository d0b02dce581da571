"""A connection lost after the message data may have delivered: refmail never resends on a guess.
One lost before the server's 354 (during MAIL, RCPT or the DATA command) transmitted nothing: retried."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from refmail.mail.ports import AmbiguousSendError, MailError, PermanentSendError
from refmail.mail.smtp import SmtpTransport
from refmail.mail.world import free_port
from tests.fixtures_mail import make_mail

pytestmark = pytest.mark.integration


class _DropAfterData:
    """Takes the whole message, then hangs up instead of answering 250."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.received.append(envelope.content)
        server.transport.close()
        return "250 never seen"


class _RefuseSender:
    async def handle_MAIL(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        return "553 5.7.1 Sender address rejected: not owned by user"


@pytest.fixture
def server(request):  # type: ignore[no-untyped-def]
    handler = request.param()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller
    controller.stop()


@pytest.mark.parametrize("server", [_DropAfterData], indirect=True)
def test_a_drop_after_data_is_ambiguous_not_retryable(server):
    handler, controller = server
    transport = SmtpTransport(controller.hostname, controller.port, security="none", timeout=10)
    with pytest.raises(AmbiguousSendError):
        transport.send(make_mail("owner@example.com", ["carol@example.net"]))
    assert len(handler.received) == 1  # the server did get it: a retry would have been a duplicate
    transport.close()


@pytest.mark.parametrize("server", [_RefuseSender], indirect=True)
def test_a_refused_sender_names_no_recipient(server):
    _, controller = server
    transport = SmtpTransport(controller.hostname, controller.port, security="none", timeout=10)
    with pytest.raises(PermanentSendError) as exc:
        transport.send(make_mail("owner@example.com", ["carol@example.net"]))
    assert exc.value.refused == {}  # so the outbox never blames the prospect's address
    transport.close()


class _Keep:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.received.append(envelope.content)
        return "250 OK"


class _HangUpOnce(SMTP):
    """A real aiosmtpd session that hangs up, the first time only, on one command instead of answering it."""

    verb = ""
    dropped: list[str] = []

    async def smtp_MAIL(self, arg):  # type: ignore[no-untyped-def]
        return await self._maybe_drop("MAIL") or await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg):  # type: ignore[no-untyped-def]
        return await self._maybe_drop("RCPT") or await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg):  # type: ignore[no-untyped-def]
        return await self._maybe_drop("DATA") or await super().smtp_DATA(arg)

    async def _maybe_drop(self, verb: str) -> bool:
        if verb == self.verb and verb not in self.dropped:
            self.dropped.append(verb)
            self.transport.close()  # type: ignore[union-attr]
            return True
        return False


@pytest.mark.parametrize("verb", ["MAIL", "RCPT", "DATA"])
def test_a_drop_before_the_354_is_a_plain_retry_and_the_retry_sends_once(verb):
    handler = _Keep()
    session_class = type("Session", (_HangUpOnce,), {"verb": verb, "dropped": []})

    class DroppingController(Controller):
        def factory(self):  # type: ignore[no-untyped-def]
            return session_class(self.handler, **self.SMTP_kwargs)

    controller = DroppingController(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        transport = SmtpTransport(controller.hostname, controller.port, security="none", timeout=10)
        mail = make_mail("owner@example.com", ["carol@example.net"])
        with pytest.raises(MailError) as first:
            transport.send(mail)
        assert not isinstance(first.value, AmbiguousSendError)
        assert session_class.dropped == [verb] and handler.received == []  # nothing was transmitted
        transport.send(mail)  # the outbox's retry, on a new connection
        assert len(handler.received) == 1
        transport.close()
    finally:
        controller.stop()


def test_dots_at_line_starts_survive_the_wire(mail_world, imap_for, fresh_user):
    """The message body is written by hand now (to tell before-354 from after): dot-stuffing must hold."""
    body = ".leading dot\n..two dots\nend\n.\n"
    mail = make_mail("owner@example.com", [fresh_user], body=body)
    with SmtpTransport(mail_world.smtp_host, mail_world.smtp_port, security="none", timeout=10) as transport:
        transport.send(mail)
    box = imap_for(fresh_user)
    [got] = list(box.fetch_new("INBOX", 0))
    crlf = got.raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert b"\r\n.leading dot\r\n..two dots\r\nend\r\n.\r\n" in crlf
