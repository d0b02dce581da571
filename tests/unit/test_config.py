"""Settings: environment over TOML, precise errors, secrets never in repr."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from refmail.config import PACKAGE_DATA, ConfigError, load_rules, load_settings

BASE = {"REFMAIL_OWNER": "Olivia Owner <Owner@Example.com>, olivia@owner.example", "REFMAIL_DATA_DIR": "/tmp/x"}


def test_owner_and_aliases_are_normalised():
    s = load_settings(BASE)
    assert s.identity.owner.email == "owner@example.com"
    assert s.identity.owner.name == "Olivia Owner"
    assert s.identity.owner_aliases == ("olivia@owner.example",)
    assert s.database_url == "sqlite:////tmp/x/refmail.db"


def test_missing_owner_names_the_variable():
    with pytest.raises(ConfigError, match="REFMAIL_OWNER"):
        load_settings({})


def test_bad_security_and_port_are_named():
    with pytest.raises(ConfigError, match="REFMAIL_IMAP_SECURITY"):
        load_settings(BASE | {"REFMAIL_IMAP_HOST": "h", "REFMAIL_IMAP_SECURITY": "tls9"})
    with pytest.raises(ConfigError, match="REFMAIL_SMTP_PORT"):
        load_settings(BASE | {"REFMAIL_SMTP_HOST": "h", "REFMAIL_SMTP_PORT": "twenty-five"})


def test_default_ports_follow_security():
    s = load_settings(BASE | {"REFMAIL_IMAP_HOST": "h", "REFMAIL_SMTP_HOST": "h", "REFMAIL_SMTP_SECURITY": "starttls"})
    assert s.imap is not None and s.imap.port == 993
    assert s.smtp is not None and s.smtp.port == 587


def test_passwords_and_secret_stay_out_of_repr():
    s = load_settings(BASE | {"REFMAIL_IMAP_HOST": "h", "REFMAIL_IMAP_PASSWORD": "hunter2-imap",
                              "REFMAIL_SMTP_HOST": "h", "REFMAIL_SMTP_PASSWORD": "hunter2-smtp",
                              "REFMAIL_SECRET": "s3cr3t-key-long-enough"})
    text = repr(s)
    assert "hunter2" not in text and "s3cr3t" not in text


def test_a_short_secret_is_refused_with_the_reason():
    with pytest.raises(ConfigError, match="REFMAIL_SECRET: too short.*at least 16 characters") as err:
        load_settings(BASE | {"REFMAIL_SECRET": "tiger"})
    assert "tiger" not in str(err.value)


def test_toml_file_with_sections_and_environment_wins(tmp_path: Path):
    cfg = tmp_path / "refmail.toml"
    cfg.write_text('REFMAIL_ASSISTANT = "from-toml@example.com"\n[imap]\nhost = "imap.example.com"\nport = 1993\n')
    s = load_settings(BASE | {"REFMAIL_ASSISTANT": "from-env@example.com"}, config_file=str(cfg))
    assert s.identity.assistant == "from-env@example.com"
    assert s.imap is not None and (s.imap.host, s.imap.port) == ("imap.example.com", 1993)


def test_broken_toml_is_a_config_error(tmp_path: Path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="bad.toml"):
        load_settings(BASE, config_file=str(cfg))


def test_refmail_now_is_parsed_or_named():
    assert load_settings(BASE | {"REFMAIL_NOW": "2026-11-16T09:00:00Z"}).now == datetime(2026, 11, 16, 9, tzinfo=UTC)
    with pytest.raises(ConfigError, match="REFMAIL_NOW"):
        load_settings(BASE | {"REFMAIL_NOW": "next tuesday"})


def test_rules_file_errors_name_the_key(tmp_path: Path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("cadence:\n  second_touch_afterr: 3\n")
    with pytest.raises(ConfigError, match=r"cadence\.second_touch_afterr: unknown key"):
        load_rules(rules)
    rules.write_text("cadence: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(rules)


def test_a_yaml_mistake_is_told_as_precisely_as_the_pure_python_parser_tells_it(tmp_path: Path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("calendar:\n\tbusiness_days: [mon]\n")  # libyaml alone says "found character that ..."
    with pytest.raises(ConfigError, match=r"line 2, column 1: not valid YAML \(.*found character '\\t'"):
        load_rules(rules)


def test_packaged_rules_load():
    rules = load_rules(None)
    assert rules.cadence.second_touch_after == 3
    assert rules.needs_approval  # every kind needs approval by default


def test_cli_errors_are_one_line_without_traceback(tmp_path: Path, capsys, monkeypatch):
    from refmail.cli import main

    monkeypatch.setenv("REFMAIL_OWNER", "owner@example.com")
    monkeypatch.setenv("REFMAIL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REFMAIL_IMAP_HOST", "imap.example.com")
    monkeypatch.setenv("REFMAIL_IMAP_USER", "owner@example.com")
    monkeypatch.setenv("REFMAIL_IMAP_PASSWORD", "pw-should-not-leak")
    monkeypatch.setenv("REFMAIL_IMAP_SECURITY", "none")
    assert main(["run", "--once"]) == 1
    err = capsys.readouterr().err
    assert "plaintext" in err.lower() and "Traceback" not in err and "pw-should-not-leak" not in err
    monkeypatch.setenv("REFMAIL_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["referrals"]) == 1
    assert "REFMAIL_DATABASE_URL" in capsys.readouterr().err
    assert main(["show", "nope"]) == 1


def test_usage_errors_exit_2():
    from refmail.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["outcome", "r1", "maybe"])
    assert exc.value.code == 2


def test_a_bad_database_url_is_one_line_with_the_password_masked(tmp_path: Path, capsys, monkeypatch):
    from refmail.cli import main

    monkeypatch.setenv("REFMAIL_OWNER", "owner@example.com")
    monkeypatch.setenv("REFMAIL_DATABASE_URL", "postgresql://u:hunter2@host:notaport/db")
    assert main(["referrals"]) == 1
    err = capsys.readouterr().err
    assert "REFMAIL_DATABASE_URL" in err and "hunter2" not in err and "Traceback" not in err


def test_a_missing_editor_is_a_clear_error(tmp_path: Path, capsys, monkeypatch):
    from refmail.cli import _edit, UserError

    monkeypatch.setenv("EDITOR", "/no/such/editor")
    with pytest.raises(UserError, match="cannot start the editor"):
        _edit("body")


def test_database_url_passwords_are_hidden_even_when_mistyped():
    from refmail.store.db import DatabaseURLError, hide_password, make_engine

    with pytest.raises(DatabaseURLError) as err:
        make_engine("postgresql//bob:S3cretPW@db.example/refmail")  # the ':' is missing
    assert "S3cretPW" not in str(err.value) and "***" in str(err.value)
    url = "postgresql://bob:p@ssw0rd@db.example/refmail"  # a raw '@' in the password
    shown = hide_password(f"could not translate host name 'ssw0rd@db.example' ({url})", url)
    assert "p@ssw0rd" not in shown and "ssw0rd" not in shown
    assert hide_password("nothing secret", "sqlite:///tmp/x.db") == "nothing secret"


def test_a_server_without_a_host_is_not_checked_and_an_empty_path_is_no_setting(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no rules.yaml or templates/ beside it
    s = load_settings(BASE | {"REFMAIL_SMTP_PORT": "twenty-five", "REFMAIL_SMTP_SECURITY": "tls9"})
    assert s.smtp is None
    cfg = tmp_path / "refmail.toml"
    cfg.write_text('rules = ""\ntemplates = ""\n')
    s = load_settings(BASE, config_file=str(cfg))
    assert s.rules_path is None and s.templates_path == PACKAGE_DATA / "templates"

