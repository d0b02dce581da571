"""A counting TCP proxy on loopback: bytes each way, connections, and round trips (client turns) through it.

Used by the idle-poll test and benchmark: it sees what any server would see, whatever the client library.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Counts:
    connections: int = 0
    bytes_up: int = 0  # client -> server
    bytes_down: int = 0
    round_trips: int = 0  # client turns: a send after the server spoke (or the first one)
    commands: list[bytes] = field(default_factory=list)

    def minus(self, before: "Counts") -> "Counts":
        return Counts(self.connections - before.connections, self.bytes_up - before.bytes_up,
                      self.bytes_down - before.bytes_down, self.round_trips - before.round_trips,
                      self.commands[len(before.commands):])


class Tap:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.counts = Counts()
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port = self._server.getsockname()[1]
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def snapshot(self) -> Counts:
        with self._lock:
            c = self.counts
            return Counts(c.connections, c.bytes_up, c.bytes_down, c.round_trips, list(c.commands))

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            with self._lock:
                self.counts.connections += 1
            turn = {"client": False}
            threading.Thread(target=self._pump, args=(client, upstream, True, turn), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False, turn), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool, turn: dict[str, bool]) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    if up:
                        self.counts.bytes_up += len(data)
                        if not turn["client"]:
                            self.counts.round_trips += 1
                            self.counts.commands.append(data[:60])
                        turn["client"] = True
                    else:
                        self.counts.bytes_down += len(data)
                        turn["client"] = False
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._closing = True
        self._server.close()
