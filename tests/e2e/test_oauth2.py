"""The real command line on OAuth2 only: Dovecot with an oauth2 passdb and the world's SMTP server, every
login a token printed by a command; a refused token said once; doctor says which way each account logs in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.harness import Cast

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def cast(oauth2_world, tmp_path):  # type: ignore[no-untyped-def]
    """A cast with no passwords at all: owner, intake and SMTP each log in with a token from `cat FILE`."""
    cast = Cast.new(oauth2_world, tmp_path)
    files = {who: tmp_path / f"{who}.token" for who in ("owner", "intake")}
    files["owner"].write_text(oauth2_world.tokens.issue(cast.owner.email) + "\n")
    files["intake"].write_text(oauth2_world.tokens.issue(cast.assistant) + "\n")
    cast.env_overrides.update({
        "REFMAIL_IMAP_PASSWORD": "", "REFMAIL_INTAKE_IMAP_PASSWORD": "",
        "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND": f"cat {files['owner']}",
        "REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND": f"cat {files['intake']}",
        "REFMAIL_SMTP_USER": cast.owner.email,
        "REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND": f"cat {files['owner']}",
    })
    cast.token_files = files  # type: ignore[attr-defined]
    return cast


def tokens(cast) -> list[str]:  # type: ignore[no-untyped-def]
    return [path.read_text().strip() for path in cast.token_files.values()]


def test_a_cycle_reads_and_sends_with_tokens_only(cast) -> None:  # type: ignore[no-untyped-def]
    cast.introduce(MON)
    done = cast.cli("run", "--once", now=MON)
    approvals = [m for m in cast.from_refmail(cast.owner) if m["Subject"].startswith("[refmail] Approve: ")]
    assert len(approvals) == 2, done.stdout + done.stderr  # intro read (IMAP), first touch + thank-you approvals sent (SMTP)
    assert cast.world.dovecot_logged(f"Login: user=<{cast.assistant}>, method=XOAUTH2",
                                     f"Login: user=<{cast.owner.email}>, method=XOAUTH2"), cast.world.dovecot_log()
    assert not any(token in done.stdout + done.stderr for token in tokens(cast))


def test_a_refused_token_is_said_once_and_a_new_one_heals(cast) -> None:  # type: ignore[no-untyped-def]
    cast.world.tokens.revoke(tokens(cast)[0])  # the owner's token expired, and the helper still prints it
    cast.env_overrides["REFMAIL_INTAKE_IMAP_USER"] = ""  # the owner's INBOX is the intake: one account to refuse
    done = cast.cli("run", "--once", now=MON, check=False)
    said = done.stdout + done.stderr
    assert done.returncode == 1
    assert said.count("IMAP login failed") == 1, said
    assert "the access token from REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND was refused" in said
    assert tokens(cast)[0] not in said and "Traceback" not in said

    cast.token_files["owner"].write_text(cast.world.tokens.issue(cast.owner.email) + "\n")  # `auth login` again
    assert f"Login: user=<{cast.owner.email}>, method=XOAUTH2" not in cast.world.dovecot_log()
    healed = cast.cli("run", "--once", now=MON)  # exit 0: polled and nothing failed
    assert "login failed" not in healed.stdout + healed.stderr
    assert cast.world.dovecot_logged(f"Login: user=<{cast.owner.email}>, method=XOAUTH2")


def test_a_failing_command_names_the_setting(cast, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cast.env_overrides["REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND"] = f"cat {tmp_path / 'missing.token'}"
    done = cast.cli("run", "--once", now=MON, check=False)
    assert done.returncode == 1
    assert "REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND: 'cat' failed (exit status 1)" in done.stderr
    assert done.stderr.count("REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND") == 1, done.stderr


def test_doctor_says_each_account_logs_in_with_oauth2(cast) -> None:  # type: ignore[no-untyped-def]
    done = cast.cli("doctor", now=MON, check=False)
    lines = {line.split()[1]: line for line in done.stdout.splitlines() if line[:4] in ("ok  ", "warn", "fail")}
    assert done.returncode == 0, done.stdout
    assert "with OAuth2 (XOAUTH2, token from REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND)" in lines["imap"]
    assert "with OAuth2 (XOAUTH2, token from REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND)" in lines["intake"]
    assert "with OAuth2 (XOAUTH2, token from REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND)" in lines["smtp"]


def test_the_token_command_is_refmail_auth_token_after_a_device_code_sign_in(oauth2_world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The whole chain: `auth login` (msal, against a local identity provider whose tokens the world's
    Dovecot and SMTP accept), then every login of a cycle runs `refmail auth token`."""
    import sys

    from tests.identity_server import IdentityProvider

    cast = Cast.new(oauth2_world, tmp_path)
    idp = IdentityProvider(tmp_path, username=cast.owner.email, on_issue=oauth2_world.tokens.accept).start()
    try:
        command = f"{sys.executable} -m refmail auth token --provider microsoft"
        cast.env_overrides.update({
            "REQUESTS_CA_BUNDLE": str(idp.cert), "REFMAIL_IMAP_PASSWORD": "",
            "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND": command,
            "REFMAIL_SMTP_USER": cast.owner.email, "REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND": command,
        })
        login = cast.cli("auth", "login", "--provider", "microsoft", "--client-id", "client-123",
                         "--tenant", idp.tenant, "--authority", idp.base, now=MON)
        assert f"signed in to microsoft as {cast.owner.email}" in login.stdout
        cast.introduce(MON)
        done = cast.cli("run", "--once", now=MON)
        approvals = [m for m in cast.from_refmail(cast.owner) if m["Subject"].startswith("[refmail] Approve: ")]
        assert len(approvals) == 2, done.stdout + done.stderr
        assert cast.world.dovecot_logged(f"Login: user=<{cast.owner.email}>, method=XOAUTH2")
        assert idp.access_tokens[-1] not in done.stdout + done.stderr
        assert len(idp.grants) == 1  # the token stayed valid: each login reused it, nothing refreshed
    finally:
        idp.stop()


def test_init_for_microsoft_writes_token_commands_and_says_how_to_sign_in(cast, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import tomllib

    config = tmp_path / "refmail.toml"
    done = cast.cli("init", "--provider", "microsoft", "--name", "Olivia Owner", "--email", "olivia@contoso.com",
                    "--assistant", "refmail@contoso.com", "--config", str(config), now=MON)
    assert "refmail auth login --provider microsoft --client-id" in done.stdout, done.stdout + done.stderr
    written = tomllib.loads(config.read_text())
    for section in ("imap", "smtp"):
        assert written[section]["oauth2_token_command"].endswith("auth token --provider microsoft")
        assert "password" not in written[section]
    assert written["imap"]["host"] == "outlook.office365.com" and written["smtp"]["user"] == "olivia@contoso.com"


def test_verbose_logs_never_show_a_token(cast) -> None:  # type: ignore[no-untyped-def]
    import base64

    from refmail.mail.oauth2 import xoauth2

    cast.introduce(MON)
    done = cast.cli("-v", "run", "--once", now=MON)
    said = done.stdout + done.stderr
    assert "imap XOAUTH2 login as" in said and "smtp XOAUTH2 login as" in said  # -v does log the logins
    for token, user in zip(tokens(cast), (cast.owner.email, cast.assistant)):
        assert token not in said
        assert base64.b64encode(xoauth2(user, token).encode()).decode() not in said
