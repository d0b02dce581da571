"""Every `refmail` command shown in a shell block of the README or docs/ runs, against the real mail world.

Four adaptations, said here so the docs need none: the daemon (`refmail run`) runs one cycle (`--once`),
`refmail init` for a real provider writes its file without logging in (`--no-check`: no internet in tests;
tests/e2e/test_init.py checks real logins), `refmail auth login` only has its flags checked (`--help`:
signing in needs Microsoft or Google; tests/integration/test_signin.py signs in against a local identity
provider), and `refmail db copy --to URL` copies the cast's store into a throw-away PostgreSQL database
instead of URL (tests/e2e/test_db_copy.py checks the copy itself). `refmail demo` has its own test
(test_demo.py)."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def documented_commands() -> list[tuple[str, list[str]]]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```sh\n(.*?)\n```", doc.read_text(), flags=re.S):
            for line in block.splitlines():
                for part in re.split(r"&&|;", line.split(" #")[0]):
                    words = shlex.split(part)
                    if words and Path(words[0]).name == "refmail":
                        found.append((f"{doc.name}: {part.strip()}", words[1:]))
    return found


COMMANDS = documented_commands()


def test_the_docs_show_the_commands_a_new_user_needs() -> None:
    shown = {args[0] for _, args in COMMANDS}
    assert {"init", "doctor", "run", "db", "--version", "demo"} <= shown


@pytest.mark.parametrize("where, args", COMMANDS, ids=[w for w, _ in COMMANDS])
def test_each_documented_command_runs(cast, tmp_path, request, where: str, args: list[str]) -> None:
    if args[:2] == ["db", "copy"]:
        to = args.index("--to") + 1
        args = [*args[:to], request.getfixturevalue("pg_url"), *args[to + 1:]]
        cast.cli("db", "upgrade", now=MON)  # a store to copy (each documented command gets a fresh cast)
    if args[:1] == ["demo"]:
        pytest.skip("tests/e2e/test_demo.py runs the demo")
    if args == ["run"]:
        args = ["run", "--once"]
    if args[:2] == ["auth", "login"]:
        args = [*args, "--help"]
    if args[:1] == ["init"]:
        args = [*args, "--no-check", "--config", str(tmp_path / "refmail.toml")]
        if "--password-env" in args:
            cast.env_overrides[args[args.index("--password-env") + 1]] = "an-app-password"
    done = cast.cli(*args, now=MON, check=False)
    assert done.returncode == 0, f"{where}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
