"""`refmail doctor`: every part refmail needs, checked for real, one line each with the fix."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from refmail.config import ConfigError, Settings, load_rules, load_settings

TIMEOUT = 15.0  # a check that hangs is a failed check, not a stuck terminal


class Status(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    status: Status
    name: str
    text: str


def run_checks(environ: dict[str, str] | None = None, config_file: str | None = None) -> Iterator[Check]:
    """The checks in order; later ones are skipped when the configuration itself cannot be read."""
    try:
        settings = load_settings(environ=environ, config_file=config_file)
    except (ConfigError, OSError) as exc:
        yield Check(Status.FAIL, "config", str(exc))
        return
    yield Check(Status.OK, "config", f"owner {settings.identity.owner.email}")
    yield _assistant(settings)
    for check in (_rules, _timezone, _templates, _database, _imap_owner, _imap_intake, _smtp):
        yield _guarded(check, settings)


def _guarded(check: Callable[[Settings], Check], settings: Settings) -> Check:
    try:
        return check(settings)
    except Exception as exc:  # a check must report, never crash the report
        name = check.__name__.strip("_").replace("_", " ")
        return Check(Status.FAIL, name, f"{type(exc).__name__}: {exc}")


def _assistant(settings: Settings) -> Check:
    if settings.identity.assistant:
        return Check(Status.OK, "assistant", settings.identity.assistant)
    return Check(Status.WARN, "assistant", "REFMAIL_ASSISTANT is not set: set it to the address people CC "
                 "(a mailbox of its own, or you+refmail@...)")


def _rules(settings: Settings) -> Check:
    from refmail.nlp_load import missing_pipeline

    try:
        rules = load_rules(settings.rules_path)
    except ConfigError as exc:
        return Check(Status.FAIL, "rules", str(exc))
    where = settings.rules_path or "packaged rules.yaml"
    name = missing_pipeline(rules.detection_rules)
    if name:
        return Check(Status.WARN, "rules", f"{where}: detection.pipeline {name!r} is not installed; "
                     "install it or set it to blank")
    return Check(Status.OK, "rules", f"{where}")


def _timezone(settings: Settings) -> Check:
    rules = load_rules(settings.rules_path)
    if rules.timezone == "UTC":
        return Check(Status.WARN, "time zone", "UTC (the default): set `timezone:` in rules.yaml to yours "
                     "(e.g. Europe/Paris) so the send window and the digest follow your day")
    return Check(Status.OK, "time zone", rules.timezone)


def _templates(settings: Settings) -> Check:
    from refmail.render import Renderer

    renderer = Renderer(settings.templates_path)
    names = renderer.env.list_templates()
    broken = []
    for name in names:
        try:
            renderer.env.get_template(name)
        except Exception as exc:  # a syntax error in her own template
            broken.append(f"{name}: {exc}")
    if broken:
        return Check(Status.FAIL, "templates", "; ".join(broken) + " (fix or delete the file)")
    return Check(Status.OK, "templates", f"{len(names)} readable ({settings.templates_path})")


def _database(settings: Settings) -> Check:
    from refmail.config import prepare_data_dir
    from refmail.store import db

    shown = db.hide_password(settings.database_url, settings.database_url)
    try:
        prepare_data_dir(settings)
        engine = db.make_engine(settings.database_url)
        revision = db.current_revision(engine)
        with engine.connect():
            pass
    except Exception as exc:
        text = db.hide_password(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, settings.database_url)
        return Check(Status.FAIL, "database", f"{shown}: {text}")
    if revision is None:
        return Check(Status.WARN, "database", f"{shown}: new (no tables yet); created on first use, or run "
                     "`refmail db upgrade`")
    if revision != db.SCHEMA_REVISION:
        return Check(Status.WARN, "database", f"{shown}: at migration {revision}, this refmail needs "
                     f"{db.SCHEMA_REVISION}: run `refmail db upgrade`")
    return Check(Status.OK, "database", f"{shown}, migration {revision} (current)")


def _imap_owner(settings: Settings) -> Check:
    imap = settings.imap
    if imap is None or not imap.user:
        return Check(Status.FAIL, "imap", "no mailbox configured: set REFMAIL_IMAP_HOST, REFMAIL_IMAP_USER and "
                     "REFMAIL_IMAP_PASSWORD")
    return _imap_login("imap", settings, imap.user, imap.password or "", owner=True)


def _imap_intake(settings: Settings) -> Check:
    if settings.imap is None or not settings.intake_user:
        return Check(Status.OK, "intake", "your own INBOX is the intake (REFMAIL_INTAKE_IMAP_USER unset)")
    return _imap_login("intake", settings, settings.intake_user, settings.intake_password or "", owner=False)


def _imap_login(name: str, settings: Settings, user: str, password: str, owner: bool) -> Check:
    from refmail.mail.imap import ImapMailbox
    from refmail.mail.ports import MailError
    from refmail.mail.security import InsecureConnectionError

    imap = settings.imap
    assert imap is not None
    try:
        box = ImapMailbox(imap.host, imap.port, user, password, imap.security, timeout=TIMEOUT,
                          allow_plaintext=imap.allow_plaintext)
    except InsecureConnectionError as exc:
        return Check(Status.FAIL, name, str(exc))
    try:
        caps = set(box.capabilities())
        special = box.special_use_folders() if owner else {}
    except MailError as exc:
        return Check(Status.FAIL, name, str(exc))
    finally:
        box.close()
    where = f"{user} at {imap.host}:{imap.port} ({imap.security})"
    extras = ", ".join(c for c in ("IDLE", "CONDSTORE", "SPECIAL-USE") if c in caps)
    missing = [c for c in ("IDLE",) if c not in caps]
    text = f"{where}: logged in; server offers {extras or 'none of IDLE, CONDSTORE, SPECIAL-USE'}"
    if owner:
        sent = special.get("\\Sent")
        drafts = special.get("\\Drafts")
        text += (f"; Sent folder {sent!r}" if sent else "; no folder flagged \\Sent: refmail uses (and creates) 'Sent'")
        text += f", Drafts folder {drafts!r}" if drafts else ", no folder flagged \\Drafts: refmail uses 'Drafts'"
    if missing:
        return Check(Status.WARN, name, text + "; without IDLE new mail waits for the next poll")
    return Check(Status.OK, name, text)


def _smtp(settings: Settings) -> Check:
    from refmail.mail.ports import MailError
    from refmail.mail.security import InsecureConnectionError
    from refmail.mail.smtp import SmtpTransport

    smtp = settings.smtp
    if smtp is None:
        return Check(Status.FAIL, "smtp", "no SMTP server configured: set REFMAIL_SMTP_HOST, _USER and _PASSWORD; "
                     "without it nothing can be sent")
    try:
        transport = SmtpTransport(smtp.host, smtp.port, smtp.user, smtp.password, smtp.security, timeout=TIMEOUT,
                                  allow_plaintext=smtp.allow_plaintext)
    except InsecureConnectionError as exc:
        return Check(Status.FAIL, "smtp", str(exc))
    try:
        transport.check()
    except MailError as exc:
        return Check(Status.FAIL, "smtp", str(exc))
    finally:
        transport.close()
    login = f"logged in as {smtp.user}" if smtp.user else "connected (no login configured)"
    return Check(Status.OK, "smtp", f"{smtp.host}:{smtp.port} ({smtp.security}): {login}")
