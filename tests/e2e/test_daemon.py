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


class DaemonLog:
    """The daemon's stderr, line by line, as it comes.

    A reader thread owns the pipe: waiting on the file descriptor while a buffered reader already holds
    the next line (two log lines written together) would wait for a line that has already arrived.
    """

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(proc.stderr,), daemon=True).start()

    def _pump(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)  # the daemon exited

    def until(self, needle: str, limit: float = 120.0) -> list[str]:
        """Lines up to the one containing `needle` (blocks on the queue; no sleeping)."""
        seen: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=limit)
            except queue.Empty:
                raise AssertionError(f"no {needle!r} within {limit}s:\n" + "".join(seen)) from None
            if line is None:
                raise AssertionError("daemon exited:\n" + "".join(seen))
            seen.append(line)
            if needle in line:
                return seen


def test_daemon_ticks_and_stops_on_sigterm(cast):
    cast.introduce(MON - timedelta(minutes=5))
    env = cast.env | {"REFMAIL_NOW": MON.isoformat()}
    proc = subprocess.Popen([sys.executable, "-m", "refmail", "-v", "run", "--interval", "1"], env=env,
                            cwd=cast.data_dir, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    log = DaemonLog(proc)
    try:
        lines = log.until("cycle: new messages")
        assert "processed 1" in lines[-1]
        log.until("cycle: new messages")  # and it keeps ticking
        proc.send_signal(signal.SIGTERM)
        log.until("stopped")
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
    log = DaemonLog(proc)
    try:
        assert "processed 0" in log.until("cycle: new messages")[-1]
        log.until("push: new mail")  # idling on the intake now; the next tick is an hour away
        cast.introduce(MON - timedelta(minutes=5))
        lines = log.until("cycle: new messages")
        assert any("new mail arrived" in line for line in lines)
        assert "processed 1" in lines[-1]
        proc.send_signal(signal.SIGTERM)
        log.until("stopped")  # within a second or so, although IDLE was waiting for an hour
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [r["state"] for r in cast.cli_json("referrals", now=MON)] == ["awaiting_approval"]
