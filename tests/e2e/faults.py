"""Fault injection on the real mail world: a TCP proxy that cuts connections, and `refmail run --once`
processes that can be SIGKILLed at a chosen instant.

The processes are forked from one pre-warmed interpreter (the `Zygote`), so a kill lands inside the
cycle's own work rather than in Python's start-up, and each cycle costs a fraction of a second.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

from refmail.mail.world import free_port


class CuttingProxy:
    """Forwards 127.0.0.1:port to a real server; a seeded share of connections is cut after a random
    number of bytes (either direction), as a flaky network or a server restart would."""

    def __init__(self, target_port: int, rng: random.Random, share: float) -> None:
        self.target_port = target_port
        self.rng = rng
        self.share = share
        self.port = free_port()
        self.connections = 0
        self.cuts = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                limit = self.rng.randint(1, 1500) if self.rng.random() < self.share else None
            threading.Thread(target=self._pipe, args=(client, limit), daemon=True).start()

    def _pipe(self, client: socket.socket, limit: int | None) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        except OSError:
            client.close()
            return
        state = {"bytes": 0, "cut": False}

        def cut() -> None:
            with self._lock:
                if state["cut"]:
                    return
                state["cut"] = True
                self.cuts += 1
            for sock in (client, upstream):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    if limit is not None:
                        with self._lock:
                            before = state["bytes"]
                            state["bytes"] += len(data)
                        if before + len(data) >= limit:
                            dst.sendall(data[: max(0, limit - before)])
                            cut()
                            return
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (src, dst):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        other = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        other.start()
        pump(client, upstream)
        other.join(timeout=60)
        client.close()
        upstream.close()

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()
        self._thread.join(timeout=5)


ZYGOTE = r"""
import os, signal, sys, time
from refmail.cli import main
import refmail.domain.pipeline, refmail.nlp_load  # warm: children inherit spaCy imported (each App loads its model)
print("ready", flush=True)
devnull = os.open(os.devnull, os.O_WRONLY)
for line in sys.stdin:
    now, delay = line.split()
    pid = os.fork()
    if pid == 0:
        os.environ["REFMAIL_NOW"] = now
        os.dup2(devnull, 1)
        os._exit(main(["run", "--once"]))
    delay = float(delay)
    deadline = time.monotonic() + (delay if delay >= 0 else 600)
    outcome = "finished"
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            outcome = "killed"
            break
        time.sleep(0.002)
    print(outcome, flush=True)
"""


class Zygote:
    """One warm interpreter that forks a `refmail run --once` per cycle, SIGKILLing it after `delay` s."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self._log = log.open("w")
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], env=env, cwd=cwd, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready", log.read_text()
        self.kills = 0
        self.cycles = 0

    def cycle(self, now: datetime, kill_after: float | None = None) -> bool:
        """True when the cycle was killed before it finished."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{now.isoformat()} {-1 if kill_after is None else kill_after}\n")
        self.proc.stdin.flush()
        killed = self.proc.stdout.readline().strip() == "killed"
        self.cycles += 1
        self.kills += killed
        return killed

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self._log.close()

