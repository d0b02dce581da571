"""Missing or wrong settings are said out loud: the file, the key, the line, and what to change."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from refmail import logs
from refmail.cli import main
from refmail.config import ConfigError, load_rules, load_settings
from refmail.mail.providers import explain_connect_error, login_hint


def test_a_misspelt_toml_key_names_the_file_the_key_and_the_nearest(tmp_path: Path) -> None:
    cfg = tmp_path / "refmail.toml"
    cfg.write_text('REFMAIL_OWNER = "o@example.com"\n[imap]\nhost = "h"\npasword = "x"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(environ={}, config_file=str(cfg))
    assert str(cfg) in str(err.value) and "'[imap] pasword'" in str(err.value)
    assert "did you mean [imap] password?" in str(err.value)
    cfg.write_text('REFMAIL_OWNER = "o@example.com"\nREFMAIL_SMTP_HOTS = "h"\n')
    with pytest.raises(ConfigError, match="REFMAIL_SMTP_HOTS'; did you mean REFMAIL_SMTP_HOST"):
        load_settings(environ={}, config_file=str(cfg))
    cfg.write_text('owner = "o@example.com"\nasistant = "a@example.com"\n')
    with pytest.raises(ConfigError, match="did you mean assistant"):
        load_settings(environ={}, config_file=str(cfg))


def test_every_documented_setting_is_a_known_toml_key(tmp_path: Path) -> None:
    cfg = tmp_path / "refmail.toml"
    cfg.write_text('owner = "o@example.com"\nassistant = "a@example.com"\ndatabase_url = "sqlite:///x.db"\n'
                   '[imap]\nhost = "h"\nport = 993\nuser = "u"\npassword = "p"\nsecurity = "ssl"\n'
                   '[intake_imap]\nuser = "a"\npassword = "p"\n'
                   '[smtp]\nhost = "h"\nport = 465\nuser = "u"\npassword = "p"\nsecurity = "ssl"\n')
    settings = load_settings(environ={}, config_file=str(cfg))
    assert settings.intake_user == "a" and settings.smtp is not None and settings.smtp.port == 465


def test_a_yaml_syntax_error_names_the_file_the_line_and_the_fix(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("timezone: UTC\ncadence:\n  first_touch_days: 1\n   second_touch_days: 3\n")
    with pytest.raises(ConfigError) as err:
        load_rules(rules)
    text = str(err.value)
    assert text.startswith(f"{rules}, line 4")
    assert "indentation" in text and "<unicode string>" not in text and "\n" not in text


def test_a_database_folder_that_does_not_exist_is_an_error_not_created(tmp_path: Path, monkeypatch, capsys) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    monkeypatch.setenv("REFMAIL_OWNER", "o@example.com")
    monkeypatch.setenv("REFMAIL_DATABASE_URL", f"sqlite:///{missing}/x.db")
    monkeypatch.chdir(tmp_path)
    assert main(["drafts"]) == 1
    err = capsys.readouterr().err
    assert f"the folder {missing} does not exist" in err and not (tmp_path / "no").exists()


def test_the_default_data_folder_is_still_created(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("REFMAIL_OWNER", "o@example.com")
    monkeypatch.setenv("REFMAIL_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("REFMAIL_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["drafts"]) == 0
    assert (tmp_path / "fresh" / "refmail.db").is_file()


@pytest.mark.parametrize("host, expected", [
    ("imap.gmail.com", "app password"), ("smtp.office365.com", "OAuth2"), ("imap.fastmail.com", "app password"),
    ("imap.mail.me.com", "app-specific password"), ("mail.example.org", "REFMAIL_IMAP_USER / REFMAIL_IMAP_PASSWORD"),
])
def test_a_refused_login_gets_the_providers_hint(host: str, expected: str) -> None:
    assert expected in login_hint(host, "REFMAIL_IMAP")


def test_connection_failures_name_the_server_and_the_setting() -> None:
    import ssl

    mismatch = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)")
    text = explain_connect_error("IMAP", "mail.example.org", 143, "ssl", mismatch)
    assert text is not None and "REFMAIL_IMAP_SECURITY=starttls" in text and "WRONG_VERSION" not in text
    refused = explain_connect_error("SMTP", "mail.example.org", 2525, "starttls", ConnectionRefusedError(111, "x"))
    assert refused is not None and "mail.example.org:2525" in refused and "refused" in refused


def test_log_lines_never_show_a_configured_secret(capsys) -> None:
    logs.configure(logs.VERBOSE, "json", secrets=["hunter2-password"])
    logging.getLogger("refmail.mail.imap").info("login with %s failed", "hunter2-password")
    line = json.loads(capsys.readouterr().err.strip())
    assert line["message"] == "login with *** failed" and line["level"] == "info"


def test_the_same_problem_is_said_once_an_hour_not_every_cycle(capsys) -> None:
    logs.configure(logs.NORMAL)
    events = logging.getLogger(logs.EVENTS)

    def problem_at(seconds: float) -> None:
        record = events.makeRecord(events.name, logging.WARNING, __file__, 1, "IMAP login failed", (), None)
        record.created = 1_000_000.0 + seconds
        events.handle(record)

    for minute in range(5):  # a cycle a minute with the same wrong password
        problem_at(60 * minute)
    problem_at(3601)  # an hour after it was last shown: said again
    assert capsys.readouterr().err.count("IMAP login failed") == 2
