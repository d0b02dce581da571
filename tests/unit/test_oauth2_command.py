"""The token command: run without a shell, first line only, and every way it can fail names the setting."""

from __future__ import annotations

import sys

import pytest

from refmail.mail.oauth2 import TokenCommand, TokenCommandFailed, choose_mechanism, oauthbearer, xoauth2

SETTING = "REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND"


def run(command: str, timeout: float = 10) -> str:
    return TokenCommand(command, SETTING, timeout).fetch()


def test_the_first_line_is_the_token() -> None:
    assert run(f"{sys.executable} -c \"print('  tok-123  '); print('ignored')\"") == "tok-123"


def test_no_shell_sees_the_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "touched"
    # With a shell, `;` would run touch; split into words, it is only an argument echo prints.
    assert run(f"echo tok; touch {marker}") == f"tok; touch {marker}"
    assert not marker.exists()
    assert run("echo $HOME") == "$HOME"


@pytest.mark.parametrize("command, said", [
    ("no-such-program-here", "cannot run 'no-such-program-here': no such program"),
    ("false", "'false' failed (exit status 1)"),
    ("true", "'true' printed no token"),
    ("", f"{SETTING} is empty"),
    ("echo 'unclosed", "cannot split"),
])
def test_failures_name_the_setting(command: str, said: str) -> None:
    with pytest.raises(TokenCommandFailed) as failed:
        run(command)
    assert str(failed.value).startswith(SETTING) and said in str(failed.value)


def test_a_hung_command_times_out() -> None:
    with pytest.raises(TokenCommandFailed, match="did not finish within 0.3 s"):
        run(f"{sys.executable} -c \"import time; time.sleep(30)\"", timeout=0.3)


def test_sasl_strings() -> None:
    assert xoauth2("a@b.c", "T") == "user=a@b.c\x01auth=Bearer T\x01\x01"
    assert oauthbearer("a,=b@c", "imap.x", 993, "T") == "n,a=a=2C=3Db@c,\x01host=imap.x\x01port=993\x01auth=Bearer T\x01\x01"


def test_mechanism_choice() -> None:
    assert choose_mechanism({"XOAUTH2", "OAUTHBEARER", "PLAIN"}) == "XOAUTH2"
    assert choose_mechanism({"OAUTHBEARER", "PLAIN"}) == "OAUTHBEARER"
    assert choose_mechanism({"PLAIN"}) == "XOAUTH2"


def test_the_settings_take_a_token_command_per_account(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from refmail.config import ConfigError, load_settings
    from refmail.mail.oauth2 import account_tokens

    config = tmp_path / "refmail.toml"
    config.write_text('owner = "O <o@example.com>"\n'
                      '[imap]\nhost = "imap.example.com"\nuser = "o@example.com"\n'
                      'oauth2_token_command = "refmail auth token --provider microsoft"\n'
                      '[intake_imap]\nuser = "a@example.com"\noauth2_token_command = "helper --account a"\n'
                      '[smtp]\nhost = "smtp.example.com"\nuser = "o@example.com"\n')
    env = {"REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND": "from-env"}
    tokens = account_tokens(load_settings(environ=env, config_file=str(config)))
    assert tokens.owner == TokenCommand("refmail auth token --provider microsoft", "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND")
    assert tokens.intake == TokenCommand("helper --account a", "REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND")
    assert tokens.smtp == TokenCommand("from-env", "REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND")
    assert account_tokens(load_settings(environ={}, config_file=str(config))).smtp is None  # a password login

    config.write_text('owner = "O <o@example.com>"\n[imap]\noauth2_token_comand = "x"\n')
    with pytest.raises(ConfigError, match=r"did you mean \[imap\] oauth2_token_command\?"):
        load_settings(environ={}, config_file=str(config))
