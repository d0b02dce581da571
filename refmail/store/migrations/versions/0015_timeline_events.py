"""timeline.event and timeline.actor: readers such as the digest match what happened, not the wording

Revision ID: 0015
Revises: 0014
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The wording each event had when only the text said it (refmail up to 0014), and where its actor stood.
_WORDING = (
    ("message_in", re.compile(r"reply from (\S+?)(?::|,| \(for )"), "reply"),
    ("message_in", re.compile(r"intro from "), "intro"),
    ("message_in", re.compile(r"out-of-office from (\S+?)(?:,|$)"), "autoreply"),
    ("message_in", re.compile(r"(\S+@\S+) (?:bounced|mailbox closed)$"), "bounce"),
    ("message_in", re.compile(r"calendar "), "meeting"),
    ("message_in", re.compile(r"referrer wrote on the thread: "), "referrer_wrote"),
    ("message_out", re.compile(r"owner wrote by hand: "), "owner_wrote"),
)


def upgrade() -> None:
    with op.batch_alter_table("timeline") as batch:
        batch.add_column(sa.Column("event", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("actor", sa.String(length=320), nullable=True))
        batch.create_index("ix_timeline_event", ["event"])
    timeline = sa.table("timeline", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                        sa.column("text", sa.Text), sa.column("detail", sa.JSON),
                        sa.column("event", sa.String), sa.column("actor", sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(timeline.c.id, timeline.c.kind, timeline.c.text, timeline.c.detail)
                        .where(timeline.c.kind.in_(["message_in", "message_out", "whose"]))).all()
    for row in rows:
        event, actor = _read(row.kind, row.text, row.detail or {})
        if event is not None:
            bind.execute(timeline.update().where(timeline.c.id == row.id).values(event=event, actor=actor))


def _read(kind: str, text: str, detail: dict) -> tuple[str | None, str | None]:
    if kind == "whose":
        return "untied_reply", detail.get("sender")
    for wanted, pattern, event in _WORDING:
        found = pattern.match(text) if kind == wanted else None
        if found:
            return event, found.group(1)[:320] if found.groups() else None
    return None, None


def downgrade() -> None:
    with op.batch_alter_table("timeline") as batch:
        batch.drop_index("ix_timeline_event")
        batch.drop_column("actor")
        batch.drop_column("event")
