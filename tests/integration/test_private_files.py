"""Private by default: the data folder 0700, the database (it holds the approval secret) 0600, under umask 022."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from refmail.config import load_settings
from refmail.wiring import build_app


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _settings(data: Path):  # type: ignore[no-untyped-def]
    return load_settings({"REFMAIL_OWNER": "Olivia Owner <owner@example.com>",
                              "REFMAIL_ASSISTANT": "assistant@example.com", "REFMAIL_DATA_DIR": str(data)})


def test_a_new_data_folder_and_database_are_private_under_umask_022(tmp_path: Path, umask_022: None) -> None:
    data = tmp_path / "home" / "refmail"
    app = build_app(_settings(data))
    with app.sessions.begin() as s:  # write something, so the WAL exists too
        from refmail.store import models as m
        s.add(m.Meta(key="probe", value="x"))
    assert _mode(data) == 0o700
    files = [p for p in data.iterdir() if p.name.startswith("refmail.db")]
    assert any(p.name == "refmail.db" for p in files)
    for path in files:
        assert _mode(path) == 0o600, f"{path.name} is {_mode(path):04o}"


def test_existing_open_files_are_tightened_with_a_warning(tmp_path: Path, umask_022: None,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "refmail"
    build_app(_settings(data))
    data.chmod(0o755)
    (data / "refmail.db").chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="refmail.store.private"):
        build_app(_settings(data))
    assert _mode(data) == 0o700
    assert _mode(data / "refmail.db") == 0o600
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "refmail.db" in warned and "tightened" in warned
    assert str(data) in warned
