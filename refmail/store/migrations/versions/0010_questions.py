"""questions (what refmail asked the owner), messages.outcome (how each message handed to refmail ended)

Revision ID: 0010
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    op.create_table(
        "questions",
        sa.Column("id", sa.String(length=16), primary_key=True),
        sa.Column("message_row", sa.Integer(), sa.ForeignKey("messages.id"), nullable=False, unique=True),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("intro_message_id", sa.String(length=998), nullable=False, index=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False, index=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("sender", sa.String(length=700), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("readings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("asked_message_id", sa.String(length=998), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("referral_id", sa.String(length=16), sa.ForeignKey("referrals.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("questions")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("outcome")
