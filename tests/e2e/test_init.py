"""`refmail init` with flags against the real mail world writes a 0600 config that `run --once` uses;
a wrong password writes nothing; running it again is safe."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def bare_env(cast, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFMAIL_")}
    return env | {"REFMAIL_DATA_DIR": str(cast.data_dir), "REFMAIL_NOW": MON.isoformat()} | extra


def init(cast, config, password: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    w = cast.world
    argv = [sys.executable, "-m", "refmail", "init", "--provider", "other", "--name", "Olivia Owner",
            "--email", cast.owner.email, "--assistant", cast.assistant, "--password-env", "PW",
            "--intake-user", cast.assistant, "--intake-password-env", "INTAKE_PW",
            "--imap-host", w.imap_host, "--imap-port", str(w.imap_port), "--imap-security", "none",
            "--smtp-host", w.smtp_host, "--smtp-port", str(w.smtp_port), "--smtp-security", "none",
            "--smtp-user", "", "--config", str(config)]
    env = bare_env(cast, PW=password, INTAKE_PW=w.password(cast.assistant))
    return subprocess.run(argv, env=env, cwd=cast.data_dir, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_init_writes_a_private_config_that_run_uses(cast, tmp_path) -> None:
    config = tmp_path / "conf" / "refmail.toml"
    done = init(cast, config, cast.world.password(cast.owner.email))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "IMAP login ok" in done.stdout and "Sent folder: 'Sent'" in done.stdout
    assert f"export REFMAIL_CONFIG={config}" in done.stdout and "refmail doctor" in done.stdout
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    cast.introduce(MON - timedelta(minutes=5))
    env = bare_env(cast, REFMAIL_CONFIG=str(config))
    run = subprocess.run([sys.executable, "-m", "refmail", "run", "--once"], env=env, cwd=cast.data_dir,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "processed 1" in run.stdout and "approval requests 2" in run.stdout
    again = init(cast, config, cast.world.password(cast.owner.email))  # safe to run again
    assert again.returncode == 0 and f"updated {config}" in again.stdout
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_a_wrong_password_writes_nothing(cast, tmp_path) -> None:
    config = tmp_path / "refmail.toml"
    done = init(cast, config, "not-it")
    assert done.returncode == 1 and "IMAP login failed" in done.stderr and "nothing written" in done.stderr and "refmail: init: " in done.stderr
    assert not config.exists() and "not-it" not in done.stderr


def test_a_script_without_the_flags_gets_a_clear_error(cast, tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "refmail", "init", "--config", str(tmp_path / "x.toml")],
                          env=bare_env(cast), capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 1 and "--provider is needed" in done.stderr
