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
