"""App: everything a use case needs, built once per process by refmail.wiring and passed down."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from refmail.clock import Clock, cpu_seconds
from refmail.config import Settings
from refmail.mail.ports import Mailbox, Transport
from refmail.render import Renderer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from refmail.domain.nlp import Pipeline
    from refmail.domain.rules import Rules


@dataclass
class App:
    """Everything a use case needs; built once per process, passed down explicitly."""

    settings: Settings
    # rules.yaml validated on the first use (wiring.rules_loader; the file itself is read at start): the listing
    # commands never use it, so they never pay for pydantic.
    rules_loader: Callable[[], Rules]
    sessions: sessionmaker[Session]
    renderer: Renderer
    clock: Clock
    secret: bytes = field(repr=False)
    open_owner_mailbox: Callable[[], Mailbox] | None = None
    open_intake_mailbox: Callable[[], Mailbox] | None = None
    open_transport: Callable[[], Transport] | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    # CPU seconds so far: the per-message time budget (rules.yaml detection.time_budget_seconds) counts these.
    cpu: Callable[[], float] = cpu_seconds
    # The spaCy pipeline and intro model, loaded on the first call (wiring.pipeline_loader): an idle cycle
    # and `refmail drafts` never pay for them.
    pipeline: Callable[[], Pipeline] = field(default=lambda: _no_pipeline(), repr=False)

    @property
    def rules(self) -> Rules:
        return self.rules_loader()

    @property
    def identity(self):  # type: ignore[no-untyped-def]
        return self.settings.identity


def _no_pipeline() -> Pipeline:
    raise RuntimeError("this App was built without a pipeline: wiring.build_app gives it one")
