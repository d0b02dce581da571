"""`refmail run` as a real daemon process: it ticks, processes, and stops cleanly on SIGTERM."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


_LINES: dict[int, queue.Queue[str]] = {}


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    """The daemon's log lines as they come, read by a thread: select() on the pipe would miss lines
    that one read already pulled into the text stream's buffer (two log lines written back to back)."""
    if proc.pid not in _LINES:
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stderr is not None
        stream = proc.stderr

        def pump() -> None:
            for line in stream:
                lines.put(line)
            lines.put("")  # end of the stream: the daemon exited

        threading.Thread(target=pump, daemon=True).start()
        _LINES[proc.pid] = lines
    return _LINES[proc.pid]


def read_until(proc: subprocess.Popen[str], needle: str, limit: float = 120.0) -> list[str]:
    """Lines of the daemon's log up to the one containing `needle` (blocks on the pipe; no sleeping)."""
    seen: list[str] = []
    lines = _lines(proc)
    while True:
        try:
            line = lines.get(timeout=limit)
        except queue.Empty:
            raise AssertionError(f"no {needle!r} within {limit}s:\n" + "".join(seen)) from None
        if not line:
            raise AssertionError("daemon exited:\n" + "".join(seen))
        seen.append(line)
        if needle in line:
            return seen


def test_daemon_ticks_and_stops_on_sigterm(cast):
    cast.introduce(MON - timedelta(minutes=5))
    env = cast.env | {"REFMAIL_NOW": MON.isoformat()}
    proc = subprocess.Popen([sys.executable, "-m", "refmail", "-v", "run", "--interval", "1"], env=env,
                            cwd=cast.data_dir, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        lines = read_until(proc, "cycle: new messages")
        assert "processed 1" in lines[-1]
        read_until(proc, "cycle: new messages")  # and it keeps ticking
        proc.send_signal(signal.SIGTERM)
        read_until(proc, "stopped")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    refs = cast.cli_json("referrals", now=MON)
    assert len(refs) == 1 and refs[0]["state"] == "awaiting_approval"
    log = "".join(lines)
    assert cast.world.password(cast.owner.email) not in log  # credentials never in logs


def test_new_mail_starts_a_cycle_at_once_without_waiting_for_the_tick(cast):
    env = cast.env | {"REFMAIL_NOW": MON.isoformat()}
    proc = subprocess.Popen([sys.executable, "-m", "refmail", "-v", "run", "--interval", "3600"], env=env,
                            cwd=cast.data_dir, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        assert "processed 0" in read_until(proc, "cycle: new messages")[-1]
        read_until(proc, "push: new mail")  # idling on the intake now; the next tick is an hour away
        cast.introduce(MON - timedelta(minutes=5))
        lines = read_until(proc, "cycle: new messages")
        assert any("new mail arrived" in line for line in lines)
        assert "processed 1" in lines[-1]
        proc.send_signal(signal.SIGTERM)
        read_until(proc, "stopped")  # within a second or so, although IDLE was waiting for an hour
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [r["state"] for r in cast.cli_json("referrals", now=MON)] == ["awaiting_approval"]
