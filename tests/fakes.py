"""Fakes of refmail's own ports, and a way to start workers at the same instant, shared by the test tiers."""

from __future__ import annotations

import threading
from collections.abc import Callable

from refmail.domain.types import OutgoingMail


class Outbox:
    """A Transport that keeps what it was given; list.append is atomic, so worker threads may share one."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []

    def send(self, mail: OutgoingMail) -> None:
        self.sent.append(mail)

    def close(self) -> None:
        pass


def at_once(*work: Callable[[], object], timeout: float = 120) -> list[BaseException]:
    """Run each callable in its own thread, released together by a barrier; what they raised, for the test to fail on."""
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def go(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # surfaced to the caller: a crashed worker must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return errors
