"""indexes: outbox (status, id) so a status page does not sort every row; links due for polling;
a narrow covering index for the bookings' text search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_email_status_id", "emailmessage", ["status", "id"], unique=False)
    op.create_index("ix_booking_search", "booking", ["search_text", "start_at", "id"], unique=False)
    op.create_index(
        "ix_paymentlink_next_check",
        "paymentlink",
        ["next_check_at"],
        unique=False,
        postgresql_where=sa.text("next_check_at IS NOT NULL"),
        sqlite_where=sa.text("next_check_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_paymentlink_next_check", table_name="paymentlink")
    op.drop_index("ix_booking_search", table_name="booking")
    op.drop_index("ix_email_status_id", table_name="emailmessage")
