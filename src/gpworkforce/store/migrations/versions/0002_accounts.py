"""Accounts: users, audit log, saved scenarios, sign-in attempts.

Revision ID: 0002_accounts
Revises: 0001_initial
Create Date: 2026-11-25

Written out in full (no imports from the models) so the revision stays what it was when
``gpworkforce.store.accounts`` changes later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_accounts"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("org_code", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'icb_analyst', 'pcn_lead', 'practice_manager')", name="ck_user_account_role"
        ),
        sa.CheckConstraint("email = lower(email)", name="ck_user_account_email_lower"),
        sa.CheckConstraint(
            "(role = 'admin' AND org_code IS NULL) OR (role <> 'admin' AND org_code IS NOT NULL)",
            name="ck_user_account_org_code",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_account"),
        sa.UniqueConstraint("email", name="uq_user_account_email"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_key", sa.String(length=200), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_audit_log_user_id_user_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_user_id", "audit_log", ["user_id"])
    op.create_index("ix_audit_log_entity_key", "audit_log", ["entity", "entity_key"])
    op.create_table(
        "saved_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name="fk_saved_scenario_owner_id_user_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_saved_scenario"),
        sa.UniqueConstraint("slug", name="uq_saved_scenario_slug"),
    )
    op.create_index("ix_saved_scenario_owner_id", "saved_scenario", ["owner_id"])
    op.create_index("ix_saved_scenario_org_code", "saved_scenario", ["org_code"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempt"),
    )
    op.create_index("ix_login_attempt_email_at", "login_attempt", ["email", "at"])
    op.create_index("ix_login_attempt_ip_at", "login_attempt", ["ip", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempt_ip_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_email_at", table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_index("ix_saved_scenario_org_code", table_name="saved_scenario")
    op.drop_index("ix_saved_scenario_owner_id", table_name="saved_scenario")
    op.drop_table("saved_scenario")
    op.drop_index("ix_audit_log_entity_key", table_name="audit_log")
    op.drop_index("ix_audit_log_user_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("user_account")
