"""Leases (one holder per name, with a fencing token) and a run's cancel request.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cxops.store.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(512), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=True),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.Column("acquired", UTCDateTime(), nullable=True),
    )
    op.add_column("runs", sa.Column("cancel_requested", UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("runs", "cancel_requested")
    op.drop_table("leases")
