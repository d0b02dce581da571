"""`refmail doctor` against the real mail world: all ok on a good config, and the right hint when the
password, the port or the TLS mode is wrong."""

from __future__ import annotations

import pytest

from refmail.mail.world import free_port

pytestmark = pytest.mark.e2e


def doctor(cast):  # type: ignore[no-untyped-def]
    done = cast.cli_subprocess("doctor", now=__import__("datetime").datetime(2026, 11, 16, 9, 0), check=False)
    lines = {line.split()[1]: line for line in done.stdout.splitlines() if line[:4] in ("ok  ", "warn", "fail")}
    return done, lines


def test_a_good_config_passes(cast) -> None:
    done, lines = doctor(cast)
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines["imap"].startswith("ok") and "logged in" in lines["imap"] and "IDLE" in lines["imap"]
    assert "Sent folder" in lines["imap"] or "flagged \\Sent" in lines["imap"]
    assert lines["smtp"].startswith("ok") and lines["database"].startswith(("ok", "warn"))
    assert lines["intake"].startswith("ok") and cast.assistant in lines["intake"]
    assert cast.world.password(cast.owner.email) not in done.stdout + done.stderr


def test_a_wrong_password_fails_with_the_hint(cast) -> None:
    cast.env_overrides.update({"REFMAIL_IMAP_PASSWORD": "not-the-password"})
    done, lines = doctor(cast)
    assert done.returncode == 1
    assert lines["imap"].startswith("fail") and "IMAP login failed" in lines["imap"]
    assert "REFMAIL_IMAP_USER / REFMAIL_IMAP_PASSWORD" in lines["imap"]
    assert "not-the-password" not in done.stdout + done.stderr


def test_a_wrong_port_names_host_and_port(cast) -> None:
    port = free_port()
    cast.env_overrides.update({"REFMAIL_SMTP_PORT": str(port)})
    done, lines = doctor(cast)
    assert done.returncode == 1 and lines["imap"].startswith("ok")
    assert lines["smtp"].startswith("fail") and f"{cast.world.smtp_host}:{port}: connection refused" in lines["smtp"]


def test_tls_against_a_plaintext_server_says_which_setting_to_change(cast) -> None:
    cast.env_overrides.update({"REFMAIL_IMAP_SECURITY": "ssl", "REFMAIL_SMTP_SECURITY": "ssl"})
    done, lines = doctor(cast)
    assert done.returncode == 1
    assert "set REFMAIL_IMAP_SECURITY=starttls" in lines["imap"]
    assert "set REFMAIL_SMTP_SECURITY=starttls" in lines["smtp"]
    assert "WRONG_VERSION_NUMBER" not in done.stdout


def doctor_with(cast, *flags: str):  # type: ignore[no-untyped-def]
    done = cast.cli_subprocess("doctor", *flags, now=__import__("datetime").datetime(2026, 11, 16, 9, 0), check=False)
    lines = {line.split()[1]: line for line in done.stdout.splitlines() if line[:4] in ("ok  ", "warn", "fail")}
    return done, lines


def test_without_the_flag_delivery_is_not_checked_and_nothing_is_sent(cast) -> None:
    before = {who: len(cast.world.messages(who)) for who in (cast.assistant, cast.owner.email)}
    done, lines = doctor_with(cast)
    assert done.returncode == 0
    assert lines["delivery"].startswith("warn") and "--send-probe" in lines["delivery"]
    assert {who: len(cast.world.messages(who)) for who in before} == before


def test_a_probe_reaches_the_intake_and_is_deleted_again(cast) -> None:
    done, lines = doctor_with(cast, "--send-probe")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sending a probe message" in done.stdout
    assert lines["delivery"].startswith("ok") and cast.assistant in lines["delivery"]
    assert f"reached {cast.assistant}'s INBOX" in lines["delivery"]
    # Deleted (and expunged) from the intake; nothing reached anyone else.
    assert cast.world.messages(cast.assistant) == []
    assert cast.world.messages(cast.owner.email) == []


def test_an_assistant_address_that_does_not_reach_the_intake_fails_with_the_fix(cast) -> None:
    elsewhere = cast.person("other", "Someone Else", "example.com")  # mail to it lands in another mailbox
    cast.env_overrides["REFMAIL_ASSISTANT"] = elsewhere.email
    done, lines = doctor_with(cast, "--send-probe", "--probe-wait", "1")
    assert done.returncode == 1
    assert lines["delivery"].startswith("fail")
    assert f"did not reach {cast.assistant}'s INBOX within 1 s" in lines["delivery"]
    assert "REFMAIL_ASSISTANT" in lines["delivery"] and "REFMAIL_INTAKE_IMAP_USER" in lines["delivery"]
    assert len(cast.world.messages(elsewhere.email)) == 1  # it was really sent, to the address configured
