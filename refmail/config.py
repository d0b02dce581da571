"""Environment + optional TOML + rules.yaml -> Settings, with errors that say what to fix."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo

from refmail.clock import parse_instant
from refmail.domain.rules import Rules, RulesError, rules_from_mapping
from refmail.domain.types import Identity, Person
from refmail.errors import ConfigError

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


def _env_name(info: ValidationInfo) -> str:
    return f"REFMAIL_{(info.field_name or '').upper()}"


def _host_is_set(info: ValidationInfo) -> bool:
    """A server without a host is not used: its port and security are not checked."""
    return bool(info.data.get((info.field_name or "").rsplit("_", 1)[0] + "_host"))


def _port(value: str | None, info: ValidationInfo) -> int | None:
    if not value or not _host_is_set(info):
        return None  # the default for its security
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{_env_name(info)}: expected a port number, got {value!r}") from None


def _security(value: str, info: ValidationInfo) -> str:
    value = value.lower()
    if value not in SECURITY and _host_is_set(info):
        raise ValueError(f"{_env_name(info)}: expected one of {', '.join(SECURITY)}, got {value!r}")
    return value


def _templates(value: Path | None, info: ValidationInfo) -> Path | None:
    if value is not None and not value.is_dir():
        raise ValueError(f"{_env_name(info)}: {value} is not a folder")
    return value


def _secret(value: str | None, info: ValidationInfo) -> str | None:
    if value is not None and len(value) < MIN_SECRET_LENGTH:
        # Our Message-IDs are keyed with it and go to strangers: a short key could be searched for offline.
        raise ValueError(f"{_env_name(info)}: too short to keep approvals safe (at least {MIN_SECRET_LENGTH} "
                         "characters); leave it unset and refmail generates and keeps one")
    return value


def _instant(value: str | datetime | None, info: ValidationInfo) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return parse_instant(value) if value else None
    except ValueError:
        raise ValueError(f"{_env_name(info)}: expected an ISO-8601 instant, got {value!r}") from None


Port = Annotated[int | None, BeforeValidator(_port)]
Security = Annotated[str, AfterValidator(_security)]
Password = Annotated[str | None, Field(repr=False)]
MaybePath = Annotated[Path | None, BeforeValidator(lambda v: v or None)]  # an empty value is no setting


class Values(BaseModel):
    """Every setting refmail reads: field `imap_host` is REFMAIL_IMAP_HOST in the environment, and
    `imap_host`, `REFMAIL_IMAP_HOST` or `host` under `[imap]` in the TOML file.

    A new setting is one field here: it becomes a known TOML key (any other is an error naming the
    nearest one), `refmail init` writes it in this order, and a problem is reported in this order.
    """

    model_config = ConfigDict(frozen=True)

    owner: str | None = None
    assistant: Annotated[str, AfterValidator(lambda v: v.strip().lower())] = ""
    imap_host: str | None = None
    imap_port: Port = None
    imap_user: str | None = None
    imap_password: Password = None
    imap_security: Security = "ssl"
    intake_imap_user: str | None = None
    intake_imap_password: Password = None
    smtp_host: str | None = None
    smtp_port: Port = None
    smtp_user: str | None = None
    smtp_password: Password = None
    smtp_security: Security = "ssl"
    database_url: Password = None  # may hold a password
    rules: MaybePath = None
    templates: Annotated[MaybePath, AfterValidator(_templates)] = None
    secret: Annotated[str | None, AfterValidator(_secret), Field(repr=False)] = None
    now: Annotated[datetime | None, BeforeValidator(_instant)] = None
    allow_plaintext: Annotated[bool, BeforeValidator(lambda v: str(v).lower() in ("1", "yes", "true"))] = False
    data_dir: MaybePath = None
    # OAuth2: a command that prints an access token (refmail/mail/oauth2.py), per account.
    imap_oauth2_token_command: str | None = None
    intake_imap_oauth2_token_command: str | None = None
    smtp_oauth2_token_command: str | None = None

    @classmethod
    def read(cls, merged: dict[str, str]) -> "Values":
        """From REFMAIL_* names; the first problem, in field order, is a ConfigError naming its variable."""
        try:
            return cls.model_validate({k.removeprefix("REFMAIL_").lower(): v for k, v in merged.items()
                                       if k in KNOWN_KEYS})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(str(first.get("ctx", {}).get("error") or first["msg"])) from None


# A TOML key outside this list is a typo until proven otherwise: it is an error naming the nearest valid
# key, never silently ignored (a misspelt password key would look like a wrong password).
KNOWN_KEYS = tuple(f"REFMAIL_{name.upper()}" for name in Values.model_fields)


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


def load_rules(path: Path | None) -> Rules:
    target = path or PACKAGE_DATA / "rules.yaml"
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"rules file {target} not found (REFMAIL_RULES)") from None
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
