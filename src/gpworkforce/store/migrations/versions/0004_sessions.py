"""Server-side sessions, and the device a sign-in attempt came from.

Revision ID: 0004_sessions
Revises: 0003_saved_scenario_json
Create Date: 2027-02-01

``user_session`` holds one row per signed-in browser (the SHA-256 of the cookie's random
token), so sign-out, a password change and disabling a user end sessions on the server at once.
``login_attempt.device`` (SHA-256 of the device cookie, or NULL) lets a user's own device sign
in while strangers' failures slow their account down (docs/decisions/0001-web-security.md).
Sessions signed before this revision have no row and end: everyone signs in again once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_sessions"
down_revision: str | Sequence[str] | None = "0003_saved_scenario_json"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_user_session_user_id_user_account", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_session"),
        sa.UniqueConstraint("token_hash", name="uq_user_session_token_hash"),
    )
    op.create_index("ix_user_session_user_id", "user_session", ["user_id"])
    with op.batch_alter_table("login_attempt") as batch:
        batch.add_column(sa.Column("device", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_attempt") as batch:
        batch.drop_column("device")
    op.drop_index("ix_user_session_user_id", table_name="user_session")
    op.drop_table("user_session")
