"""How canonical frames are stored in the bundled snapshot, and read back exactly.

To stay small, some frames are stored **wide** (one column per value of a key, e.g. one
column per appointment status or month); blank cells are combinations absent from the
source, a written 0 is a real zero. Files are gzipped CSV written deterministically
(sorted rows, ``\\n`` line ends, gzip mtime 0), so the same frames give the same bytes.
Columns, dtypes and row order come from :data:`gpworkforce.frames.FRAMES`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gpworkforce.frames import FRAMES
from gpworkforce.ingest.cells import ordered
from gpworkforce.nomenclature import AGE_BANDS, APPT_STATUSES, SEXES

FORMAT_VERSION = 1
MANIFEST = "MANIFEST.json"
ATTRIBUTION = "ATTRIBUTION.md"
README = "README.md"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "snapshot"

#: Canonical columns and dtypes per kind, in column order.
SCHEMAS: dict[str, dict[str, str]] = {kind: dict(schema.dtypes) for kind, schema in FRAMES.items()}

#: Wide storage: key column spread into columns, and the order of those columns.
WIDE: dict[str, tuple[str, str, Sequence[str] | None]] = {
    # kind: (spread column, value column, column order or None = sorted)
    "patients": ("sex_age", "patients", [f"{s}|{b}" for s in SEXES for b in AGE_BANDS]),
    "appointments": ("status", "appointments", APPT_STATUSES),
    "subicb_appointments": ("month", "appointments", None),
}


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_order(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Sort rows as the reader does (nomenclature order for coded columns)."""
    spec = FRAMES[kind].order
    if not spec:
        return frame.reset_index(drop=True)
    keys = pd.DataFrame(
        {col: (ordered(frame[col], cats) if cats is not None else frame[col]) for col, cats in spec},
        index=frame.index,
    )
    order = keys.sort_values([c for c, _ in spec], kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def to_wide(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    spread, value, columns = WIDE[kind]
    data = frame
    if kind == "patients":
        data = frame.assign(sex_age=frame["sex"] + "|" + frame["age_band"]).drop(columns=["sex", "age_band"])
    index = [c for c in data.columns if c not in (spread, value)]
    wide = data.pivot(index=index, columns=spread, values=value)
    order = list(columns) if columns is not None else sorted(wide.columns)
    wide = wide.reindex(columns=[c for c in order if c in wide.columns]).astype("Int64")
    wide.columns.name = None
    return wide.reset_index()


def from_wide(wide: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Inverse of :func:`to_wide`: one long row per non-blank cell, row-major."""
    spread, value, _ = WIDE[kind]
    schema = SCHEMAS[kind]
    index = [c for c in schema if c in wide.columns]
    spread_columns = [c for c in wide.columns if c not in index]
    cells = wide[spread_columns].to_numpy(dtype=np.float64)
    rows, cols = np.nonzero(~np.isnan(cells))
    labels = np.asarray(spread_columns, dtype=object)[cols]
    out: dict[str, Any] = {c: wide[c].to_numpy(dtype=object)[rows] for c in index}
    if kind == "patients":
        split = [label.split("|", 1) for label in spread_columns]
        out["sex"] = np.asarray([a for a, _ in split], dtype=object)[cols]
        out["age_band"] = np.asarray([b for _, b in split], dtype=object)[cols]
    else:
        out[spread] = labels
    out[value] = cells[rows, cols]
    return pd.DataFrame(out)


def encode(frame: pd.DataFrame) -> bytes:
    """Deterministic gzipped CSV (``\\n`` line ends, shortest round-trip floats, mtime 0)."""
    text = frame.to_csv(index=False, lineterminator="\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buffer.getvalue()


def typed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Columns in canonical order and dtypes."""
    out: dict[str, Any] = {}
    for column, dtype in SCHEMAS[kind].items():
        values = frame[column]
        if dtype == "str":
            out[column] = values if values.dtype == "str" else pd.Series(values.to_numpy(dtype=object), dtype=str)
        else:
            out[column] = values.to_numpy().astype(dtype)
    return pd.DataFrame(out)


def read_stored(path: Path, kind: str, layout: str) -> pd.DataFrame:
    """Read a snapshot CSV with the right dtype per column (blank = NaN only in float columns)."""
    header = pd.read_csv(path, compression="gzip", nrows=0).columns
    schema = SCHEMAS[kind]
    dtypes: dict[str, Any] = {}
    blanks: dict[str, list[str]] = {}
    for column in header:
        dtype = "str" if column == "period" else schema.get(column, "float64")
        if dtype == "int64" and layout == "wide":
            dtype = "float64"
        dtypes[column] = str if dtype == "str" else dtype
        if dtype == "float64":
            blanks[column] = [""]
    return pd.read_csv(path, compression="gzip", dtype=dtypes, keep_default_na=False, na_values=blanks)


def frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Exact equality of two canonical frames (values, dtypes, order); NaN equals NaN."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    for column in a.columns:
        x, y = a[column], b[column]
        if x.dtype != y.dtype:
            return False
        if x.dtype.kind == "f":
            if not np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=True):
                return False
        elif not np.array_equal(x.to_numpy(dtype=object), y.to_numpy(dtype=object)):
            return False
    return True
