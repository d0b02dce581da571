"""Against the real mail world: a missing SMTP, a wrong password, a wrong port and a TLS mismatch are each
said once, naming the setting to change, never as a raw trace, never with the password."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from refmail.mail.world import free_port

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def test_without_smtp_nothing_pretends_to_send(cast) -> None:
    cast.env_overrides.update({"REFMAIL_SMTP_HOST": ""})
    cast.introduce(MON)
    once = cast.cli("run", "--once", now=MON, check=False)
    assert once.returncode == 1 and "no SMTP server configured (REFMAIL_SMTP_HOST" in once.stderr
    draft = cast.cli_json("drafts", now=MON)[0]
    approved = cast.cli("approve", draft["id"], now=MON).stdout
    assert "no SMTP server is configured" in approved and "UTC or later" not in approved
    digest = cast.cli("digest", "--print", now=MON).stdout
    assert "approval email" not in digest.replace("no approval email was sent", "")


def test_no_assistant_address_is_said(cast) -> None:
    cast.env_overrides.update({"REFMAIL_ASSISTANT": "", "REFMAIL_INTAKE_IMAP_USER": ""})
    done = cast.cli("run", "--once", now=MON, check=False)
    assert "REFMAIL_ASSISTANT is not set" in done.stderr


def test_a_wrong_password_is_said_once_with_the_hint_and_never_shown(cast) -> None:
    cast.env_overrides.update({"REFMAIL_IMAP_PASSWORD": "wrong-secret-123", "REFMAIL_INTAKE_IMAP_USER": ""})
    done = cast.cli("run", "--once", now=MON, check=False)
    assert done.returncode == 1
    assert done.stderr.count("IMAP login failed") == 1, done.stderr
    assert "REFMAIL_IMAP_USER / REFMAIL_IMAP_PASSWORD" in done.stderr
    assert "wrong-secret-123" not in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_a_refused_connection_names_host_and_port(cast) -> None:
    port = free_port()
    cast.env_overrides.update({"REFMAIL_IMAP_PORT": str(port)})
    done = cast.cli("run", "--once", now=MON, check=False)
    assert f"IMAP server {cast.world.imap_host}:{port}: connection refused" in done.stderr
    assert "check REFMAIL_IMAP_HOST and REFMAIL_IMAP_PORT" in done.stderr


def test_tls_on_a_plaintext_port_says_which_setting_to_change(cast) -> None:
    cast.env_overrides.update({"REFMAIL_IMAP_SECURITY": "ssl", "REFMAIL_INTAKE_IMAP_USER": ""})
    done = cast.cli("run", "--once", now=MON, check=False)
    assert done.stderr.count("REFMAIL_IMAP_SECURITY=starttls") == 1, done.stderr  # said once, not per folder
    assert "WRONG_VERSION_NUMBER" not in done.stderr
