"""A connection lost after DATA may have delivered: refmail holds the message, never resends on a guess."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from refmail.mail.ports import AmbiguousSendError, PermanentSendError
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
