"""Roles and age bands of the NHS detailed practice workforce CSV.

Revision ID: 0007_workforce_detailed
Revises: 0006_register
Create Date: 2026-12-02

Adds the row tables of the ``workforce_roles`` and ``workforce_age`` frames
(:mod:`gpworkforce.frames`), written out in full so the revision stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_workforce_detailed"
down_revision: str | Sequence[str] | None = "0006_register"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S, _F = sa.String, sa.Float
TABLES = [
    (
        "workforce_role_fte",
        "ix_workforce_role_fte_dataset_practice",
        [
            ("practice_code", _S, False),
            ("staff_group", _S, False),
            ("role", _S, False),
            ("fte", _F, True),
            ("headcount", _F, True),
        ],
    ),
    (
        "workforce_age_band",
        "ix_workforce_age_band_dataset_practice",
        [
            ("practice_code", _S, False),
            ("staff_group", _S, False),
            ("age_band", _S, False),
            ("headcount", _F, True),
            ("fte", _F, True),
        ],
    ),
]


def upgrade() -> None:
    for table, index, columns in TABLES:
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
        op.create_index(index, table, ["dataset_id", "practice_code"])


def downgrade() -> None:
    for table, index, _ in reversed(TABLES):
        op.drop_index(index, table_name=table)
        op.drop_table(table)
