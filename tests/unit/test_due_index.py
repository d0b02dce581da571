"""The clock's lookups are index searches on a migrated SQLite database, never a scan of history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from refmail.store import db
from refmail.store import queries as q

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'refmail.db'}")
    db.ensure_schema(engine)
    yield engine
    engine.dispose()


def plan_of(engine: Engine, run: Callable[[Session], Any]) -> list[str]:
    """EXPLAIN QUERY PLAN of the statement the named query really sends."""
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with db.session_factory(engine)() as s:
            run(s)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, params = seen[-1]
    with engine.connect() as conn:
        return [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]


def test_due_action_lookup_searches_the_pending_index(engine: Engine) -> None:
    plan = plan_of(engine, lambda s: q.due_action_ids(s, NOW))
    assert any(line.startswith("SEARCH due_actions USING") and "ix_due_actions_pending" in line for line in plan), plan
    assert not any(line.startswith("SCAN due_actions") for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan  # ordered by the index, no sort


def test_outbox_lookup_is_an_index_search(engine: Engine) -> None:
    plan = plan_of(engine, lambda s: q.outbox_ready(s, NOW))
    assert any(line.startswith("SEARCH drafts USING INDEX") for line in plan), plan
    assert not any(line.startswith("SCAN drafts") for line in plan), plan


def test_the_indexes_exist_after_migration(engine: Engine) -> None:
    from sqlalchemy import inspect

    names = {ix["name"] for ix in inspect(engine).get_indexes("due_actions")}
    assert "ix_due_actions_pending" in names
    assert "ix_drafts_outbox" in {ix["name"] for ix in inspect(engine).get_indexes("drafts")}
