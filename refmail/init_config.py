"""`refmail init`: a provider's servers, logins checked for real, Sent and Drafts found, a 0600 config file."""

from __future__ import annotations

import json
import tomllib
from email.utils import formataddr
from dataclasses import dataclass, field
from pathlib import Path

from refmail.config import KNOWN_KEYS, ConfigError
from refmail.errors import InitError
from refmail.mail.providers import PROVIDERS
from refmail.store.private import write_private


@dataclass(frozen=True)
class Answers:
    provider: str
    name: str
    email: str
    assistant: str
    password: str = field(repr=False)
    user: str | None = None
    intake_user: str | None = None
    intake_password: str | None = field(default=None, repr=False)
    imap_host: str | None = None
    imap_port: int | None = None
    imap_security: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str | None = None
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    database_url: str | None = None
    token_command: str | None = None  # OAuth2: the command that prints an access token (no password then)


def settings_for(a: Answers) -> dict[str, str]:
    """REFMAIL_* values: the provider's servers, overridden by whatever was given explicitly."""
    preset = PROVIDERS.get(a.provider)
    if preset is None and not (a.imap_host and a.smtp_host):
        raise InitError("provider 'other' needs --imap-host and --smtp-host (ports and security default to "
                        "993/ssl and 465/ssl)")
    user = a.user or a.email
    values = {
        "REFMAIL_OWNER": formataddr((a.name, a.email)),  # quotes a name with a comma or quote in it
        "REFMAIL_ASSISTANT": a.assistant,
        "REFMAIL_IMAP_HOST": a.imap_host or (preset.imap_host if preset else ""),
        "REFMAIL_IMAP_PORT": str(a.imap_port or (preset.imap_port if preset else 993)),
        "REFMAIL_IMAP_SECURITY": a.imap_security or (preset.imap_security if preset else "ssl"),
        "REFMAIL_IMAP_USER": user,
        "REFMAIL_SMTP_HOST": a.smtp_host or (preset.smtp_host if preset else ""),
        "REFMAIL_SMTP_PORT": str(a.smtp_port or (preset.smtp_port if preset else 465)),
        "REFMAIL_SMTP_SECURITY": a.smtp_security or (preset.smtp_security if preset else "ssl"),
    }
    if a.token_command:
        values["REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND"] = a.token_command
    else:
        values["REFMAIL_IMAP_PASSWORD"] = a.password
    # A provider's SMTP takes the mailbox login; a server of her own may take none (--smtp-user "").
    smtp_user = user if a.smtp_user is None else a.smtp_user
    if smtp_user:
        values["REFMAIL_SMTP_USER"] = smtp_user
        if a.token_command:
            values["REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND"] = a.token_command
        else:
            values["REFMAIL_SMTP_PASSWORD"] = a.smtp_password or a.password
    if a.intake_user:
        values["REFMAIL_INTAKE_IMAP_USER"] = a.intake_user
        if a.token_command:  # its own sign-in, kept under its own name
            values["REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND"] = f"{a.token_command} --account {a.intake_user}"
        else:
            values["REFMAIL_INTAKE_IMAP_PASSWORD"] = a.intake_password or ""
    if a.database_url:
        values["REFMAIL_DATABASE_URL"] = a.database_url
    return values


@dataclass(frozen=True)
class Checked:
    sent: str | None
    drafts: str | None
    capabilities: tuple[str, ...]


def check_logins(values: dict[str, str], allow_plaintext: bool = False) -> Checked:
    """Log in to IMAP (and the intake) and SMTP for real; raise InitError with the hint on the first failure."""
    from refmail.mail.imap import ImapMailbox
    from refmail.mail.oauth2 import TokenCommand
    from refmail.mail.ports import MailError
    from refmail.mail.security import InsecureConnectionError
    from refmail.mail.smtp import SmtpTransport

    def token(key: str) -> TokenCommand | None:
        return TokenCommand(values[key], key) if values.get(key) else None

    host, port, security = values["REFMAIL_IMAP_HOST"], int(values["REFMAIL_IMAP_PORT"]), values["REFMAIL_IMAP_SECURITY"]
    try:
        with ImapMailbox(host, port, values["REFMAIL_IMAP_USER"], values.get("REFMAIL_IMAP_PASSWORD", ""), security,
                         timeout=15, allow_plaintext=allow_plaintext,
                         token=token("REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND")) as box:
            caps = box.capabilities()
            special = box.special_use_folders()
        if values.get("REFMAIL_INTAKE_IMAP_USER"):
            with ImapMailbox(host, port, values["REFMAIL_INTAKE_IMAP_USER"],
                             values.get("REFMAIL_INTAKE_IMAP_PASSWORD", ""), security, timeout=15,
                             allow_plaintext=allow_plaintext,
                             token=token("REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND")) as intake:
                intake.capabilities()
        with SmtpTransport(values["REFMAIL_SMTP_HOST"], int(values["REFMAIL_SMTP_PORT"]),
                           values.get("REFMAIL_SMTP_USER"), values.get("REFMAIL_SMTP_PASSWORD"),
                           values["REFMAIL_SMTP_SECURITY"], timeout=15, allow_plaintext=allow_plaintext,
                           token=token("REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND")) as smtp:
            smtp.check()
    except (MailError, InsecureConnectionError) as exc:
        raise InitError(str(exc)) from None
    return Checked(special.get("\\Sent"), special.get("\\Drafts"), caps)


def write_config(path: Path, values: dict[str, str]) -> bool:
    """Merge into the file (keys not given are kept: running init again is safe) and write it 0600,
    atomically. True when the file existed."""
    existed = path.exists()
    merged: dict[str, str] = {}
    if existed:
        from refmail.config import _read_toml

        try:
            merged = _read_toml(str(path))
        except ConfigError as exc:
            raise InitError(f"{exc}; fix or move the file, then run init again") from None
    for prefix in ("REFMAIL_IMAP", "REFMAIL_INTAKE_IMAP", "REFMAIL_SMTP"):  # one way to log in per account
        if f"{prefix}_OAUTH2_TOKEN_COMMAND" in values:
            merged.pop(f"{prefix}_PASSWORD", None)
        if f"{prefix}_PASSWORD" in values:
            merged.pop(f"{prefix}_OAUTH2_TOKEN_COMMAND", None)
    merged |= values
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, render_toml(merged))  # never readable by others, not for a moment
    return existed


def token_command(provider: str) -> str:
    """`refmail auth token --provider ...` by an absolute path: a service's PATH may not hold refmail."""
    import shlex
    import shutil
    import sys

    program = shutil.which("refmail")
    start = shlex.quote(program) if program else f"{shlex.quote(sys.executable)} -m refmail"
    return f"{start} auth token --provider {provider}"


def render_toml(values: dict[str, str]) -> str:
    """Top-level keys, then [imap], [intake_imap], [smtp]; JSON string escapes are valid TOML basic strings."""
    def line(key: str, value: str) -> str:
        return f"{key} = {json.dumps(value, ensure_ascii=False)}\n"

    sections = {"INTAKE_IMAP": [], "IMAP": [], "SMTP": []}  # type: dict[str, list[str]]
    top = ["# refmail settings, written by `refmail init` (readable only by you: it holds passwords).\n",
           "# Environment variables of the same name (REFMAIL_OWNER, ...) win over this file.\n"]
    for key in KNOWN_KEYS:
        if key not in values:
            continue
        short = key.removeprefix("REFMAIL_")
        section = next((s for s in sections if short.startswith(s + "_")), None)
        if section:
            sections[section].append(line(short.removeprefix(section + "_").lower(), values[key]))
        else:
            top.append(line(short.lower(), values[key]))
    text = "".join(top)
    for section in ("IMAP", "INTAKE_IMAP", "SMTP"):
        if sections[section]:
            text += f"\n[{section.lower()}]\n" + "".join(sections[section])
    tomllib.loads(text)  # what we write must read back
    return text
