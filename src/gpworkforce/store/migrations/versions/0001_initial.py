"""Initial schema: datasets, one row table per canonical frame kind, FTE overrides.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25

Written out in full (no imports from the models) so the revision stays what it was when
later revisions change the models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Row tables: (table, index name, indexed column after dataset_id, canonical columns).
# Each canonical column is (name, type, nullable).
_S, _F, _I = sa.String, sa.Float, sa.Integer
_Columns = list[tuple[str, Callable[[], sa.types.TypeEngine[Any]], bool]]
ROW_TABLES: list[tuple[str, str, str, _Columns]] = [
    (
        "patient_count",
        "ix_patient_count_dataset_practice",
        "practice_code",
        [
            ("practice_code", _S, False),
            ("sex", _S, False),
            ("age_band", _S, False),
            ("patients", _I, False),
        ],
    ),
    (
        "practice_mapping",
        "ix_practice_mapping_dataset_practice",
        "practice_code",
        [
            ("practice_code", _S, False),
            ("practice_name", _S, True),
            ("postcode", _S, True),
            ("pcn_code", _S, True),
            ("pcn_name", _S, True),
            ("sub_icb_code", _S, True),
            ("sub_icb_ons_code", _S, True),
            ("sub_icb_name", _S, True),
            ("icb_code", _S, True),
            ("icb_ons_code", _S, True),
            ("icb_name", _S, True),
            ("region_code", _S, True),
            ("region_ons_code", _S, True),
            ("region_name", _S, True),
        ],
    ),
    (
        "appointment_count",
        "ix_appointment_count_dataset_practice",
        "practice_code",
        [
            ("practice_code", _S, False),
            ("hcp_type", _S, False),
            ("mode", _S, False),
            ("category", _S, False),
            ("interval", _S, False),
            ("status", _S, False),
            ("appointments", _I, False),
        ],
    ),
    (
        "subicb_appointment_count",
        "ix_subicb_appointment_count_dataset_subicb",
        "sub_icb_code",
        [
            ("month", _S, False),
            ("sub_icb_code", _S, False),
            ("hcp_type", _S, False),
            ("mode", _S, False),
            ("interval", _S, False),
            ("status", _S, False),
            ("appointments", _I, False),
        ],
    ),
    (
        "workforce_fte",
        "ix_workforce_fte_dataset_practice",
        "practice_code",
        [
            ("practice_code", _S, False),
            ("staff", _S, False),
            ("fte", _F, False),
            ("headcount", _F, True),
        ],
    ),
    (
        "gp_age_headcount",
        "ix_gp_age_headcount_dataset_practice",
        "practice_code",
        [
            ("practice_code", _S, False),
            ("age_band", _S, False),
            ("headcount", _F, False),
        ],
    ),
    (
        "pcn_workforce",
        "ix_pcn_workforce_dataset_pcn",
        "pcn_code",
        [
            ("pcn_code", _S, False),
            ("staff_role", _S, False),
            ("role", _S, False),
            ("fte", _F, False),
            ("headcount", _I, False),
        ],
    ),
    (
        "imd_score",
        "ix_imd_score_dataset_practice",
        "practice_code",
        [
            ("practice_code", _S, False),
            ("imd_score", _F, False),
        ],
    ),
    (
        "qof_register",
        "ix_qof_register_dataset_practice",
        "practice_code",
        [
            ("practice_code", _S, False),
            ("group_code", _S, False),
            ("register", _F, True),
            ("list_size", _F, True),
            ("list_type", _S, True),
        ],
    ),
    (
        "population_projection",
        "ix_population_projection_dataset_year",
        "year",
        [
            ("year", _I, False),
            ("sex", _S, False),
            ("age_band", _S, False),
            ("population", _F, False),
        ],
    ),
]


def upgrade() -> None:
    op.create_table(
        "dataset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dataset"),
        sa.UniqueConstraint("kind", "period", name="uq_dataset_kind_period"),
        sqlite_autoincrement=True,
    )
    for table, index, second, columns in ROW_TABLES:
        op.create_table(
            table,
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
            sa.Column("dataset_id", sa.Integer(), nullable=False),
            *(sa.Column(name, type_(), nullable=nullable) for name, type_, nullable in columns),
            sa.ForeignKeyConstraint(
                ["dataset_id"], ["dataset.id"], name=f"fk_{table}_dataset_id_dataset", ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        )
        op.create_index(index, table, ["dataset_id", second])
    op.create_table(
        "practice_fte_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_code", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_practice_fte_override"),
        sa.UniqueConstraint("practice_code", "role", name="uq_practice_fte_override_practice_role"),
    )


def downgrade() -> None:
    op.drop_table("practice_fte_override")
    for table, index, _second, _columns in reversed(ROW_TABLES):
        op.drop_index(index, table_name=table)
        op.drop_table(table)
    op.drop_table("dataset")
