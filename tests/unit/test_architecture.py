"""The shape is a check, not a hope: one-way imports, and every command documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from refmail.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint) if lint.exists() else "lint-imports"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout
    assert "One-way layers" in done.stdout  # the layers contract is read, not silently skipped


def test_every_command_is_in_the_readme_and_the_parser():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `refmail (\w+)", readme, flags=re.M))
    assert documented == set(COMMANDS)
    parser_commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert parser_commands == set(COMMANDS)


def test_readme_opens_with_the_install_and_test_commands_ci_uses():
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)
    assert "refmail demo" in blocks[0]
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci


def test_no_unused_imports_or_undefined_names():
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(ruff) if ruff.exists() else "ruff", "check", "refmail", "tests", "benchmarks", "docs"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
