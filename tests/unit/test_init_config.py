"""Provider presets fill in servers; what init writes reads back as the same settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from refmail.config import load_settings
from refmail.init_config import Answers, InitError, settings_for, write_config


@pytest.mark.parametrize("provider, imap, smtp", [
    ("gmail", ("imap.gmail.com", 993, "ssl"), ("smtp.gmail.com", 465, "ssl")),
    ("microsoft", ("outlook.office365.com", 993, "ssl"), ("smtp.office365.com", 587, "starttls")),
    ("fastmail", ("imap.fastmail.com", 993, "ssl"), ("smtp.fastmail.com", 465, "ssl")),
    ("icloud", ("imap.mail.me.com", 993, "ssl"), ("smtp.mail.me.com", 587, "starttls")),
    ("yahoo", ("imap.mail.yahoo.com", 993, "ssl"), ("smtp.mail.yahoo.com", 465, "ssl")),
])
def test_presets_round_trip_through_the_file(tmp_path: Path, provider: str, imap: tuple, smtp: tuple) -> None:
    values = settings_for(Answers(provider, "Olivia \"O\" Owner", "o@example.com", "a@example.com", 'p"w\\x'))
    path = tmp_path / "refmail.toml"
    write_config(path, values)
    s = load_settings(environ={}, config_file=str(path))
    assert s.imap is not None and (s.imap.host, s.imap.port, s.imap.security) == imap
    assert s.smtp is not None and (s.smtp.host, s.smtp.port, s.smtp.security) == smtp
    assert s.imap.password == 'p"w\\x' and s.smtp.user == "o@example.com"
    assert s.identity.owner.name == 'Olivia "O" Owner' and s.identity.assistant == "a@example.com"


def test_other_needs_hosts_and_rerunning_keeps_other_keys(tmp_path: Path) -> None:
    with pytest.raises(InitError, match="--imap-host"):
        settings_for(Answers("other", "", "o@example.com", "a@example.com", "pw"))
    path = tmp_path / "refmail.toml"
    path.write_text('secret = "0123456789abcdef0123"\n')
    write_config(path, settings_for(Answers("gmail", "", "o@example.com", "a@example.com", "pw")))
    assert load_settings(environ={}, config_file=str(path)).secret == "0123456789abcdef0123"
