"""Alembic walks up and down on SQLite and PostgreSQL; aware datetimes round-trip on both."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from refmail.store import db, models, queries

pytestmark = pytest.mark.integration
TABLES = {"meta", "folder_checkpoints", "messages", "referrals", "parties", "thread_links", "drafts",
          "due_actions", "absences", "timeline", "approval_attempts", "digests"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_url):  # type: ignore[no-untyped-def]
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_migrations_walk_up_and_down(url):
    engine = db.make_engine(url)
    db.ensure_schema(engine)
    assert TABLES <= db.table_names(engine)
    indexes = {i["name"] for i in inspect(engine).get_indexes("due_actions")}
    assert "ix_due_actions_pending" in indexes
    db.downgrade(engine, "base")
    assert not (TABLES & db.table_names(engine))
    db.upgrade(engine)
    assert TABLES <= db.table_names(engine)
    engine.dispose()


@pytest.fixture
def sessions(url):  # type: ignore[no-untyped-def]
    """A migrated store on each database, its engine disposed after the test."""
    engine = db.make_engine(url)
    db.ensure_schema(engine)
    yield db.session_factory(engine)
    engine.dispose()


AT = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_aware_datetimes_round_trip(sessions):
    at = AT
    with sessions.begin() as s:
        s.add(models.Absence(email="carol@example.net", until=at, seen_at=at))
    with sessions() as s:
        row = s.get(models.Absence, "carol@example.net")
        assert row is not None and row.until == at and row.until.tzinfo is not None


def test_ensure_schema_is_idempotent(sqlite_url):
    engine = db.make_engine(sqlite_url)
    db.ensure_schema(engine)
    db.ensure_schema(engine)
    assert TABLES <= db.table_names(engine)


def test_schema_revision_constant_is_alembics_head(sqlite_url):
    from alembic.script import ScriptDirectory

    engine = db.make_engine(sqlite_url)
    assert ScriptDirectory.from_config(db.alembic_config(engine)).get_current_head() == db.SCHEMA_REVISION
    db.ensure_schema(engine)
    assert db.current_revision(engine) == db.SCHEMA_REVISION


def test_an_alias_learnt_is_found_in_the_same_transaction_and_one_added_elsewhere_in_the_next(sessions):
    """alias_of remembers, per transaction, the addresses it found no alias for: learning one forgets that."""
    at = AT
    with sessions.begin() as s:
        s.add(models.Referral(id="r1", state="detected", intro_message_id="i@x", intro_subject="s", context="",
                              owner_is_referrer=False, cadence={}, unanswered=0, created_at=at, updated_at=at))
    s = sessions()
    with s.begin():
        assert queries.alias_of(s, "Carol@Work.example") is None
        assert queries.remember_alias(s, "carol@work.example", "carol@home.example", "r1", at)
        assert queries.alias_of(s, "carol@work.example") == "carol@home.example"
        assert queries.alias_of(s, "dan@work.example") is None
    with sessions.begin() as other:
        queries.remember_alias(other, "dan@work.example", "dan@home.example", "r1", at)
    with s.begin():  # a new transaction of the same session asks the store again
        assert queries.alias_of(s, "dan@work.example") == "dan@home.example"
    s.close()
