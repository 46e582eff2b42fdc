"""Staff register: staff records and vacancies per practice or PCN employer (issue 12).

Revision ID: 0006_register
Revises: 0005_audit_integrity
Create Date: 2026-12-02

Written out in full (no imports from the models) so the revision stays what it was when
``gpworkforce.store.register`` changes later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_register"
down_revision: str | Sequence[str] | None = "0005_audit_integrity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _audit_columns() -> list[sa.Column]:
    return [
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "staff_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("age_band", sa.String(length=20), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("leaving_reason", sa.String(length=20), nullable=True),
        sa.Column("contract_type", sa.String(length=20), nullable=False),
        sa.Column("local_ref", sa.String(length=40), nullable=True),
        *_audit_columns(),
        sa.CheckConstraint("fte > 0 AND fte <= 2", name="ck_staff_record_fte"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ck_staff_record_dates"),
        sa.CheckConstraint("birth_year IS NOT NULL OR age_band IS NOT NULL", name="ck_staff_record_age"),
        sa.PrimaryKeyConstraint("id", name="pk_staff_record"),
        sa.UniqueConstraint("employer", "local_ref", name="uq_staff_record_employer_local_ref"),
    )
    op.create_index("ix_staff_record_employer", "staff_record", ["employer"])
    op.create_table(
        "vacancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("opened", sa.Date(), nullable=False),
        sa.Column("closed", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("local_ref", sa.String(length=40), nullable=True),
        *_audit_columns(),
        sa.CheckConstraint("fte > 0 AND fte <= 2", name="ck_vacancy_fte"),
        sa.CheckConstraint("closed IS NULL OR closed >= opened", name="ck_vacancy_dates"),
        sa.CheckConstraint("(closed IS NULL) = (outcome IS NULL)", name="ck_vacancy_outcome"),
        sa.PrimaryKeyConstraint("id", name="pk_vacancy"),
    )
    op.create_index("ix_vacancy_employer", "vacancy", ["employer"])


def downgrade() -> None:
    op.drop_index("ix_vacancy_employer", table_name="vacancy")
    op.drop_table("vacancy")
    op.drop_index("ix_staff_record_employer", table_name="staff_record")
    op.drop_table("staff_record")
