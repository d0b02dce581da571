"""`refmail doctor`: every part refmail needs, checked for real, one line each with the fix."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from refmail.config import ConfigError, Settings, load_rules, load_settings
from refmail.mail.oauth2 import TokenCommand, account_tokens

TIMEOUT = 15.0  # a check that hangs is a failed check, not a stuck terminal
PROBE_WAIT = 60.0  # how long `--send-probe` waits for its message in the intake (providers take seconds)
PROBE_EVERY = 1.0


class Status(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    status: Status
    name: str
    text: str


def run_checks(environ: dict[str, str] | None = None, config_file: str | None = None,
               probe_wait: float | None = None) -> Iterator[Check]:
    """The checks in order; later ones are skipped when the configuration itself cannot be read.

    With `probe_wait` (seconds), a probe is mailed to the assistant address and looked for in the intake."""
    try:
        settings = load_settings(environ=environ, config_file=config_file)
    except (ConfigError, OSError) as exc:
        yield Check(Status.FAIL, "config", str(exc))
        return
    yield Check(Status.OK, "config", f"owner {settings.identity.owner.email}")
    yield _assistant(settings)
    for check in (_rules, _timezone, _templates, _database, _imap_owner, _imap_intake, _smtp):
        yield _guarded(check, settings)
    if probe_wait is None:
        yield Check(Status.WARN, "delivery", "whether mail to the assistant address reaches the intake is not "
                    "checked (it sends a message): `refmail doctor --send-probe` mails one and looks for it")
    else:
        def delivery(s: Settings) -> Check:  # named: a crash in it is reported as the "delivery" line
            return probe_delivery(s, probe_wait)

        yield _guarded(delivery, settings)


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
                     "REFMAIL_IMAP_PASSWORD (or REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND)")
    return _imap_login("imap", settings, imap.user, imap.password or "", owner=True,
                       token=account_tokens(settings).owner)


def _imap_intake(settings: Settings) -> Check:
    if settings.imap is None or not settings.intake_user:
        return Check(Status.OK, "intake", "your own INBOX is the intake (REFMAIL_INTAKE_IMAP_USER unset)")
    return _imap_login("intake", settings, settings.intake_user, settings.intake_password or "", owner=False,
                       token=account_tokens(settings).intake)


def _imap_login(name: str, settings: Settings, user: str, password: str, owner: bool,
                token: TokenCommand | None) -> Check:
    from refmail.mail.imap import ImapMailbox
    from refmail.mail.ports import MailError
    from refmail.mail.security import InsecureConnectionError

    imap = settings.imap
    assert imap is not None
    try:
        box = ImapMailbox(imap.host, imap.port, user, password, imap.security, timeout=TIMEOUT,
                          allow_plaintext=imap.allow_plaintext, token=token)
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
    text = (f"{where}: logged in {_how(box.login_method, token)}; "
            f"server offers {extras or 'none of IDLE, CONDSTORE, SPECIAL-USE'}")
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
        token = account_tokens(settings).smtp
        transport = SmtpTransport(smtp.host, smtp.port, smtp.user, smtp.password, smtp.security, timeout=TIMEOUT,
                                  allow_plaintext=smtp.allow_plaintext, token=token)
    except InsecureConnectionError as exc:
        return Check(Status.FAIL, "smtp", str(exc))
    try:
        transport.check()
    except MailError as exc:
        return Check(Status.FAIL, "smtp", str(exc))
    finally:
        transport.close()
    login = (f"logged in as {smtp.user} {_how(transport.login_method, token)}" if smtp.user
             else "connected (no login configured)")
    return Check(Status.OK, "smtp", f"{smtp.host}:{smtp.port} ({smtp.security}): {login}")


def _how(method: str | None, token: TokenCommand | None) -> str:
    """Which way it logged in: a password, or OAuth2 with the token from which setting's command."""
    if token is None:
        return "with a password"
    return f"with OAuth2 ({method or 'XOAUTH2'}, token from {token.setting})"


def _intake_box(settings: Settings):  # type: ignore[no-untyped-def]
    """The mailbox intros arrive in (the assistant's own, else the owner's), and its login."""
    from refmail.mail.imap import ImapMailbox

    imap = settings.imap
    assert imap is not None and imap.user
    tokens = account_tokens(settings)
    user, password, token = (settings.intake_user, settings.intake_password, tokens.intake) if settings.intake_user \
        else (imap.user, imap.password, tokens.owner)
    return ImapMailbox(imap.host, imap.port, user, password or "", imap.security, timeout=TIMEOUT,
                       allow_plaintext=imap.allow_plaintext, token=token), user


def probe_delivery(settings: Settings, wait: float, clock: Callable[[], float] = time.monotonic,
                   pause: Callable[[float], None] = time.sleep) -> Check:
    """Mail a probe (a unique Message-ID, stamped X-Refmail so no refmail cycle acts on it) from the owner
    to the assistant address over SMTP, look for it in the intake's INBOX for up to `wait` seconds, then
    delete it there. Proves the one link no login can: that people's CCs reach the mailbox refmail reads."""
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    from refmail.clock import SystemClock
    from refmail.domain.types import OutgoingMail
    from refmail.mail.smtp import SmtpTransport

    assistant, owner = settings.identity.assistant, settings.identity.owner
    if not assistant:
        return Check(Status.FAIL, "delivery", "REFMAIL_ASSISTANT is not set: no address to send the probe to")
    if settings.smtp is None or settings.imap is None or not settings.imap.user:
        return Check(Status.FAIL, "delivery", "the probe needs both SMTP (to send it) and IMAP (to find it)")
    msg = EmailMessage()
    msg["From"], msg["To"] = owner.formatted(), assistant
    msg["Subject"] = "[refmail] delivery check (refmail doctor; deleted once found)"
    msg["Date"] = format_datetime(SystemClock().now())
    msg["Message-ID"] = mid = make_msgid("refmail-probe", domain=owner.email.rpartition("@")[2])
    msg["X-Refmail"] = "probe"
    msg.set_content("refmail doctor sent this to check that mail to the assistant address reaches the mailbox "
                    "refmail reads. refmail deletes it once found; if you see it, it can go.\n")
    smtp = settings.smtp
    with SmtpTransport(smtp.host, smtp.port, smtp.user, smtp.password, smtp.security, timeout=TIMEOUT,
                       allow_plaintext=smtp.allow_plaintext, token=account_tokens(settings).smtp) as transport:
        transport.send(OutgoingMail(mid.strip("<>"), owner.email, (assistant,), msg.as_bytes()))
    box, user = _intake_box(settings)
    started = clock()
    with box:
        while not (found := box.contains_message_id("INBOX", mid)) and clock() - started < wait:
            pause(PROBE_EVERY)
        took = clock() - started
        if not found:
            return Check(Status.FAIL, "delivery", f"a probe mailed to {assistant} did not reach {user}'s INBOX "
                         f"within {wait:g} s: make {assistant} deliver to the mailbox refmail reads "
                         "(REFMAIL_INTAKE_IMAP_USER, else your own), or check the address (REFMAIL_ASSISTANT). "
                         "If it arrives later it is marked as refmail's own and ignored")
        box.remove_message_id("INBOX", mid)
    return Check(Status.OK, "delivery", f"a probe mailed to {assistant} reached {user}'s INBOX in {took:.0f} s "
                 "(and was deleted)")
