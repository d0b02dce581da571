"""`refmail run` says what happened, one line each: intro found, draft made, approval mailed, sent, reply.
-q keeps only problems, -v adds detail, --log-format json gives one object per line; flags go after the
command name too, and no line ever holds a password."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.harness import message

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_run_tells_one_line_per_thing_that_happened(cast) -> None:
    cast.introduce(MON - 5 * MINUTE)
    first = cast.cli("run", "--once", now=MON).stderr
    assert "intro from Alice Source" in first
    assert "first_touch drafted for " + cast.prospect.email in first
    assert "approval requested by email for draft d" in first
    assert "digest sent to " + cast.owner.email in first
    assert "->" not in first  # state changes repeat the event: detail, for -v
    for d in cast.cli_json("drafts", now=MON):
        cast.cli("approve", d["id"], now=MON)
    sent = cast.cli("run", "--once", now=MON + MINUTE).stderr
    assert f"first_touch sent to {cast.prospect.email}" in sent
    ft = next(m for m in cast.inbox(cast.prospect) if m.get("X-Refmail"))
    cast.send(message(cast.prospect, [cast.owner], "Re: " + ft["Subject"], "Happy to talk!\n", MON + 2 * MINUTE,
                      in_reply_to=ft["Message-ID"].strip("<>")))
    replied = cast.cli("run", "--once", now=MON + 3 * MINUTE).stderr
    assert "reply" in replied and "Re: " + ft["Subject"] in replied
    idle = cast.cli("run", "--once", now=MON + 4 * MINUTE)
    assert idle.stderr == ""  # nothing happened, nothing said


def test_quiet_verbose_and_json_go_after_the_command_name_too(cast) -> None:
    cast.introduce(MON - 5 * MINUTE)
    loud = cast.cli("run", "--once", "-v", "--log-format", "json", now=MON)
    lines = [json.loads(line) for line in loud.stderr.splitlines()]
    assert any(line["logger"] == "refmail.events" and "intro from" in line["message"] for line in lines)
    assert any(line["level"] == "debug" for line in lines)  # detail shows with -v
    for who in (cast.owner.email, cast.assistant):
        assert cast.world.password(who) not in loud.stderr
    for d in cast.cli_json("drafts", now=MON):
        cast.cli("approve", d["id"], now=MON)
    quiet = cast.cli("run", "--once", "-q", now=MON + MINUTE)  # it sends, and says nothing but the summary
    assert quiet.stderr == "" and "sent 2" in quiet.stdout


def test_version() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "refmail", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("refmail 0.")
