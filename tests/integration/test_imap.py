"""ImapMailbox against a real Dovecot: incremental fetch, PEEK, special folders, reconnects."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from refmail.mail import imap as imap_module
from refmail.mail.imap import ImapMailbox
from refmail.mail.ports import MailError
from refmail.mail.security import InsecureConnectionError
from refmail.mail.smtp import SmtpTransport
from refmail.mail.world import MailWorld, free_port
from tests.fixtures_mail import make_mail

pytestmark = pytest.mark.integration

Factory = Callable[..., ImapMailbox]
WHEN = datetime(2024, 3, 4, 9, 30, tzinfo=timezone.utc)


def _send(transport: SmtpTransport, to: str, n: int = 1) -> list[str]:
    ids = []
    for i in range(n):
        mail = make_mail("alice@example.org", [to], subject=f"message {i}")
        transport.send(mail)
        ids.append(mail.message_id)
    return ids


def test_status_of_empty_inbox(imap_for: Factory, fresh_user: str) -> None:
    status = imap_for(fresh_user).status("INBOX")
    assert status.uidvalidity > 0
    assert status.uidnext == 1


def test_fetch_new_is_incremental(imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport) -> None:
    box = imap_for(fresh_user)
    assert list(box.fetch_new("INBOX", 0)) == []
    ids = _send(smtp_transport, fresh_user, 3)
    got = list(box.fetch_new("INBOX", 0))
    assert [m.uid for m in got] == sorted(m.uid for m in got)
    assert [m.raw.count(f"<{mid}>".encode()) for m, mid in zip(got, ids)] == [1, 1, 1]
    assert {m.folder for m in got} == {"INBOX"}
    assert {m.uidvalidity for m in got} == {box.status("INBOX").uidvalidity}
    last = got[-1].uid
    # Nothing newer: UID SEARCH last+1:* would match the last message; it must not come back.
    assert list(box.fetch_new("INBOX", last)) == []
    assert [m.uid for m in box.fetch_new("INBOX", got[0].uid)] == [m.uid for m in got[1:]]
    more = _send(smtp_transport, fresh_user, 1)
    [new] = list(box.fetch_new("INBOX", last))
    assert f"<{more[0]}>".encode() in new.raw and new.uid > last


def test_fetch_in_batches(
    imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imap_module, "FETCH_BATCH", 2)
    _send(smtp_transport, fresh_user, 5)
    assert len(list(imap_for(fresh_user).fetch_new("INBOX", 0))) == 5


def test_status_is_fresh_after_select(imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport) -> None:
    box = imap_for(fresh_user)
    _send(smtp_transport, fresh_user)
    list(box.fetch_new("INBOX", 0))  # leaves INBOX selected on this connection
    before = box.status("INBOX").uidnext
    _send(smtp_transport, fresh_user)
    assert box.status("INBOX").uidnext == before + 1


def test_peek_leaves_messages_unseen(
    mail_world: MailWorld, imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport
) -> None:
    _send(smtp_transport, fresh_user, 2)
    box = imap_for(fresh_user)
    first = list(box.fetch_new("INBOX", 0))
    again = list(box.fetch_new("INBOX", 0))
    assert all("\\Seen" not in m.flags for m in first + again)
    client = mail_world.imap(fresh_user)
    try:
        client.select_folder("INBOX", readonly=True)
        assert len(client.search("UNSEEN")) == 2
    finally:
        client.logout()


def test_append_to_flagged_sent_and_drafts(mail_world: MailWorld, imap_for: Factory, fresh_user: str) -> None:
    box = imap_for(fresh_user)
    assert box.sent_folder() == "Sent"
    assert box.drafts_folder() == "Drafts"
    mail = make_mail(fresh_user, ["carol@example.net"])
    box.append(box.sent_folder(), mail.data, WHEN, ("\\Seen",))
    [fetched] = list(box.fetch_new("Sent", 0))
    assert fetched.raw == mail.data and "\\Seen" in fetched.flags
    assert box.contains_message_id("Sent", mail.message_id)
    assert box.contains_message_id("Sent", f"<{mail.message_id}>")
    assert not box.contains_message_id("Sent", "other@test.refmail")
    assert not box.contains_message_id("INBOX", mail.message_id)


def test_special_use_flag_wins_over_name(mail_world: MailWorld, imap_for: Factory, fresh_user: str) -> None:
    # Created with a different name, the \Sent-flagged folder is still the one chosen.
    client = mail_world.imap(fresh_user)
    try:
        client.create_folder("Sent Items")
    finally:
        client.logout()
    assert imap_for(fresh_user).sent_folder() == "Sent"


def test_fallback_creates_sent_when_none_flagged(mail_world_unflagged: MailWorld, imap_for: Factory) -> None:
    world = mail_world_unflagged
    email = f"fallback-{free_port()}@example.com"
    world.add_user(email)
    box = imap_for(email, world)
    assert box.sent_folder() == "Sent"
    assert box.drafts_folder() == "Drafts"
    assert {name for _flags, name in world.folders(email)} == {"INBOX", "Sent", "Drafts"}
    # A fresh client finds the existing folder instead of creating another.
    assert imap_for(email, world).sent_folder() == "Sent"
    box.append("Sent", make_mail(email, ["carol@example.net"]).data, WHEN)
    assert len(world.messages(email, "Sent")) == 1


def test_append_creates_missing_folder(mail_world: MailWorld, imap_for: Factory, fresh_user: str) -> None:
    box = imap_for(fresh_user)
    box.append("Archive/Referrals", make_mail(fresh_user, ["carol@example.net"]).data, WHEN)
    assert len(mail_world.messages(fresh_user, "Archive/Referrals")) == 1


def test_reconnects_after_server_drops_us(
    mail_world: MailWorld, imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport
) -> None:
    box = imap_for(fresh_user)
    before = box.status("INBOX")
    mail_world.kick(fresh_user)  # Dovecot closes every connection of this user
    _send(smtp_transport, fresh_user)
    assert box.status("INBOX").uidnext == before.uidnext + 1
    assert len(list(box.fetch_new("INBOX", 0))) == 1


def test_reconnects_after_socket_shutdown_mid_session(
    imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport
) -> None:
    _send(smtp_transport, fresh_user, 2)
    box = imap_for(fresh_user)
    assert len(list(box.fetch_new("INBOX", 0))) == 2
    old = box._client
    assert old is not None
    old.socket().shutdown(socket.SHUT_RDWR)
    assert len(list(box.fetch_new("INBOX", 0))) == 2
    assert box._client is not None and box._client is not old


def test_unreachable_server_is_mail_error() -> None:
    box = ImapMailbox("127.0.0.1", free_port(), "owner@example.com", "pw", security="none", timeout=5)
    with pytest.raises(MailError):
        box.status("INBOX")


def test_wrong_password_is_mail_error_without_password(mail_world: MailWorld) -> None:
    box = ImapMailbox(mail_world.imap_host, mail_world.imap_port, "owner@example.com", "s3cret-wrong", security="none")
    with pytest.raises(MailError) as caught:
        box.status("INBOX")
    assert "owner@example.com" in str(caught.value)
    assert "s3cret-wrong" not in str(caught.value) and "s3cret-wrong" not in repr(box)


def test_missing_folder_is_mail_error(imap_for: Factory, fresh_user: str) -> None:
    with pytest.raises(MailError):
        imap_for(fresh_user).status("No Such Folder")


def test_plaintext_to_non_loopback_is_refused() -> None:
    with pytest.raises(InsecureConnectionError, match="plaintext"):
        ImapMailbox("imap.example.com", 143, "owner@example.com", "pw", security="none")
    ImapMailbox("imap.example.com", 143, "owner@example.com", "pw", security="none", allow_plaintext=True)
    ImapMailbox("::1", 143, "owner@example.com", "pw", security="none")


def test_tls_to_a_plaintext_port_fails_cleanly(mail_world: MailWorld) -> None:
    box = ImapMailbox(mail_world.imap_host, mail_world.imap_port, "owner@example.com", "pw", security="ssl", timeout=5)
    with pytest.raises(MailError):
        box.status("INBOX")


def test_wait_for_mail_answers_at_once_when_mail_came_since_the_poll(
    imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport
) -> None:
    box = imap_for(fresh_user)
    assert box.supports_idle()  # Dovecot has IDLE
    seen = box.status("INBOX").uidnext - 1
    _send(smtp_transport, fresh_user)  # lands after the poll, before the wait: no wake-up may be lost
    assert box.wait_for_mail("INBOX", seen, seconds=30) == seen + 1


def test_wait_for_mail_is_woken_by_delivery_during_idle(
    imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport
) -> None:
    box = imap_for(fresh_user)
    seen = box.status("INBOX").uidnext - 1
    checks = 0

    def deliver_once_idling() -> bool:
        nonlocal checks
        checks += 1
        if checks == 2:  # called between IDLE checks: the box is idling now
            _send(smtp_transport, fresh_user)
        return False

    assert box.wait_for_mail("INBOX", seen, seconds=30, stop=deliver_once_idling) == seen + 1
    assert list(box.fetch_new("INBOX", seen))[0].uid == seen + 1  # the connection is usable after IDLE


def test_wait_for_mail_stops_when_asked_and_times_out_empty(imap_for: Factory, fresh_user: str) -> None:
    box = imap_for(fresh_user)
    seen = box.status("INBOX").uidnext - 1
    assert box.wait_for_mail("INBOX", seen, seconds=30, stop=lambda: True) is None
    assert box.wait_for_mail("INBOX", seen, seconds=0.2) is None


def test_a_message_expunged_between_search_and_fetch_is_passed_over(
    imap_for: Factory, fresh_user: str, smtp_transport: SmtpTransport, mail_world: MailWorld
) -> None:
    box = imap_for(fresh_user)
    _send(smtp_transport, fresh_user, 3)
    expunged: list[int] = []

    def wanted(header: bytes) -> bool:  # runs after the header FETCH, before the body FETCH
        if not expunged:
            other = mail_world.imap(fresh_user)
            other.select_folder("INBOX")
            uids = sorted(other.search(["ALL"]))
            other.delete_messages([uids[1]])
            other.expunge()
            other.logout()
            expunged.append(uids[1])
        return True

    got = [m.uid for m in box.fetch_new("INBOX", 0, wanted=wanted)]
    assert expunged and expunged[0] not in got and len(got) == 2
