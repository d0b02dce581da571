"""Issue 9.8: workers starting together on a fresh PostgreSQL database migrate it once, none fails;
a schema problem is not blamed on the URL."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from refmail.store import db

pytestmark = pytest.mark.integration


WORKER = """
import sys
from refmail.store import db
print("ready", flush=True)
sys.stdin.readline()  # released together with the others
db.open_store(sys.argv[1])
print("migrated", flush=True)
"""


def test_four_workers_migrate_one_fresh_postgres_database_at_once(pg_url):
    """Processes, as in production (Alembic's context is per process, so threads could not show it)."""
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, pg_url], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for w in workers:
        assert w.stdout is not None and w.stdout.readline().strip() == "ready"
    for w in workers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    results = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], [err for _, err in results]
    engine = db.make_engine(pg_url)
    assert db.current_revision(engine) == db.SCHEMA_REVISION
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_that_answers_but_holds_other_tables_is_not_called_unreachable(backend, pg_url, sqlite_url):
    url = pg_url if backend == "postgresql" else sqlite_url
    foreign = create_engine(db.make_engine(url).url)
    with foreign.begin() as conn:  # someone else's table where refmail's first migration creates its own
        conn.execute(text("CREATE TABLE referrals (id integer)"))
    foreign.dispose()
    with pytest.raises(db.DatabaseURLError) as err:
        db.open_store(url)
    message = str(err.value)
    assert "check the URL" not in message and "server runs" not in message
    assert "referrals" in message and "brought up to date" in message


def test_an_unreachable_server_still_gets_the_url_hint():
    with pytest.raises(db.DatabaseURLError) as err:
        db.open_store("postgresql://refmail:s3cretpw@127.0.0.1:1/refmail")
    assert "check the URL and that the server runs" in str(err.value) and "s3cretpw" not in str(err.value)


CRASHING = """
import os, sys
from sqlalchemy import Engine, event
from refmail.store import db

created = []

@event.listens_for(Engine, "before_cursor_execute")
def crash(conn, cursor, statement, *args):
    if statement.lstrip().upper().startswith("CREATE TABLE"):
        created.append(statement)
        if len(created) == 4:
            os._exit(9)  # killed in the middle of the first migration

db.open_store(sys.argv[1])
"""


def test_a_process_killed_in_the_middle_of_its_first_migration_leaves_a_database_the_next_start_migrates(
        sqlite_url):
    crashed = subprocess.run([sys.executable, "-c", CRASHING, sqlite_url], capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 9, crashed.stderr
    engine = db.open_store(sqlite_url)  # the next start: no 'table ... already exists'
    assert db.current_revision(engine) == db.SCHEMA_REVISION
    assert {"referrals", "drafts", "messages"} <= db.table_names(engine)
    engine.dispose()
