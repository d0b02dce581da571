"""How refmail talks while it works: one line per event, problems only (-q), detail (-v) or JSON lines.

Events are the timeline entries and problems of the app, logged on `refmail.events`; everything else
refmail logs is detail. Every line passes through a redactor that replaces the configured passwords
and secrets with ***, whatever the code that logged it wrote.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

EVENTS = "refmail.events"
QUIET, NORMAL, VERBOSE = "quiet", "normal", "verbose"


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (the CLI may run in-process under redirection)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


class _Redacting(logging.Formatter):
    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        # Longest first, so a secret containing another is hidden whole; very short values would hide
        # ordinary words and are not secrets worth the name.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class _Text(logging.Formatter):
    def __init__(self, verbose: bool) -> None:
        super().__init__(datefmt="%Y-%m-%d %H:%M:%S")
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno < logging.WARNING else f"{record.levelname.lower()}: "
        where = f"{record.name}: " if self.verbose and record.name != EVENTS else ""
        line = f"{self.formatTime(record, self.datefmt)} {level}{where}{record.getMessage()}"
        if record.exc_info and (self.verbose or record.levelno >= logging.ERROR):
            line += "\n" + self.formatException(record.exc_info)
        return line


class _Json(logging.Formatter):
    FIELDS = ("referral", "kind", "event")

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        entry |= {k: getattr(record, k) for k in self.FIELDS if getattr(record, k, None) is not None}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _Only(logging.Filter):
    """NORMAL mode: events and problems; the rest is detail for -v."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name == EVENTS


class _NotAgain(logging.Filter):
    """The daemon meets a wrong password every cycle; she needs to read it once an hour, not every minute.

    A problem line identical to one shown less than `quiet_seconds` before (by the log record's own
    timestamp) is held back; -v shows every one.
    """

    def __init__(self, quiet_seconds: float = 3600.0) -> None:
        super().__init__()
        self.quiet_seconds = quiet_seconds
        self.shown: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or record.name != EVENTS:
            return True
        text = record.getMessage()
        last = self.shown.get(text)
        if last is not None and record.created - last < self.quiet_seconds:
            return False
        self.shown[text] = record.created
        return True


def configure(mode: str = NORMAL, fmt: str = "text", secrets: Iterable[str] = ()) -> None:
    """(Re)install refmail's one handler; safe to call again (tests run the CLI in-process)."""
    logger = logging.getLogger("refmail")
    for old in [h for h in logger.handlers if getattr(h, "refmail", False)]:
        logger.removeHandler(old)
    handler = _Stderr()
    handler.refmail = True  # type: ignore[attr-defined]
    inner: logging.Formatter = _Json() if fmt == "json" else _Text(verbose=mode == VERBOSE)
    handler.setFormatter(_Redacting(inner, secrets))
    if mode == NORMAL:
        handler.addFilter(_Only())
    if mode != VERBOSE:
        handler.addFilter(_NotAgain())
    logger.addHandler(handler)
    logger.setLevel({QUIET: logging.WARNING, NORMAL: logging.INFO, VERBOSE: logging.DEBUG}[mode])


def add_secrets(secrets: Iterable[str]) -> None:
    """Once settings are read, their passwords join the redactor."""
    for handler in logging.getLogger("refmail").handlers:
        formatter = handler.formatter
        if getattr(handler, "refmail", False) and isinstance(formatter, _Redacting):
            formatter.secrets = sorted({*formatter.secrets, *(s for s in secrets if s and len(s) >= 4)},
                                       key=len, reverse=True)


def event(text: str, **fields: object) -> None:
    logging.getLogger(EVENTS).info(text, extra=fields)


def problem(text: str, **fields: object) -> None:
    logging.getLogger(EVENTS).warning(text, extra=fields)


def detail(text: str, **fields: object) -> None:
    logging.getLogger(EVENTS).debug(text, extra=fields)


def report_problem(problems: list[str] | None, text: str, then: str = "", once: str = "") -> None:
    """Add a problem to a cycle's list and say it, once: the same failure seen by several stages (a
    refused password, a server that cannot be reached) is one line, not four. `once` is the part that
    several stages share; when a problem already holds it, nothing more is said."""
    if problems is not None and (text in problems or (once and any(once in p for p in problems))):
        return
    if problems is not None:
        problems.append(text)
    problem(f"{text}{'; ' + then if then else ''}", kind="problem")
