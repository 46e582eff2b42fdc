"""Totals computed by the database (GROUP BY), for callers that need sums, not rows.

Reading 700k appointment rows into Python to add them up costs seconds; the database
does it in a fraction of that.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpworkforce.store.repository import _dataset_id, _row_table, canonical_columns, list_periods
from gpworkforce.store.tables import Dataset

#: The count column summed for each kind.
COUNT_COLUMN = {"appointments": "appointments", "subicb_appointments": "appointments", "patients": "patients"}


def load_totals(
    session: Session, kind: str, by: Sequence[str], period: str | None = None
) -> tuple[pd.DataFrame, str | None]:
    """Sum of the kind's count column grouped by ``by`` for one period (latest when None)."""
    names = set(canonical_columns(kind))
    unknown = [c for c in by if c not in names]
    if unknown:
        raise ValueError(f"{kind} has no column(s) {unknown}")
    count = COUNT_COLUMN[kind]
    if period is None:
        periods = list_periods(session, kind)
        period = periods[-1] if periods else None
    dataset_id = _dataset_id(session, kind, period) if period is not None else None
    if dataset_id is None:
        return pd.DataFrame({**{c: pd.Series(dtype="str") for c in by}, count: pd.Series(dtype="int64")}), None
    table = _row_table(kind)
    cols = [table.c[c] for c in by]
    rows = session.execute(
        select(*cols, func.sum(table.c[count]).label(count)).where(table.c.dataset_id == dataset_id).group_by(*cols)
    ).all()
    frame = pd.DataFrame.from_records(rows, columns=[*by, count])
    frame[count] = frame[count].astype("int64")
    return frame, period


def load_distinct(session: Session, kind: str, column: str) -> pd.DataFrame:
    """Distinct values of ``column`` in every period of ``kind``: columns ``column`` and ``period``.

    Why: which codes a dataset has ever named (a practice seen in an old workforce year) without
    reading its rows into Python.
    """
    if column not in set(canonical_columns(kind)):
        raise ValueError(f"{kind} has no column {column!r}")
    table = _row_table(kind)
    rows = session.execute(
        select(table.c[column], Dataset.period)
        .join(Dataset, Dataset.id == table.c.dataset_id)
        .where(Dataset.kind == kind)
        .distinct()
        .order_by(Dataset.period, table.c[column])
    ).all()
    return pd.DataFrame.from_records(rows, columns=[column, "period"]).astype("str")
