"""User-defined groups of practices.

Revision ID: 0008_practice_groups
Revises: 0007_workforce_detailed
Create Date: 2026-12-02

``practice_group`` (a code the creator chooses, a name, who made it and when) and
``practice_group_member`` (its practices by ODS code). See ``store/groups.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_practice_groups"
down_revision: str | Sequence[str] | None = "0007_workforce_detailed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "practice_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name="fk_practice_group_created_by_user_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_practice_group"),
        sa.UniqueConstraint("code", name="uq_practice_group_code"),
    )
    op.create_table(
        "practice_group_member",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("practice_code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["practice_group.id"],
            name="fk_practice_group_member_group_id_practice_group",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "practice_code", name="pk_practice_group_member"),
    )


def downgrade() -> None:
    op.drop_table("practice_group_member")
    op.drop_table("practice_group")
