"""Checking and converting the cells of a column read as text.

Each function validates a whole column at once (vectorised, or over distinct values only)
and records every bad cell in a :class:`~gpworkforce.ingest.problems.ProblemLog` under its
published column name, so one error lists them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from gpworkforce.ingest.problems import PROBLEMS_PER_CHECK, ProblemLog, clip, line_of
from gpworkforce.ingest.text import norm_key
from gpworkforce.reference import import_ranges

#: Beyond this no published count, FTE or score is real, and float64 stops holding whole
#: numbers exactly (2**53 ~ 9.0e15): refused in every column, ranged or not.
LARGEST_NUMBER = 1e15


def to_number(
    frame: pd.DataFrame,
    column: str,
    problems: ProblemLog,
    *,
    published: str,
    integer: bool,
    allow_negative: bool = False,
    missing_markers: Iterable[str] = (),
    allow_empty: bool = False,
    plausible: tuple[str, str] | None = None,
) -> pd.Series:
    """Coerce a text column to float64, recording every bad cell under its published name.

    ``missing_markers`` (e.g. NHS ``NA``/``ND``) and, if allowed, empty cells become NaN:
    "no valid records" is not zero. Anything else that is not a finite number, a negative
    value (unless allowed) or a fraction in a whole-number column is a problem. So is a value
    above :data:`LARGEST_NUMBER`, and, with ``plausible=(kind, measure)``, a value outside that
    measure's range in ``reference/import_ranges.csv`` (``1e308`` FTE is a damaged cell, not a practice).
    """
    raw = frame[column]
    # Parse first (to_numeric ignores surrounding spaces); only the few cells that fail are
    # inspected as text, which keeps this fast on large columns.
    values = pd.to_numeric(raw, errors="coerce").astype("float64")
    failed = values.isna()
    text = raw[failed].str.strip()
    markers = {m.upper() for m in missing_markers}
    is_empty = pd.Series(False, index=raw.index)
    is_empty[failed] = (text == "").to_numpy()
    is_marker = pd.Series(False, index=raw.index)
    if markers:
        is_marker[failed] = text.str.upper().isin(markers).to_numpy()
    skip = is_marker | is_empty
    finite = np.isfinite(values.to_numpy())
    what = "a whole number" if integer else "a number"
    if not allow_empty:
        problems.add_rows(is_empty, published, lambda _v: f"empty value; expected {what}")
    bad = ~skip & ~pd.Series(finite, index=raw.index)
    problems.add_rows(bad, published, lambda v: f"'{v}' is not {what}", raw)
    good = ~skip & ~bad
    if not allow_negative:
        negative = good & (values < 0)
        problems.add_rows(negative, published, lambda v: f"'{v}' is negative", raw)
        good &= ~negative
    huge = good & (values.abs() > LARGEST_NUMBER)
    problems.add_rows(huge, published, lambda v: f"'{v}' is too large to be a real value (above 10^15)", raw)
    good &= ~huge
    if integer:
        problems.add_rows(good & (values % 1 != 0), published, lambda v: f"'{v}' is not {what}", raw)
    if plausible is not None:
        outside = good & out_of_range(values, plausible, problems, published=published, raw=raw)
        good &= ~outside
    return values.where(good)


def out_of_range(
    values: pd.Series, plausible: tuple[str, str], problems: ProblemLog, *, published: str, raw: pd.Series
) -> pd.Series:
    """Record (and return the mask of) values outside the plausible range of ``plausible`` =
    (kind, measure) in ``reference/import_ranges.csv``; missing values are not judged here."""
    low, high, unit = import_ranges()[plausible]
    outside = (values < low) | (values > high)
    problems.add_rows(
        outside,
        published,
        lambda v: (
            f"'{v}' is outside the plausible range {low:,.10g} to {high:,.10g} ({unit}; reference/import_ranges.csv)"
        ),
        raw,
    )
    return outside


def _translate(
    frame: pd.DataFrame, column: str, mapping: Mapping[str, str], problems: ProblemLog, published: str, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Factorize a label column and translate its distinct values: (row codes, code per
    distinct value or None); unknown labels are recorded as problems."""
    keyed = {norm_key(k): v for k, v in mapping.items()}
    codes, uniques = pd.factorize(frame[column], sort=False)
    translated = np.array([keyed.get(norm_key(str(u))) for u in uniques], dtype=object)
    unknown = np.array([t is None for t in translated], dtype=bool)
    if unknown.any():
        expected = sorted(dict.fromkeys(mapping))
        listing = ", ".join(expected[:12]) + (", ..." if len(expected) > 12 else "")
        mask = pd.Series(unknown[codes], index=frame.index, dtype=bool)
        problems.add_rows(
            mask, published, lambda v: f"'{v}' is not a known {what} (expected one of: {listing})", frame[column]
        )
    return codes, translated


def map_values(
    frame: pd.DataFrame,
    column: str,
    mapping: Mapping[str, str],
    problems: ProblemLog,
    *,
    published: str,
    what: str,
) -> pd.Series:
    """Translate published labels to codes via :func:`norm_key`; unknown labels are problems
    (and become ``''``). Works on the distinct values only, then broadcasts."""
    codes, translated = _translate(frame, column, mapping, problems, published, what)
    translated[[t is None for t in translated]] = ""
    return pd.Series(translated[codes] if len(codes) else [], index=frame.index, dtype=str)


def map_categorical(
    frame: pd.DataFrame,
    column: str,
    mapping: Mapping[str, str],
    categories: Sequence[str],
    problems: ProblemLog,
    *,
    published: str,
    what: str,
) -> pd.Categorical[str]:
    """Like :func:`map_values` but straight to an ordered categorical over ``categories``
    (no per-row strings are built; unknown labels become missing)."""
    codes, translated = _translate(frame, column, mapping, problems, published, what)
    position = {c: i for i, c in enumerate(categories)}
    lookup = np.array([position.get(t, -1) if t is not None else -1 for t in translated], dtype=np.int64)
    row_codes: np.ndarray[tuple[int], np.dtype[np.int64]] = lookup[codes] if len(codes) else np.zeros(0, np.int64)
    return pd.Categorical.from_codes(row_codes, categories=pd.Index(list(categories), dtype=str), ordered=True)


def check_unique(
    frame: pd.DataFrame,
    keys: Sequence[str],
    problems: ProblemLog,
    *,
    published: str | None,
    what: str,
) -> None:
    """Every later copy of a key is a problem naming the row of the first copy."""
    dup = frame.duplicated(list(keys), keep="first")
    if not dup.any():
        return
    first = pd.Series(frame.index, index=frame.index).groupby([frame[k] for k in keys]).transform("min")
    for label in frame.index[dup.to_numpy()][:PROBLEMS_PER_CHECK]:
        key = clip(", ".join(str(frame.at[label, k]) for k in keys))
        problems.add(line_of(label), published, f"duplicate {what} ({key}); first seen on row {line_of(first[label])}")
    problems.total += int(dup.sum()) - min(int(dup.sum()), PROBLEMS_PER_CHECK)


def ordered(series: pd.Series, categories: Sequence[str]) -> pd.Categorical:
    """Categorical in a fixed (nomenclature) order, for sorting and compact groupby; values
    outside ``categories`` (already reported as problems) become missing."""
    known = series.isin(list(categories))
    return pd.Categorical(series.where(known), categories=list(categories), ordered=True)


def as_text(series: pd.Series | pd.Categorical) -> pd.Series:
    """Back to the canonical plain ``str`` dtype (categoricals are an internal detail)."""
    return pd.Series(np.asarray(series, dtype=object), dtype=str)


def single_value(values: pd.Series, problems: ProblemLog, *, published: str, what: str) -> str | None:
    """The one value a column must hold throughout (e.g. the extract month); rows that
    disagree with the first row are problems."""
    if values.empty:
        return None
    first = str(values.iloc[0])
    problems.add_rows(
        values != first,
        published,
        lambda v: f"{what} '{v}' differs from the first row's '{first}'; one file must hold one {what}",
        values,
    )
    return first or None


def fmt_int(value: float) -> str:
    """Thousands-separated whole number for notes."""
    return f"{round(value):,}"
