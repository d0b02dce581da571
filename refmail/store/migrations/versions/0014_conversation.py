"""person_aliases, referrals.meeting_at and an index on the intro: any reply in the thread, group tracks, meetings

Revision ID: 0014
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_aliases",
        sa.Column("email", sa.String(length=320), primary_key=True),
        sa.Column("person_email", sa.String(length=320), nullable=False, index=True),
        sa.Column("referral_id", sa.String(length=16), sa.ForeignKey("referrals.id"), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("meeting_at", sa.DateTime(timezone=True), nullable=True))
        # A group intro's tracks share the intro's Message-ID: siblings are looked up by it.
        batch.create_index("ix_referrals_intro_message_id", ["intro_message_id"])


def downgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.drop_index("ix_referrals_intro_message_id")
        batch.drop_column("meeting_at")
    op.drop_table("person_aliases")
