"""OAuth2 against the real Dovecot (oauth2 passdb asking a loopback introspection endpoint) and the world's
SMTP server: tokens from a real command, a refused token sent once, a refreshed token healing the login."""

from __future__ import annotations

import smtplib
import sys
import uuid
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from refmail.domain.types import OutgoingMail
from refmail.mail.imap import ImapMailbox
from refmail.mail.oauth2 import TokenCommand, TokenCommandFailed, oauthbearer
from refmail.mail.ports import LoginFailed
from refmail.mail.smtp import SmtpTransport

pytestmark = pytest.mark.integration


@pytest.fixture
def user(oauth2_world) -> str:  # type: ignore[no-untyped-def]
    email = f"oauth-{uuid.uuid4().hex[:10]}@example.com"
    oauth2_world.add_user(email)
    return email


def token_file(tmp_path: Path, token: str) -> tuple[Path, TokenCommand]:
    """A token helper as a user would have one: a program that prints the current token (here from a file)."""
    path = tmp_path / "token"
    path.write_text(token + "\n")
    return path, TokenCommand(f"cat {path}", "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND")


def mailbox(world, user: str, token: TokenCommand) -> ImapMailbox:  # type: ignore[no-untyped-def]
    return ImapMailbox(world.imap_host, world.imap_port, user, "", "none", timeout=10, token=token)


def test_imap_logs_in_with_xoauth2_from_the_command(oauth2_world, user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, command = token_file(tmp_path, oauth2_world.tokens.issue(user))
    oauth2_world.deliver(user, b"Subject: hello\r\nMessage-ID: <m1@x>\r\n\r\nbody\r\n")
    with mailbox(oauth2_world, user, command) as box:
        assert box.status("INBOX").uidnext == 2
        assert box.login_method == "XOAUTH2"
    assert oauth2_world.dovecot_logged(f"Login: user=<{user}>, method=XOAUTH2"), oauth2_world.dovecot_log()


def test_a_refused_token_is_sent_once_and_a_refreshed_one_heals(oauth2_world, user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stale = oauth2_world.tokens.issue(user)
    oauth2_world.tokens.revoke(stale)  # what an expired token is to the server
    path, command = token_file(tmp_path, stale)
    box = mailbox(oauth2_world, user, command)
    asked = oauth2_world.tokens.requests
    with pytest.raises(LoginFailed) as refused:
        box.status("INBOX")
    assert "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND was refused" in str(refused.value) and stale not in str(refused.value)
    assert oauth2_world.tokens.requests == asked + 1
    with pytest.raises(LoginFailed) as again:  # the same token: the server is not asked again
        box.status("INBOX")
    assert again.value is refused.value and oauth2_world.tokens.requests == asked + 1
    path.write_text(oauth2_world.tokens.issue(user))  # the helper refreshed it
    assert box.status("INBOX").uidnext == 1
    box.close()


def test_a_token_refused_at_login_is_asked_for_again_at_once(oauth2_world, user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The helper's cached token expired between its run and the login: the second run gives a fresh one."""
    stale, fresh = oauth2_world.tokens.issue(user), oauth2_world.tokens.issue(user)
    oauth2_world.tokens.revoke(stale)
    runs = tmp_path / "runs"
    # First run prints the stale token, every later run the fresh one (a real program, no shell).
    script = tmp_path / "helper.py"
    script.write_text(f"import pathlib,sys\np=pathlib.Path({str(runs)!r})\nn=len(p.read_text()) if p.exists() else 0\n"
                      f"p.write_text('x'*(n+1))\nprint({stale!r} if n == 0 else {fresh!r})\n")
    command = TokenCommand(f"{sys.executable} {script}", "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND")
    with mailbox(oauth2_world, user, command) as box:
        assert box.status("INBOX").uidvalidity > 0
    assert runs.read_text() == "xx"


def test_smtp_sends_with_xoauth2_and_refuses_a_revoked_token(oauth2_world, user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = token_file(tmp_path, oauth2_world.tokens.issue(user))
    command = TokenCommand(f"cat {path}", "REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND")
    mail = OutgoingMail("oauth-send@example.com", user, (user,),
                        b"From: x\r\nTo: y\r\nSubject: via xoauth2\r\nMessage-ID: <oauth-send@example.com>\r\n\r\nhi\r\n")
    with SmtpTransport(oauth2_world.smtp_host, oauth2_world.smtp_port, user, None, "none", token=command) as smtp:
        smtp.send(mail)
        assert smtp.login_method == "XOAUTH2"
    assert any(b"via xoauth2" in raw for raw in oauth2_world.messages(user))

    oauth2_world.tokens.revoke(path.read_text().strip())
    with SmtpTransport(oauth2_world.smtp_host, oauth2_world.smtp_port, user, None, "none", token=command) as smtp:
        with pytest.raises(LoginFailed, match="535 .*REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND was refused"):
            smtp.check()


def test_oauthbearer_strings_are_what_the_servers_take(oauth2_world, user) -> None:  # type: ignore[no-untyped-def]
    token = oauth2_world.tokens.issue(user)
    client = IMAPClient(oauth2_world.imap_host, port=oauth2_world.imap_port, ssl=False, timeout=10)
    try:
        client.oauthbearer_login(user, token)
    finally:
        client.shutdown()
    conn = smtplib.SMTP(oauth2_world.smtp_host, oauth2_world.smtp_port, timeout=10)
    try:
        conn.ehlo()
        assert "OAUTHBEARER" in conn.esmtp_features["auth"]
        code, _ = conn.auth("OAUTHBEARER", lambda challenge=None: oauthbearer(user, "h", 1, token)
                            if challenge is None else "")
        assert code == 235
    finally:
        conn.close()


def test_passwords_still_work_beside_tokens_and_a_password_is_no_token(oauth2_world, user) -> None:  # type: ignore[no-untyped-def]
    password = oauth2_world.password(user)
    with ImapMailbox(oauth2_world.imap_host, oauth2_world.imap_port, user, password, "none", timeout=10) as box:
        assert box.status("INBOX").uidnext == 1 and box.login_method == "password"
    client = IMAPClient(oauth2_world.imap_host, port=oauth2_world.imap_port, ssl=False, timeout=10)
    try:
        with pytest.raises(LoginError):
            client.oauth2_login(user, password)
    finally:
        client.shutdown()


def test_a_failing_command_names_the_setting_and_nothing_connects(oauth2_world, user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    asked = oauth2_world.tokens.requests
    failing = TokenCommand(f"{sys.executable} -c \"import sys; sys.exit('no sign-in found')\"",
                           "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND")
    with pytest.raises(TokenCommandFailed, match=r"REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND: .* failed \(exit status 1\): "
                                                  "no sign-in found"):
        mailbox(oauth2_world, user, failing).status("INBOX")
    assert oauth2_world.tokens.requests == asked
