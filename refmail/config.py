"""Environment + optional TOML + rules.yaml -> Settings, with errors that say what to fix."""

from __future__ import annotations

import difflib
import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path

import yaml

from refmail.clock import parse_instant
from refmail.domain.rules import Rules, RulesError, rules_from_mapping
from refmail.domain.types import Identity, Person
from refmail.errors import ConfigError

MIN_SECRET_LENGTH = 16
PACKAGE_DATA = Path(__file__).parent / "data"
SECURITY = ("ssl", "starttls", "none")


# Every setting refmail reads. A TOML key outside this list is a typo until proven otherwise: it is an
# error naming the nearest valid key, never silently ignored (a misspelt password key would look like a
# wrong password).
KNOWN_KEYS = (
    "REFMAIL_OWNER", "REFMAIL_ASSISTANT",
    "REFMAIL_IMAP_HOST", "REFMAIL_IMAP_PORT", "REFMAIL_IMAP_USER", "REFMAIL_IMAP_PASSWORD", "REFMAIL_IMAP_SECURITY",
    "REFMAIL_INTAKE_IMAP_USER", "REFMAIL_INTAKE_IMAP_PASSWORD",
    "REFMAIL_SMTP_HOST", "REFMAIL_SMTP_PORT", "REFMAIL_SMTP_USER", "REFMAIL_SMTP_PASSWORD", "REFMAIL_SMTP_SECURITY",
    "REFMAIL_DATABASE_URL", "REFMAIL_RULES", "REFMAIL_TEMPLATES", "REFMAIL_SECRET", "REFMAIL_NOW",
    "REFMAIL_ALLOW_PLAINTEXT", "REFMAIL_DATA_DIR",
    # OAuth2: a command that prints an access token (refmail/mail/oauth2.py), per account.
    "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND", "REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND", "REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND",
)


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)
    security: str
    allow_plaintext: bool = False
    oauth2_token_command: str | None = None  # set: log in with OAuth2, the password is unused

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.host)


@dataclass(frozen=True)
class Settings:
    identity: Identity
    imap: ServerSettings | None
    intake_user: str | None
    intake_password: str | None = field(repr=False)
    smtp: ServerSettings | None = None
    database_url: str = field(default="", repr=False)  # may hold a password
    rules_path: Path | None = None
    templates_path: Path = PACKAGE_DATA / "templates"
    secret: str | None = field(default=None, repr=False)
    now: datetime | None = None
    data_dir: Path = Path(".")
    intake_oauth2_token_command: str | None = None


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def prepare_data_dir(settings: Settings) -> None:
    """Create the data folder when the database is the default one inside it (and only then: a folder
    named in REFMAIL_DATABASE_URL that does not exist is a mistake the store reports)."""
    if settings.database_url == f"sqlite:///{settings.data_dir / 'refmail.db'}":
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # it will hold the approval secret


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("REFMAIL_DATA_DIR") or user_data_dir("refmail", appauthor=False))


def _read_toml(path: str) -> dict[str, str]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found (REFMAIL_CONFIG / --config)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    flat: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                flat[_known(path, f"[{key}] {sub}", f"REFMAIL_{key}_{sub}".upper())] = str(inner)
        else:
            name = f"REFMAIL_{key}".upper() if not key.upper().startswith("REFMAIL_") else key.upper()
            flat[_known(path, key, name)] = str(value)
    return flat


def _known(path: str, written: str, name: str) -> str:
    """`name` if refmail reads it; else an error with the file, the key as written and the nearest valid key."""
    if name in KNOWN_KEYS:
        return name
    near = difflib.get_close_matches(name, KNOWN_KEYS, n=1, cutoff=0.6)
    hint = f"; did you mean {_as_written(written, near[0])}?" if near else f"; valid keys: {', '.join(KNOWN_KEYS)}"
    raise ConfigError(f"config file {path}: unknown key {written!r}{hint}")


def _as_written(written: str, name: str) -> str:
    """The suggestion in the style she used: a `[section] key` pair, a bare key or a REFMAIL_ name."""
    short = name.removeprefix("REFMAIL_")
    if written.startswith("["):
        for section in ("INTAKE_IMAP", "IMAP", "SMTP"):
            if short.startswith(section + "_"):
                return f"[{section.lower()}] {short.removeprefix(section + '_').lower()}"
        return short.lower()
    return name if written.upper().startswith("REFMAIL_") else short.lower()


def _owner(value: str | None) -> tuple[Person, tuple[str, ...]]:
    if not value:
        raise ConfigError('REFMAIL_OWNER is not set (expected e.g. "Olivia Owner <owner@example.com>")')
    people = [(n, a.strip().lower()) for n, a in getaddresses([value]) if "@" in a]
    if not people:
        raise ConfigError(f"REFMAIL_OWNER: no email address found in {value!r}")
    name, email = people[0]
    return Person(name, email), tuple(a for _, a in people[1:])


def _server(env: dict[str, str], prefix: str, default_port: dict[str, int]) -> ServerSettings | None:
    host = env.get(f"{prefix}_HOST")
    if not host:
        return None
    security = env.get(f"{prefix}_SECURITY", "ssl").lower()
    if security not in SECURITY:
        raise ConfigError(f"{prefix}_SECURITY: expected one of {', '.join(SECURITY)}, got {security!r}")
    port_text = env.get(f"{prefix}_PORT") or str(default_port[security])
    try:
        port = int(port_text)
    except ValueError:
        raise ConfigError(f"{prefix}_PORT: expected a port number, got {port_text!r}") from None
    plaintext = env.get("REFMAIL_ALLOW_PLAINTEXT", "").lower() in ("1", "yes", "true")
    return ServerSettings(host, port, env.get(f"{prefix}_USER"), env.get(f"{prefix}_PASSWORD"), security, plaintext,
                          env.get(f"{prefix}_OAUTH2_TOKEN_COMMAND"))


def load_rules(path: Path | None) -> Rules:
    target = path or PACKAGE_DATA / "rules.yaml"
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"rules file {target} not found (REFMAIL_RULES)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_error(target, exc)) from None
    try:
        return rules_from_mapping(data, str(target))
    except RulesError as exc:
        raise ConfigError(str(exc)) from None


def yaml_error(path: Path, exc: yaml.YAMLError) -> str:
    """One paragraph a person can act on: file, line, the parser's complaint, and the usual fix."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark is not None else str(path)
    problem = " ".join(str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part)
    return (f"{where}: not valid YAML ({problem or type(exc).__name__}). Check the indentation there "
            "(spaces, not tabs, the same depth as the keys beside it), that each key is followed by ': ', "
            "and quote a value that contains ': ' or starts with a special character such as '*', '&' or '{'.")


def load_settings(environ: dict[str, str] | None = None, config_file: str | None = None,
                  need_owner: bool = True) -> Settings:
    """Environment wins over the TOML file; the TOML file may use the same REFMAIL_* names or sections.

    `need_owner=False` is for commands that only touch the database (`refmail db upgrade`).
    """
    env = dict(os.environ if environ is None else environ)
    config_file = config_file or env.get("REFMAIL_CONFIG")
    merged = {**(_read_toml(config_file) if config_file else {}), **{k: v for k, v in env.items() if v != ""}}

    if need_owner or merged.get("REFMAIL_OWNER"):
        owner, aliases = _owner(merged.get("REFMAIL_OWNER"))
    else:
        owner, aliases = Person("", ""), ()
    assistant = merged.get("REFMAIL_ASSISTANT", "").strip().lower()
    identity = Identity(owner=owner, owner_aliases=aliases, assistant=assistant)

    imap = _server(merged, "REFMAIL_IMAP", {"ssl": 993, "starttls": 143, "none": 143})
    smtp = _server(merged, "REFMAIL_SMTP", {"ssl": 465, "starttls": 587, "none": 25})
    data_dir = Path(merged["REFMAIL_DATA_DIR"]) if merged.get("REFMAIL_DATA_DIR") else default_data_dir()
    database_url = merged.get("REFMAIL_DATABASE_URL") or f"sqlite:///{data_dir / 'refmail.db'}"

    rules_path = Path(merged["REFMAIL_RULES"]) if merged.get("REFMAIL_RULES") else None
    if rules_path is None and Path("rules.yaml").is_file():
        rules_path = Path("rules.yaml")
    templates = Path(merged["REFMAIL_TEMPLATES"]) if merged.get("REFMAIL_TEMPLATES") else None
    if templates is None:
        templates = Path("templates") if Path("templates").is_dir() else PACKAGE_DATA / "templates"
    elif not templates.is_dir():
        raise ConfigError(f"REFMAIL_TEMPLATES: {templates} is not a folder")

    secret = merged.get("REFMAIL_SECRET")
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        # Our Message-IDs are keyed with it and go to strangers: a short key could be searched for offline.
        raise ConfigError(f"REFMAIL_SECRET: too short to keep approvals safe (at least {MIN_SECRET_LENGTH} "
                          "characters); leave it unset and refmail generates and keeps one")

    now = None
    if merged.get("REFMAIL_NOW"):
        try:
            now = parse_instant(merged["REFMAIL_NOW"])
        except ValueError:
            raise ConfigError(f"REFMAIL_NOW: expected an ISO-8601 instant, got {merged['REFMAIL_NOW']!r}") from None

    return Settings(
        identity=identity,
        imap=imap,
        intake_user=merged.get("REFMAIL_INTAKE_IMAP_USER"),
        intake_password=merged.get("REFMAIL_INTAKE_IMAP_PASSWORD"),
        smtp=smtp,
        database_url=database_url,
        rules_path=rules_path,
        templates_path=templates,
        secret=secret,
        now=now,
        data_dir=data_dir,
        intake_oauth2_token_command=merged.get("REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND"),
    )
