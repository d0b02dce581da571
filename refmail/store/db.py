"""Engines, sessions and migrations: the store's doors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from refmail.errors import DatabaseURLError
from refmail.store.private import private_sqlite

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration; a test checks it against Alembic's head so the two never drift.
SCHEMA_REVISION = "0014"


def make_engine(url: str) -> Engine:
    try:
        return _make_engine(url)
    except (ValueError, ArgumentError, NoSuchModuleError) as exc:
        raise DatabaseURLError(hide_password(f"REFMAIL_DATABASE_URL {url!r} cannot be used: {exc}", url)) from None


def open_store(url: str) -> Engine:
    """An engine on a migrated schema; a database that cannot be reached is a clear error, password hidden."""
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        raise DatabaseURLError(hide_password(
            f"cannot use the database at REFMAIL_DATABASE_URL ({_first_line(exc)}); check the URL and that the server runs",
            url)) from None
    try:
        ensure_schema(engine)
    except DBAPIError as exc:  # it answers, so the URL is fine: the schema is what is wrong
        raise DatabaseURLError(hide_password(
            f"the database at REFMAIL_DATABASE_URL answers, but its tables could not be brought up to date "
            f"({_first_line(exc)}); is it refmail's own database?", url)) from None
    return engine


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def url_password(url: str) -> str:
    """The password in a database URL as typed (even mistyped or with a raw '@'), or ''."""
    head, at, _ = url.rpartition("@")
    userinfo = re.sub(r"^[a-z][a-z0-9+.-]*:?/*", "", head, flags=re.IGNORECASE) if at else ""
    _user, colon, password = userinfo.partition(":")
    return password if colon else ""


def hide_password(text: str, url: str) -> str:
    """`text` with the URL's password (as typed, even mistyped or with a raw '@') replaced by ***."""
    password = url_password(url)
    if not password:
        return text
    # Longest first; fragments too, since a raw '@' makes drivers read the password's tail as a host.
    for secret in sorted({password, *(p for p in re.split(r"[@:/]", password) if len(p) >= 3)}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        _check_sqlite_folder(url)
        database = url.removeprefix("sqlite:///").split("?", 1)[0]
        if database and database != ":memory:":
            # It holds the approval secret: a file only its owner reads.
            private_sqlite(Path(database).expanduser())
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets the CLI read while the daemon writes; foreign keys keep rows honest.
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a power cut may lose the last
            # commits but never corrupts, and intake's checkpoint only passes what was stored with it.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def _check_sqlite_folder(url: str) -> None:
    """A database whose folder does not exist is a typo to report, not a folder tree to create silently.

    Only the default data folder (REFMAIL_DATA_DIR or the per-user one) is created: the caller does that.
    """
    path = url.removeprefix("sqlite:///").partition("?")[0]
    if path in ("", ":memory:"):
        return
    folder = Path(path).expanduser().parent
    if not folder.is_dir():
        raise ValueError(f"the folder {folder} does not exist; create it first or fix the path")


def alembic_config(engine: Engine) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with _migrating(engine) as target:
        command.upgrade(alembic_config(target), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with _migrating(engine) as target:
        command.downgrade(alembic_config(target), revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Engine]:
    """The engine to migrate with. On SQLite, one whose transactions really are transactions.

    Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE, so each CREATE TABLE of a
    migration committed on its own, and a process killed half-way through its first start left half
    a schema that no later start could migrate. Here the driver's own handling is off and every
    transaction begins with BEGIN IMMEDIATE (SQLAlchemy's documented pysqlite recipe): all or nothing,
    and two processes migrating at once take turns.
    """
    if engine.dialect.name != "sqlite":
        yield engine
        return
    target = create_engine(engine.url, connect_args={"timeout": 30})

    @event.listens_for(target, "connect")
    def _connect(conn, _record):  # type: ignore[no-untyped-def]
        conn.isolation_level = None
        cur = conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(target, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        yield target
    finally:
        target.dispose()
        engine.dispose()  # its pooled connections predate the new schema: SQLAlchemy's reflection saw none of it


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no alembic_version table yet: a new database
        return None


def ensure_schema(engine: Engine) -> None:
    """Run migrations on first use, so `refmail db upgrade` is optional; cheap when already current."""
    if current_revision(engine) != SCHEMA_REVISION:
        upgrade(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())
