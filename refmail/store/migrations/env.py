"""Alembic environment: runs against the engine refmail hands in (no alembic.ini needed)."""

from alembic import context
from sqlalchemy import text

from refmail.store.models import Base

# Workers starting together on a fresh PostgreSQL database would each create the same tables; this
# transaction-scoped advisory lock makes them take turns, and Alembic reads the version only once it
# holds the lock, so the ones after the first find nothing left to do. (SQLite serialises writers itself.)
MIGRATION_LOCK = 0x7265666D61696C  # "refmail"

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
    connection.commit()
