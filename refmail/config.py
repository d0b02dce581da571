"""Environment + optional TOML + rules.yaml -> Settings, with errors that say what to fix."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refmail.clock import parse_instant
from refmail.domain.types import Identity, Person
from refmail.errors import ConfigError, RulesError

if TYPE_CHECKING:  # rules.yaml is parsed and validated (PyYAML, pydantic) only by a command that uses it
    import yaml

    from refmail.domain.rules import Rules

MIN_SECRET_LENGTH = 16
PACKAGE_DATA = Path(__file__).parent / "data"
SECURITY = ("ssl", "starttls", "none")


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)
    security: str
    allow_plaintext: bool = False
    oauth2_token_command: str | None = None  # set: log in with OAuth2, the password is unused


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


def _port(value: str, name: str, read: dict[str, Any]) -> int | None:
    if not value or not _host_is_set(name, read):
        return None  # the default for its security
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{_env_name(name)}: expected a port number, got {value!r}") from None


def _security(value: str, name: str, read: dict[str, Any]) -> str:
    value = value.lower()
    if value not in SECURITY and _host_is_set(name, read):
        raise ValueError(f"{_env_name(name)}: expected one of {', '.join(SECURITY)}, got {value!r}")
    return value


def _host_is_set(name: str, read: dict[str, Any]) -> bool:
    """A server without a host is not used: its port and security are not checked."""
    return bool(read.get(name.rsplit("_", 1)[0] + "_host"))


def _maybe_path(value: str, name: str, read: dict[str, Any]) -> Path | None:
    return Path(value) if value else None  # an empty value is no setting


def _templates(value: str, name: str, read: dict[str, Any]) -> Path | None:
    path = _maybe_path(value, name, read)
    if path is not None and not path.is_dir():
        raise ValueError(f"{_env_name(name)}: {path} is not a folder")
    return path


def _secret(value: str, name: str, read: dict[str, Any]) -> str | None:
    if len(value) < MIN_SECRET_LENGTH:
        # Our Message-IDs are keyed with it and go to strangers: a short key could be searched for offline.
        raise ValueError(f"{_env_name(name)}: too short to keep approvals safe (at least {MIN_SECRET_LENGTH} "
                         "characters); leave it unset and refmail generates and keeps one")
    return value


def _instant(value: str, name: str, read: dict[str, Any]) -> datetime | None:
    try:
        return parse_instant(value) if value else None
    except ValueError:
        raise ValueError(f"{_env_name(name)}: expected an ISO-8601 instant, got {value!r}") from None


def _env_name(name: str) -> str:
    return f"REFMAIL_{name.upper()}"


def _setting(read: Callable[[str, str, dict[str, Any]], Any] | None = None, default: Any = None,
             secret: bool = False) -> Any:
    """A field of Values: how its text is read (after the fields before it), and whether it is kept out of repr."""
    return field(default=default, repr=not secret, metadata={"read": read} if read else {})


@dataclass(frozen=True)
class Values:
    """Every setting refmail reads: field `imap_host` is REFMAIL_IMAP_HOST in the environment, and
    `imap_host`, `REFMAIL_IMAP_HOST` or `host` under `[imap]` in the TOML file.

    A new setting is one field here: it becomes a known TOML key (any other is an error naming the
    nearest one), `refmail init` writes it in this order, and a problem is reported in this order.
    Every value arrives as text (environment, or TOML values as written), so a field is its reader:
    a plain dataclass, not a validation library, which would cost every command its import (issue 12).
    """

    owner: str | None = None
    assistant: str = _setting(lambda v, *_: v.strip().lower(), default="")
    imap_host: str | None = None
    imap_port: int | None = _setting(_port)
    imap_user: str | None = None
    imap_password: str | None = _setting(secret=True)
    imap_security: str = _setting(_security, default="ssl")
    intake_imap_user: str | None = None
    intake_imap_password: str | None = _setting(secret=True)
    smtp_host: str | None = None
    smtp_port: int | None = _setting(_port)
    smtp_user: str | None = None
    smtp_password: str | None = _setting(secret=True)
    smtp_security: str = _setting(_security, default="ssl")
    database_url: str | None = _setting(secret=True)  # may hold a password
    rules: Path | None = _setting(_maybe_path)
    templates: Path | None = _setting(_templates)
    secret: str | None = _setting(_secret, secret=True)
    now: datetime | None = _setting(_instant)
    allow_plaintext: bool = _setting(lambda v, *_: v.lower() in ("1", "yes", "true"), default=False)
    data_dir: Path | None = _setting(_maybe_path)
    # OAuth2: a command that prints an access token (refmail/mail/oauth2.py), per account.
    imap_oauth2_token_command: str | None = None
    intake_imap_oauth2_token_command: str | None = None
    smtp_oauth2_token_command: str | None = None

    @classmethod
    def read(cls, merged: dict[str, str]) -> "Values":
        """From REFMAIL_* names; the first problem, in field order, is a ConfigError naming its variable."""
        given = {k.removeprefix("REFMAIL_").lower(): v for k, v in merged.items() if k in KNOWN_KEYS}
        read: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in given:  # an unset one keeps its default, unread
                reader = f.metadata.get("read")
                try:
                    read[f.name] = reader(given[f.name], f.name, read) if reader else given[f.name]
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
        return cls(**read)


# A TOML key outside this list is a typo until proven otherwise: it is an error naming the nearest valid
# key, never silently ignored (a misspelt password key would look like a wrong password).
KNOWN_KEYS = tuple(f"REFMAIL_{f.name.upper()}" for f in fields(Values))


def prepare_data_dir(settings: Settings) -> None:
    """Create the data folder when the database is the default one inside it (and only then: a folder
    named in REFMAIL_DATABASE_URL that does not exist is a mistake the store reports)."""
    if settings.database_url == f"sqlite:///{settings.data_dir / 'refmail.db'}":
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # it will hold the approval secret


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("REFMAIL_DATA_DIR") or user_data_dir("refmail", appauthor=False))


def _read_toml(path: str) -> dict[str, str]:
    import tomllib  # only when a config file is named

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
    """The owner and her other addresses, from one REFMAIL_OWNER value."""
    if not value:
        raise ConfigError('REFMAIL_OWNER is not set (expected e.g. "Olivia Owner <owner@example.com>")')
    people = [(n, a.strip().lower()) for n, a in getaddresses([value]) if "@" in a]
    if not people:
        raise ConfigError(f"REFMAIL_OWNER: no email address found in {value!r}")
    name, email = people[0]
    return Person(name, email), tuple(a for _, a in people[1:])


def _server(values: Values, name: str, default_port: dict[str, int]) -> ServerSettings | None:
    host = getattr(values, f"{name}_host")
    if not host:
        return None
    security, port = getattr(values, f"{name}_security"), getattr(values, f"{name}_port")
    return ServerSettings(host, default_port[security] if port is None else port, getattr(values, f"{name}_user"),
                          getattr(values, f"{name}_password"), security, values.allow_plaintext,
                          getattr(values, f"{name}_oauth2_token_command"))


@dataclass(frozen=True)
class RulesText:
    """rules.yaml as read from disk, not yet parsed: what a command holds until it needs the rules."""

    path: Path
    text: str = field(repr=False)


def read_rules(path: Path | None) -> RulesText:
    """The rules file's text: a missing, unreadable or undecodable file is an error here, at start."""
    target = path or PACKAGE_DATA / "rules.yaml"
    try:
        return RulesText(target, target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"rules file {target} not found (REFMAIL_RULES)") from None


def load_rules(path: Path | None) -> Rules:
    return parse_rules(read_rules(path))


def parse_rules(source: RulesText) -> Rules:
    """Parsed and validated, with errors that name the file, the line or the key."""
    import yaml

    from refmail.domain.rules import rules_from_mapping

    target, text = source.path, source.text
    try:
        # libyaml's parser when PyYAML was built with it (the wheels are): the same safe loading, 8x faster.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        try:  # the pure-Python parser says more ("found character '\\t'"): the message comes from it
            data = yaml.safe_load(text)
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
    merged = _merged(dict(os.environ if environ is None else environ), config_file)
    owner = merged.get("REFMAIL_OWNER")
    person, aliases = _owner(owner) if need_owner or owner else (Person("", ""), ())  # named first, as ever
    values = Values.read(merged)
    data_dir = values.data_dir or default_data_dir()
    return Settings(
        identity=Identity(owner=person, owner_aliases=aliases, assistant=values.assistant),
        imap=_server(values, "imap", {"ssl": 993, "starttls": 143, "none": 143}),
        intake_user=values.intake_imap_user,
        intake_password=values.intake_imap_password,
        smtp=_server(values, "smtp", {"ssl": 465, "starttls": 587, "none": 25}),
        database_url=values.database_url or f"sqlite:///{data_dir / 'refmail.db'}",
        rules_path=values.rules or _here(Path("rules.yaml"), Path.is_file),
        templates_path=values.templates or _here(Path("templates"), Path.is_dir) or PACKAGE_DATA / "templates",
        secret=values.secret,
        now=values.now,
        data_dir=data_dir,
        intake_oauth2_token_command=values.intake_imap_oauth2_token_command,
    )


def _merged(env: dict[str, str], config_file: str | None) -> dict[str, str]:
    """The TOML file's REFMAIL_* values, overridden by the environment's non-empty ones."""
    config_file = config_file or env.get("REFMAIL_CONFIG")
    return {**(_read_toml(config_file) if config_file else {}), **{k: v for k, v in env.items() if v != ""}}


def _here(path: Path, found: Callable[[Path], bool]) -> Path | None:
    """A rules.yaml or templates folder in the working directory, used when no setting names one."""
    return path if found(path) else None
