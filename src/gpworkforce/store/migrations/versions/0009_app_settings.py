"""Settings an administrator changes in the web app (the retirement RAG thresholds).

Revision ID: 0009_app_settings
Revises: 0008_practice_groups
Create Date: 2026-12-02

``app_setting``: one numeric value per setting name, who set it and when. See ``store/settings.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_app_settings"
down_revision: str | Sequence[str] | None = "0008_practice_groups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_setting",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["user_account.id"], name="fk_app_setting_updated_by_user_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("name", name="pk_app_setting"),
    )


def downgrade() -> None:
    op.drop_table("app_setting")
