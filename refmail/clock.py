"""The only reader of the wall clock; everything else is handed `now`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that moves only when told: simulation (REFMAIL_NOW) and tests."""

    at: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        self.at += delta
        return self.at


def parse_instant(text: str) -> datetime:
    """ISO-8601 instant; a value without a zone is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cpu_seconds() -> float:
    """CPU time this process has used: what the per-message time budget counts (tests hand in their own)."""
    return time.process_time()
