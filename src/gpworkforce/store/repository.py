"""Read and write canonical frames (docs/architecture.md, Ingest contract) and FTE overrides.

Every function works inside the caller's session and transaction (see
:func:`gpworkforce.store.session_scope`); nothing here commits. Frames are validated
completely before the first write, and each save runs in a SAVEPOINT, so a failed save
leaves the database as it was even if the caller goes on to commit.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, overload

import numpy as np
import pandas as pd
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpworkforce.frames import Column, Dtype, schema_of
from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.store.groups import PracticeGroup, PracticeGroupMember
from gpworkforce.store.register import StaffRecord
from gpworkforce.store.tables import KIND_TABLES, Dataset, PracticeFteOverride, utc_now

#: The string dtype pandas gives text columns by default (``str`` in pandas 3), so loaded
#: frames compare equal to frames the readers build.
STR_DTYPE: Any = pd.Series(["x"]).dtype
_PANDAS_DTYPES: dict[Dtype, Any] = {"str": STR_DTYPE, "int64": "int64", "float64": "float64"}
#: PostgreSQL INTEGER range; checked up front so SQLite and PostgreSQL accept the same frames.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

DATASET_COLUMNS: tuple[str, ...] = ("id", "kind", "period", "source_file", "rows", "notes", "imported_at")
OVERRIDE_COLUMNS: tuple[str, ...] = ("practice_code", "role", "fte", "updated_by", "updated_at")


class IngestResultLike(Protocol):
    """What :func:`save_dataset` needs from a ``gpworkforce.ingest.IngestResult``."""

    @property
    def kind(self) -> str: ...
    @property
    def frame(self) -> pd.DataFrame: ...
    @property
    def period(self) -> str | None: ...
    @property
    def source_file(self) -> str: ...
    @property
    def notes(self) -> tuple[str, ...]: ...


# --- frames <-> rows ------------------------------------------------------------------------


def canonical_columns(kind: str) -> tuple[str, ...]:
    """Column names of a canonical frame kind, in contract order."""
    return schema_of(kind).names


def empty_frame(kind: str) -> pd.DataFrame:
    """A zero-row frame with the canonical columns and dtypes of ``kind``."""
    return pd.DataFrame({c.name: pd.Series([], dtype=_PANDAS_DTYPES[c.dtype]) for c in _kind_columns(kind)})


def _kind_columns(kind: str) -> tuple[Column, ...]:
    return schema_of(kind).columns


def _row_table(kind: str) -> Table:
    _kind_columns(kind)
    table = KIND_TABLES[kind].__table__
    assert isinstance(table, Table)
    return table


def _bad(kind: str, column: str, series: pd.Series, mask: Any, problem: str) -> ValueError:
    position = int(np.flatnonzero(np.asarray(mask))[0])
    return ValueError(f"{kind} frame, column {column!r}, row {position} (index {series.index[position]!r}): {problem}")


def _column_values(kind: str, name: str, ctype: Dtype, nullable: bool, series: pd.Series) -> list[Any]:
    """Python values for one column (None for missing), or ValueError naming the first bad row."""
    missing = series.isna().to_numpy()
    if missing.any() and not nullable:
        raise _bad(kind, name, series, missing, "missing value in a required column")
    if ctype == "str":
        if not (pd.api.types.is_string_dtype(series.dtype) or series.dtype == object):
            raise ValueError(f"{kind} frame, column {name!r}: expected text, got dtype {series.dtype}")
        if series.dtype == object:
            objects = series.to_numpy(dtype=object)
            is_text = np.fromiter((isinstance(v, str) for v in objects), bool, len(objects))
            not_text = ~missing & ~is_text
            if not_text.any():
                raise _bad(kind, name, series, not_text, "expected text")
        values = series.astype(object).tolist()
        return [None if m else v for v, m in zip(values, missing, strict=True)] if missing.any() else values
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise ValueError(f"{kind} frame, column {name!r}: expected a number, got dtype {series.dtype}")
    floats = series.to_numpy(dtype="float64", na_value=np.nan)
    if ctype == "float64":
        if missing.any():
            return [None if m else v for v, m in zip(floats.tolist(), missing, strict=True)]
        return floats.tolist()
    # int: integral values only, in the portable INTEGER range.
    if not pd.api.types.is_integer_dtype(series.dtype):
        fractional = ~np.isfinite(floats) | (floats != np.floor(floats))
        if fractional.any():
            raise _bad(kind, name, series, fractional, "expected a whole number")
    ints = series.to_numpy(dtype="int64")
    out_of_range = (ints < _INT_MIN) | (ints > _INT_MAX)
    if out_of_range.any():
        raise _bad(kind, name, series, out_of_range, "integer out of range")
    return ints.tolist()


def _frame_columns(kind: str, frame: pd.DataFrame) -> list[list[Any]]:
    """Validate ``frame`` against the contract and return its values column by column."""
    expected = canonical_columns(kind)
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in expected]
    if missing or extra:
        raise ValueError(f"{kind} frame: missing columns {missing}, unexpected columns {extra}")
    return [_column_values(kind, c.name, c.dtype, c.nullable, frame[c.name]) for c in _kind_columns(kind)]


def _insert_rows(session: Session, table: Table, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert in the current transaction: COPY on PostgreSQL (psycopg), executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        quote = connection.dialect.identifier_preparer.quote
        sql = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        dbapi_connection: Any = connection.connection.dbapi_connection
        with dbapi_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    # Same Core INSERT, but executed with plain tuples when the driver takes positional
    # parameters (sqlite3): skips SQLAlchemy's per-row dict processing, ~2x faster.
    statement = insert(table)
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(names))
    if compiled.positional and list(compiled.positiontup or ()) == list(names):
        connection.exec_driver_sql(str(compiled), rows)
    else:
        connection.execute(statement, [dict(zip(names, row, strict=True)) for row in rows])


# --- datasets -------------------------------------------------------------------------------


@overload
def save_dataset(
    session: Session, kind: str, period: str, frame: pd.DataFrame, source_file: str, notes: Iterable[str] = ()
) -> int: ...
@overload
def save_dataset(session: Session, kind: IngestResultLike) -> int: ...
def save_dataset(
    session: Session,
    kind: str | IngestResultLike,
    period: str | None = None,
    frame: pd.DataFrame | None = None,
    source_file: str = "",
    notes: Iterable[str] = (),
) -> int:
    """Store a canonical frame as dataset (kind, period), replacing any existing one; returns its id.

    Accepts either the parts or an ``IngestResult`` (the architecture contract's form).
    All-or-nothing: the frame is validated before any write (``ValueError`` naming the
    column and row), and the delete + insert run in a SAVEPOINT of the caller's transaction.
    """
    if not isinstance(kind, str):
        result = kind
        kind, period, frame = result.kind, result.period, result.frame
        source_file, notes = result.source_file, result.notes
    if frame is None:
        raise TypeError("save_dataset needs a frame")
    if not period:
        raise ValueError(f"{kind} dataset from {source_file!r} has no period; cannot store it")
    table = _row_table(kind)
    names = canonical_columns(kind)
    rows = list(zip(*_frame_columns(kind, frame), strict=True))

    with session.begin_nested():
        _delete(session, kind, period)
        dataset_id = session.execute(
            insert(Dataset)
            .values(
                kind=kind,
                period=period,
                source_file=source_file,
                rows=len(rows),
                notes="\n".join(notes),
                imported_at=utc_now(),
            )
            .returning(Dataset.id)
        ).scalar_one()
        _insert_rows(session, table, ("dataset_id", *names), [(dataset_id, *row) for row in rows])
    return int(dataset_id)


def _dataset_id(session: Session, kind: str, period: str) -> int | None:
    return session.execute(
        select(Dataset.id).where(Dataset.kind == kind, Dataset.period == period)
    ).scalar_one_or_none()


def _delete(session: Session, kind: str, period: str) -> bool:
    dataset_id = _dataset_id(session, kind, period)
    if dataset_id is None:
        return False
    # Explicit child delete as well as ON DELETE CASCADE: correct even on a SQLite
    # connection opened without PRAGMA foreign_keys.
    table = _row_table(kind)
    session.execute(delete(table).where(table.c.dataset_id == dataset_id))
    session.execute(delete(Dataset).where(Dataset.id == dataset_id))
    return True


def delete_dataset(session: Session, kind: str, period: str) -> bool:
    """Delete dataset (kind, period) and its rows; False if there was none."""
    _kind_columns(kind)
    return _delete(session, kind, period)


def list_periods(session: Session, kind: str) -> list[str]:
    """Stored periods of ``kind``, oldest first (text order: ``YYYY-MM``, ``FY2024``)."""
    _kind_columns(kind)
    return sorted(session.execute(select(Dataset.period).where(Dataset.kind == kind)).scalars())


def load_frame(session: Session, kind: str, period: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """The canonical frame of (kind, period) and its period; the latest period when None.

    Rows come back in the order they were saved. If there is no such dataset the result
    is an empty canonical frame and ``None``.
    """
    if period is None:
        periods = list_periods(session, kind)
        if not periods:
            return empty_frame(kind), None
        period = periods[-1]
    table = _row_table(kind)
    dataset_id = _dataset_id(session, kind, period)
    if dataset_id is None:
        return empty_frame(kind), None
    columns = _kind_columns(kind)
    result = session.connection().execute(
        select(*(table.c[c.name] for c in columns)).where(table.c.dataset_id == dataset_id).order_by(table.c.id)
    )
    # Column-wise construction: several times faster than DataFrame.from_records on Row objects.
    values = list(zip(*result.all(), strict=True)) or [() for _ in columns]
    frame = pd.DataFrame(
        {c.name: pd.Series(col, dtype=_PANDAS_DTYPES[c.dtype]) for c, col in zip(columns, values, strict=True)}
    )
    return frame, period


def list_datasets(session: Session) -> pd.DataFrame:
    """All stored datasets, by kind and period, for import screens and the CLI.

    Columns: id, kind, period, source_file, rows, notes (one per line), imported_at [UTC].
    """
    records = session.execute(
        select(*(getattr(Dataset, c) for c in DATASET_COLUMNS)).order_by(Dataset.kind, Dataset.period)
    ).all()
    frame = pd.DataFrame.from_records(records, columns=list(DATASET_COLUMNS))
    frame = frame.astype(
        {
            "id": "int64",
            "kind": STR_DTYPE,
            "period": STR_DTYPE,
            "source_file": STR_DTYPE,
            "rows": "int64",
            "notes": STR_DTYPE,
        }
    )
    frame["imported_at"] = pd.to_datetime(frame["imported_at"], utc=True)
    return frame


def database_fingerprint(session: Session) -> str:
    """A short token that changes whenever any dataset, FTE override, practice group or staff register changes.

    Callers key in-memory caches on it. Dataset ids never repeat (AUTOINCREMENT on
    SQLite, a sequence on PostgreSQL), so max(id) moves on every save and the count on
    every delete; overrides contribute their count, latest update time and total FTE;
    groups their count, latest update time and number of members.
    """
    d_max, d_count = session.execute(select(func.max(Dataset.id), func.count(Dataset.id))).one()
    o_count, o_last, o_sum = session.execute(
        select(
            func.count(PracticeFteOverride.id),
            func.max(PracticeFteOverride.updated_at),
            func.sum(PracticeFteOverride.fte),
        )
    ).one()
    g_count, g_last = session.execute(select(func.count(PracticeGroup.id), func.max(PracticeGroup.updated_at))).one()
    members = session.scalar(select(func.count()).select_from(PracticeGroupMember))
    raw = f"{d_max}|{d_count}|{o_count}|{o_last}|{o_sum}|{g_count}|{g_last}|{members}"
    # Staff registers (issue 12) change capacity FTE too, and so does a new month (people start
    # and leave on dates already recorded), so the month counts when any register exists.
    r_count, r_last, r_sum = session.execute(
        select(func.count(StaffRecord.id), func.max(StaffRecord.updated_at), func.sum(StaffRecord.fte))
    ).one()
    if r_count:
        raw += f"|{r_count}|{r_last}|{r_sum}|{utc_now():%Y-%m}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


# --- FTE overrides --------------------------------------------------------------------------


def set_fte_override(session: Session, practice_code: str, role: str, fte: float | None, user: str) -> float | None:
    """Set (or, with ``fte=None``, remove) a user's FTE for one practice and role.

    Returns the previous override, or None if there was none.
    """
    if role not in ROLE_CODES:
        raise ValueError(f"unknown role {role!r}; expected one of {list(ROLE_CODES)}")
    if fte is not None and not (math.isfinite(fte) and fte >= 0):
        raise ValueError(f"FTE must be a finite number >= 0, got {fte!r}")
    query = (
        select(PracticeFteOverride)
        .where(PracticeFteOverride.practice_code == practice_code, PracticeFteOverride.role == role)
        .with_for_update()
    )
    existing = session.execute(query).scalar_one_or_none()
    if fte is not None and existing is None:
        try:
            with session.begin_nested():  # a savepoint: a lost race undoes only this insert
                session.add(
                    PracticeFteOverride(
                        practice_code=practice_code, role=role, fte=float(fte), updated_by=user, updated_at=utc_now()
                    )
                )
            return None
        except IntegrityError:
            # Another writer inserted this practice and role first: on PostgreSQL FOR UPDATE finds no
            # row to lock, so both inserted and the second hit the unique constraint. Update theirs.
            existing = session.execute(query).scalar_one()
    previous = existing.fte if existing is not None else None
    if fte is None:
        if existing is not None:
            session.delete(existing)
    elif existing is not None:
        existing.fte, existing.updated_by, existing.updated_at = float(fte), user, utc_now()
    session.flush()
    return previous


def load_fte_overrides(session: Session) -> pd.DataFrame:
    """All FTE overrides (practice_code, role, fte, updated_by, updated_at UTC), by practice and role."""
    records = session.execute(
        select(*(getattr(PracticeFteOverride, c) for c in OVERRIDE_COLUMNS)).order_by(
            PracticeFteOverride.practice_code, PracticeFteOverride.role
        )
    ).all()
    frame = pd.DataFrame.from_records(records, columns=list(OVERRIDE_COLUMNS))
    frame = frame.astype({"practice_code": STR_DTYPE, "role": STR_DTYPE, "fte": "float64", "updated_by": STR_DTYPE})
    frame["updated_at"] = pd.to_datetime(frame["updated_at"], utc=True)
    return frame
