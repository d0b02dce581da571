"""The one place adapters are built and handed in: settings -> a ready App."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from refmail.clock import Clock, FixedClock, SystemClock, cpu_seconds
from refmail.config import Settings, load_rules, prepare_data_dir
from refmail.domain.rules import Rules
from refmail.mail.ports import Mailbox, Transport
from refmail.render import Renderer
from refmail.store import db, models
from refmail.store.private import private_dir

if TYPE_CHECKING:
    from refmail.domain.detection_rules import DetectionRules
    from refmail.domain.nlp import Pipeline


@dataclass
class App:
    """Everything a use case needs; built once per process, passed down explicitly."""

    settings: Settings
    rules: Rules
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
    # The spaCy pipeline and intro model, loaded on first call: an idle cycle and `refmail drafts` never pay.
    pipeline: Callable[[], Pipeline] = field(default=lambda: _no_pipeline(), repr=False)

    @property
    def identity(self):  # type: ignore[no-untyped-def]
        return self.settings.identity


def _secret(sessions: sessionmaker[Session], configured: str | None) -> bytes:
    """REFMAIL_SECRET, else one generated on first run and kept in the database."""
    if configured:
        return configured.encode()
    with sessions.begin() as s:
        row = s.get(models.Meta, "secret")
        if row is None:
            row = models.Meta(key="secret", value=secrets.token_hex(32))
            s.add(row)
        return row.value.encode()


def _no_pipeline() -> Pipeline:
    raise RuntimeError("this App was built without a pipeline: use wiring.build_app or wiring.pipeline_loader")


def pipeline_loader(rules: DetectionRules) -> Callable[[], Pipeline]:
    """The pipeline for these rules, loaded from disk the first time it is asked for, then kept (per App)."""

    @cache
    def load() -> Pipeline:
        from refmail.nlp_load import load_pipeline  # heavy: spaCy and the model

        return load_pipeline(rules, rules.model)

    return load


def _mailbox_factory(settings: Settings, user: str | None, password: str | None) -> Callable[[], Mailbox] | None:
    imap = settings.imap
    if imap is None or not user:
        return None

    def open_mailbox() -> Mailbox:
        from refmail.mail.imap import ImapMailbox

        return ImapMailbox(imap.host, imap.port, user, password or "", imap.security,
                           allow_plaintext=imap.allow_plaintext)

    return open_mailbox


def _transport_factory(settings: Settings) -> Callable[[], Transport] | None:
    smtp = settings.smtp
    if smtp is None:
        return None

    def open_transport() -> Transport:
        from refmail.mail.smtp import SmtpTransport

        return SmtpTransport(smtp.host, smtp.port, smtp.user, smtp.password, smtp.security,
                             allow_plaintext=smtp.allow_plaintext)

    return open_transport


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    rules = load_rules(settings.rules_path)
    prepare_data_dir(settings)
    if settings.data_dir != Path(".") and settings.data_dir.exists():
        private_dir(settings.data_dir)  # 0700, tightened with a warning if it was open
    engine = db.open_store(settings.database_url)
    sessions = db.session_factory(engine)
    if clock is None:
        clock = FixedClock(settings.now) if settings.now else SystemClock()
    owner_user = settings.imap.user if settings.imap else None
    owner_password = settings.imap.password if settings.imap else None
    return App(
        settings=settings,
        rules=rules,
        sessions=sessions,
        renderer=Renderer(settings.templates_path),
        clock=clock,
        secret=_secret(sessions, settings.secret),
        open_owner_mailbox=_mailbox_factory(settings, owner_user, owner_password),
        open_intake_mailbox=_mailbox_factory(settings, settings.intake_user, settings.intake_password),
        open_transport=_transport_factory(settings),
        pipeline=pipeline_loader(rules.detection_rules),
    )
