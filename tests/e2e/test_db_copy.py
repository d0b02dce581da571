"""`refmail db copy --to URL`: a lived-in SQLite store moved to a throw-away PostgreSQL database on
127.0.0.1:5432, every table and row, and refmail carries on there."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from refmail.store import db
from refmail.store.models import Base

pytestmark = pytest.mark.e2e
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def counts(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.execute(text(f"SELECT COUNT(*) FROM {t.name}")).scalar() for t in
                    Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def test_a_store_moves_to_postgresql_whole_and_refmail_goes_on_there(cast, pg_url) -> None:
    cast.introduce(MONDAY - timedelta(minutes=30))
    cast.cycle(MONDAY)
    first = next(d for d in cast.cli_json("drafts", now=MONDAY) if d["kind"] == "first_touch")
    cast.cli("approve", first["id"], now=MONDAY + timedelta(minutes=1))
    cast.cycle(MONDAY + timedelta(minutes=2))  # sent: outbox, timeline, due actions, checkpoints all hold rows
    sqlite_url = cast.env["REFMAIL_DATABASE_URL"]
    before = counts(sqlite_url)
    assert before["referrals"] == 1 and before["messages"] >= 1 and before["timeline"] > 1 and before["drafts"] >= 2

    done = cast.cli("db", "copy", "--to", pg_url, now=MONDAY)
    printed = {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+) rows$", done.stdout, flags=re.M)}
    assert printed == before  # every table named, with its count
    assert f"copied {sum(before.values())} rows in {len(before)} tables" in done.stdout
    assert f"at migration {db.SCHEMA_REVISION}" in done.stdout
    assert counts(pg_url) == before

    def views() -> list[object]:  # what she sees, bodies, times and states included
        ref = cast.cli_json("referrals", now=MONDAY)
        return [ref, cast.cli_json("drafts", "--all", now=MONDAY), cast.cli_json("sources", now=MONDAY),
                cast.cli_json("show", ref[0]["id"], now=MONDAY)]

    on_sqlite = views()
    cast.env_overrides["REFMAIL_DATABASE_URL"] = pg_url
    assert views() == on_sqlite

    # refmail goes on on PostgreSQL: new rows get new ids (sequences moved past the copied ones), and the
    # copied checkpoints mean the mail already read is not read again.
    cast.env_overrides["REFMAIL_DATABASE_URL"] = pg_url
    dan = cast.person("dan", "Dan Prospect")
    cast.prospect = dan
    cast.introduce(MONDAY + timedelta(hours=1))
    cast.cycle(MONDAY + timedelta(hours=2))
    refs = cast.cli_json("referrals", now=MONDAY + timedelta(hours=2))
    assert len(refs) == 2 and {r["prospects"][0]["email"] for r in refs} >= {dan.email}
    after = counts(pg_url)
    assert after["messages"] == before["messages"] + 1


def test_a_target_that_holds_rows_is_refused_unless_replace(cast, pg_url) -> None:
    cast.introduce(MONDAY - timedelta(minutes=30))
    cast.cycle(MONDAY)
    cast.cli("db", "copy", "--to", pg_url, now=MONDAY)
    cast.cycle(MONDAY + timedelta(minutes=5))  # the SQLite store moves on
    again = cast.cli("db", "copy", "--to", pg_url, now=MONDAY, check=False)
    assert again.returncode == 1 and "not empty" in again.stderr and "--replace" in again.stderr
    replaced = cast.cli("db", "copy", "--to", pg_url, "--replace", now=MONDAY)
    assert "copied" in replaced.stdout
    assert counts(pg_url) == counts(cast.env["REFMAIL_DATABASE_URL"])


def test_migration_levels_are_checked(cast, pg_url) -> None:
    cast.cli("db", "upgrade", now=MONDAY)
    older = create_engine(db.make_engine(pg_url).url)
    db.upgrade(older, "0013")  # a target some older refmail made
    older.dispose()
    refused = cast.cli("db", "copy", "--to", pg_url, now=MONDAY, check=False)
    assert refused.returncode == 1 and "target database is at migration 0013" in refused.stderr

    source = db.make_engine(cast.env["REFMAIL_DATABASE_URL"])
    db.downgrade(source, "0013")  # a store this refmail has not upgraded yet
    refused = cast.cli("db", "copy", "--to", pg_url, now=MONDAY, check=False)
    assert refused.returncode == 1 and "run `refmail db upgrade` on it first" in refused.stderr


def test_no_source_database_is_an_error_not_an_empty_copy(cast, pg_url) -> None:
    done = cast.cli("db", "copy", "--to", pg_url, now=MONDAY, check=False)
    assert done.returncode == 1 and "no database at" in done.stderr
    assert not (cast.data_dir / "refmail.db").exists()


def test_a_target_that_cannot_be_reached_is_named_without_its_password(cast) -> None:
    cast.cli("db", "upgrade", now=MONDAY)
    url = "postgresql://nobody:s3cret-pw@127.0.0.1:5432/refmail_no_such_db"
    done = cast.cli("db", "copy", "--to", url, now=MONDAY, check=False)
    assert done.returncode == 1 and "cannot connect to postgresql://nobody:***@127.0.0.1:5432" in done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr and "Traceback" not in done.stderr
