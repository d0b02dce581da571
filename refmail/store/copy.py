"""`refmail db copy`: every table from one database into another (SQLite to PostgreSQL), checked row for row."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, Integer, func, inspect, select, text

from refmail.errors import UserError
from refmail.store import db
from refmail.store.models import Base

BATCH = 1000  # rows per INSERT: a large store never sits in memory whole
VERSION_TABLE = "alembic_version"


class CopyError(UserError):
    """The copy cannot start (or did not add up); the message says why and what to do. Nothing was kept."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


def _count(engine: Engine, name: str) -> int:
    table = Base.metadata.tables[name]
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table)) or 0


def check_source(source: Engine) -> None:
    """The source must be at this refmail's migration level, and hold no table refmail does not know."""
    revision = db.current_revision(source)
    if revision != db.SCHEMA_REVISION:
        raise CopyError(f"the source database is at migration {revision or 'none (no tables)'}, this refmail "
                        f"writes {db.SCHEMA_REVISION}: run `refmail db upgrade` on it first")
    unknown = set(inspect(source).get_table_names()) - set(Base.metadata.tables) - {VERSION_TABLE}
    if unknown:
        raise CopyError(f"the source database has tables refmail does not know ({', '.join(sorted(unknown))}): "
                        "is it refmail's own database, and this refmail as new as the one that wrote it?")


def prepare_target(target: Engine, replace: bool) -> list[Copied]:
    """Bring the target to the same migration level; refuse one that holds rows unless `replace`.

    Returns what it held (for the message)."""
    revision = db.current_revision(target)
    if revision not in (None, db.SCHEMA_REVISION):
        raise CopyError(f"the target database is at migration {revision}, this refmail writes "
                        f"{db.SCHEMA_REVISION}: run a matching refmail's `db upgrade` on it, or use an empty database")
    db.upgrade(target)
    held = [Copied(t.name, n) for t in Base.metadata.sorted_tables if (n := _count(target, t.name))]
    if held and not replace:
        rows = ", ".join(f"{c.table} {c.rows}" for c in held)
        raise CopyError(f"the target database is not empty ({rows} rows): nothing copied. Use an empty database, "
                        "or --replace to delete what it holds first")
    return held


def copy_all(source: Engine, target: Engine, replace: bool = False) -> list[Copied]:
    """Copy every table in foreign-key order in one target transaction: all of it, or (on any error) none."""
    check_source(source)
    prepare_target(target, replace)
    tables = Base.metadata.sorted_tables
    copied = []
    with target.begin() as out, source.connect() as src:
        if replace:
            for table in reversed(tables):
                out.execute(table.delete())
        for table in tables:
            rows = 0
            result = src.execution_options(yield_per=BATCH).execute(select(table))
            for batch in result.partitions(BATCH):
                out.execute(table.insert(), [dict(row._mapping) for row in batch])
                rows += len(batch)
            copied.append(Copied(table.name, rows))
        if target.dialect.name == "postgresql":
            _advance_sequences(out, tables)
    for c in copied:  # read back, after the commit, from the target itself
        landed = _count(target, c.table)
        if landed != c.rows:
            raise CopyError(f"{c.table}: {c.rows} rows read but {landed} found in the target afterwards")
    return copied


def _advance_sequences(conn, tables) -> None:  # type: ignore[no-untyped-def]
    """Rows keep their ids; each serial column's sequence moves past the highest, or the next INSERT clashes."""
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key[0].name})
        if sequence:  # names come from our own metadata, never from input
            highest = f"SELECT COALESCE(MAX({key[0].name}), 0) + 1 FROM {table.name}"
            conn.execute(text(f"SELECT setval(:s, ({highest}), false)"), {"s": sequence})
