"""drafts.bcc (the referrer in BCC of the first touch), drafts.drafts_copy_at (a copy in her Drafts folder),
messages.utc_offset (the sender's time zone, from the Date header)

Revision ID: 0013
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("bcc", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("drafts_copy_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("drafts_copy_removed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("utc_offset", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("utc_offset")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("drafts_copy_removed_at")
        batch.drop_column("drafts_copy_at")
        batch.drop_column("bcc")
