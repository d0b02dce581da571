"""The one place adapters are built and handed in: settings -> a ready App."""

from __future__ import annotations

import secrets
from pathlib import Path
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from refmail.app.context import App
from refmail.clock import Clock, FixedClock, SystemClock
from refmail.config import RulesText, Settings, parse_rules, prepare_data_dir, read_rules
from refmail.mail.oauth2 import TokenCommand, account_tokens
from refmail.mail.ports import Mailbox, Transport
from refmail.render import Renderer
from refmail.store import db, models
from refmail.store.private import private_dir

if TYPE_CHECKING:
    from refmail.domain.detection_rules import DetectionRules
    from refmail.domain.nlp import Pipeline
    from refmail.domain.rules import Rules


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


def rules_loader(source: RulesText) -> Callable[[], Rules]:
    """rules.yaml parsed and validated the first time a use case asks (per App), then kept."""
    return cache(lambda: parse_rules(source))


def pipeline_loader(rules: Callable[[], DetectionRules]) -> Callable[[], Pipeline]:
    """The pipeline for these rules, loaded from disk the first time it is asked for, then kept (per App)."""

    @cache
    def load() -> Pipeline:
        from refmail.nlp_load import load_pipeline  # heavy: spaCy and the model

        detection = rules()
        return load_pipeline(detection, detection.model)

    return load


def _mailbox_factory(settings: Settings, user: str | None, password: str | None,
                     token: TokenCommand | None) -> Callable[[], Mailbox] | None:
    imap = settings.imap
    if imap is None or not user:
        return None

    def open_mailbox() -> Mailbox:
        from refmail.mail.imap import ImapMailbox

        return ImapMailbox(imap.host, imap.port, user, password or "", imap.security,
                           allow_plaintext=imap.allow_plaintext, token=token)

    return open_mailbox


def _transport_factory(settings: Settings, token: TokenCommand | None) -> Callable[[], Transport] | None:
    smtp = settings.smtp
    if smtp is None:
        return None

    def open_transport() -> Transport:
        from refmail.mail.smtp import SmtpTransport

        return SmtpTransport(smtp.host, smtp.port, smtp.user, smtp.password, smtp.security,
                             allow_plaintext=smtp.allow_plaintext, token=token)

    return open_transport


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    rules = rules_loader(read_rules(settings.rules_path))  # read now, validated when first used
    prepare_data_dir(settings)
    if settings.data_dir != Path(".") and settings.data_dir.exists():
        private_dir(settings.data_dir)  # 0700, tightened with a warning if it was open
    engine = db.open_store(settings.database_url)
    sessions = db.session_factory(engine)
    if clock is None:
        clock = FixedClock(settings.now) if settings.now else SystemClock()
    owner_user = settings.imap.user if settings.imap else None
    owner_password = settings.imap.password if settings.imap else None
    tokens = account_tokens(settings)
    return App(
        settings=settings,
        rules_loader=rules,
        sessions=sessions,
        renderer=Renderer(settings.templates_path),
        clock=clock,
        secret=_secret(sessions, settings.secret),
        open_owner_mailbox=_mailbox_factory(settings, owner_user, owner_password, tokens.owner),
        open_intake_mailbox=_mailbox_factory(settings, settings.intake_user, settings.intake_password, tokens.intake),
        open_transport=_transport_factory(settings, tokens.smtp),
        pipeline=pipeline_loader(lambda: rules().detection_rules),
    )
