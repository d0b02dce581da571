"""Fast commands: spaCy, dateparser and the MIME parsers are imported only when mail must be understood,
and PyYAML and pydantic only when a rule is read.

Checked on sys.modules of a fresh interpreter after the command ran (never a wall-clock assertion;
benchmarks/startup.py prints the CPU figures)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HEAVY = ("spacy", "thinc", "dateparser", "mailparser", "mailparser_reply", "icalendar", "css_inline")
# Templates are read only when something is written: a listing never renders one.
RENDERING = ("jinja2",)
# rules.yaml is parsed and validated when a use case reads a rule: a listing reads none (issue 12).
VALIDATION = ("yaml", "pydantic")
PROBE = """
import contextlib, io, json, sys
from refmail.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
""" % (HEAVY + RENDERING + VALIDATION,)


def loaded_after(cast, *argv: str) -> dict:  # type: ignore[type-arg]
    env = cast.env | {"REFMAIL_NOW": MON.isoformat()}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], env=env, cwd=cast.data_dir, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_listing_commands_and_an_idle_cycle_never_import_the_language_stack(cast) -> None:
    assert loaded_after(cast, "run", "--once")["code"] == 0  # first cycle: a new store, an empty intake
    for argv in (["drafts"], ["referrals"], ["approve", "d0000000"], ["run", "--once"]):
        result = loaded_after(cast, *argv)
        assert not set(result["loaded"]) & set(HEAVY), (argv, result)
        if argv[0] != "run":  # a cycle may render (the digest is due at 08:00), and it reads the rules
            assert result["loaded"] == [], (argv, result)


def test_a_cycle_with_new_mail_does_import_it(cast) -> None:
    cast.introduce(MON)
    result = loaded_after(cast, "run", "--once")
    assert result["code"] == 0 and "spacy" in result["loaded"]  # the probe sees imports for real
