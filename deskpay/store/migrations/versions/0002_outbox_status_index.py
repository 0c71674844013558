"""outbox: index on (status, id) so a status page of a large outbox does not sort every row

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_email_status_id", "emailmessage", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_email_status_id", table_name="emailmessage")
