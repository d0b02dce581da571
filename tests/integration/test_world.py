"""The throw-away mail world itself: users, delivery by envelope, refusals, lifecycle."""

from __future__ import annotations

import smtplib
import subprocess
import tempfile
from pathlib import Path

import pytest

from refmail.mail.world import MailWorld
from tests.fixtures_mail import make_mail

pytestmark = pytest.mark.integration


def test_users_have_flagged_sent_and_drafts(mail_world: MailWorld) -> None:
    folders = dict((name, flags) for flags, name in mail_world.folders("owner@example.com"))
    assert b"\\Sent" in folders["Sent"]
    assert b"\\Drafts" in folders["Drafts"]


def test_unflagged_world_has_no_special_folders(mail_world_unflagged: MailWorld) -> None:
    folders = mail_world_unflagged.folders("owner@example.com")
    assert [name for _flags, name in folders] == ["INBOX"]
    assert not any(b"\\Sent" in flags or b"\\Drafts" in flags for flags, _ in folders)


def test_delivers_by_envelope_recipient_before_250(mail_world: MailWorld, fresh_user: str) -> None:
    mail = make_mail("alice@example.org", ["carol@example.net"], subject="bcc me")
    with smtplib.SMTP(mail_world.smtp_host, mail_world.smtp_port) as smtp:
        # fresh_user is only on the envelope, like a BCC.
        smtp.sendmail(mail.sender, [fresh_user], mail.data)
    [stored] = mail_world.messages(fresh_user)
    assert stored.startswith(b"Return-Path: <alice@example.org>\r\n")
    assert stored.endswith(mail.data)


def test_unknown_recipient_is_550(mail_world: MailWorld) -> None:
    with smtplib.SMTP(mail_world.smtp_host, mail_world.smtp_port) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
            smtp.sendmail("owner@example.com", ["nobody@example.com"], b"Subject: x\r\n\r\nx\r\n")
    assert caught.value.recipients["nobody@example.com"][0] == 550


def test_refuse_recipient_gives_chosen_reply(mail_world: MailWorld, fresh_user: str) -> None:
    mail_world.refuse_recipient(fresh_user, "452 4.2.2 Mailbox full")
    try:
        with smtplib.SMTP(mail_world.smtp_host, mail_world.smtp_port) as smtp:
            with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
                smtp.sendmail("owner@example.com", [fresh_user], b"Subject: x\r\n\r\nx\r\n")
        assert caught.value.recipients[fresh_user][0] == 452
    finally:
        mail_world.refuse_recipient(fresh_user, None)
    with smtplib.SMTP(mail_world.smtp_host, mail_world.smtp_port) as smtp:
        smtp.sendmail("owner@example.com", [fresh_user], b"Subject: x\r\n\r\nx\r\n")
    assert len(mail_world.messages(fresh_user)) == 1


def test_added_user_can_log_in_at_once(mail_world: MailWorld) -> None:
    mail_world.imap("owner@example.com").logout()  # auth has just read its files
    for n in range(3):
        email = f"late-{n}-{id(mail_world)}@example.com"
        mail_world.add_user(email)
        client = mail_world.imap(email)
        client.logout()
    assert mail_world.add_user(email) == mail_world.password(email)  # idempotent


def test_smtp_auth_uses_world_passwords(mail_world: MailWorld) -> None:
    with smtplib.SMTP(mail_world.smtp_host, mail_world.smtp_port) as smtp:
        smtp.login("owner@example.com", mail_world.password("owner@example.com"))
    with smtplib.SMTP(mail_world.smtp_host, mail_world.smtp_port) as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.login("owner@example.com", "wrong")


def test_world_in_given_dir_starts_and_stops_cleanly() -> None:
    base = Path(tempfile.mkdtemp(prefix="refmail-test-world-"))
    with MailWorld.start(users=["x@example.com"], base_dir=base, reject_unknown=False) as world:
        dovecot = world._dovecot
        assert dovecot is not None
        with smtplib.SMTP(world.smtp_host, world.smtp_port) as smtp:
            smtp.sendmail("x@example.com", ["someone-new@example.com"], b"Subject: x\r\n\r\nx\r\n")
        assert len(world.messages("someone-new@example.com")) == 1
    assert dovecot.returncode is not None
    # The same directory can host a new world right away (no "already running").
    with MailWorld.start(users=["x@example.com"], base_dir=base) as again:
        again.imap("x@example.com").logout()
    subprocess.run(["rm", "-rf", str(base)], check=True)
