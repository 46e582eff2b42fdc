"""Shared plumbing for the readers: opening files, checking headers, coercing columns.

Every reader follows the same steps so that every bad file fails the same way:

1. :func:`read_header` reads line 1 (plain or gzipped CSV, UTF-8 with or without BOM).
2. :func:`resolve_columns` finds each canonical column under any of its published names
   and, when a required one is missing, says which other kind of file this looks like.
3. :func:`read_columns` parses the file as text (nothing guessed) and keeps those columns,
   with the frame index equal to ``line number - 2`` so any cell can be reported as
   "row N, column X".
4. :func:`to_number` / :func:`map_values` validate whole columns at once (vectorised) and
   record bad cells in a :class:`ProblemLog`, which raises one :class:`IngestError`.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import operator
import re
import zlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, SupportsIndex, cast

import numpy as np
import pandas as pd

from gpworkforce.ingest.errors import IngestError, Problem

GZIP_MAGIC = b"\x1f\x8b"
#: First data row is line 2 (the header is line 1); frames keep ``index = line - 2``.
FIRST_DATA_LINE = 2
#: How many problems per check are kept for the error message (the rest are only counted).
PROBLEMS_PER_CHECK = 10


@dataclass(frozen=True, eq=False)
class IngestResult:
    """A canonical frame read from one published file (see docs/architecture.md).

    ``eq=False`` because DataFrames have no truth value; compare ``frame`` explicitly.
    """

    kind: str
    frame: pd.DataFrame
    period: str | None
    source_file: str
    rows_read: int
    notes: tuple[str, ...] = field(default=())


# --- problems ---------------------------------------------------------------------------


def constant(message: str) -> Callable[[str], str]:
    """A describe-callback that ignores the cell value (for "empty ..." style problems)."""
    return lambda _value: message


def line_of(index_label: Hashable) -> int:
    """1-based file line of a frame row read by :func:`read_columns` (index = line - 2)."""
    return operator.index(cast(SupportsIndex, index_label)) + FIRST_DATA_LINE


class ProblemLog:
    """Collects bad cells across checks and raises them together as one :class:`IngestError`."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        """Record one problem (``row`` is a file line number)."""
        self.total += 1
        self.items.append(Problem(row, column, message))

    def add_rows(
        self,
        mask: pd.Series,
        column: str | None,
        describe: Callable[[str], str],
        values: pd.Series | None = None,
    ) -> None:
        """Record every row where ``mask`` is true; messages are built for the first few only."""
        hits = mask.to_numpy(dtype=bool, na_value=False)
        count = int(hits.sum())
        if not count:
            return
        self.total += count
        labels = mask.index[hits][:PROBLEMS_PER_CHECK]
        for label in labels:
            value = "" if values is None else str(values.loc[label])
            self.items.append(Problem(line_of(label), column, describe(value)))

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        """Raise one error listing the earliest problems, if there were any."""
        if self.items:
            raise IngestError.from_problems(self.file, self.items, total=self.total)


# --- opening files ----------------------------------------------------------------------


def is_gzip(path: Path) -> bool:
    """Detect gzip by its magic bytes, not by the file name (NHS zips get renamed)."""
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_binary(path: Path) -> BinaryIO:
    """Open a CSV or gzipped CSV as bytes (gzip detected by magic bytes)."""
    if is_gzip(path):
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def _lines_before_failure(path: Path) -> int:
    """Count complete lines that decompress and decode cleanly, to locate a corrupt spot.

    Lines are decoded one at a time (not in blocks) so the count is exact.
    """
    lines = 0
    try:
        with open_binary(path) as fh:
            for raw in fh:
                if not raw.endswith(b"\n"):
                    return lines  # a last line cut short counts as the failure point
                raw.decode("utf-8-sig" if lines == 0 else "utf-8")
                lines += 1
    except (EOFError, OSError, zlib.error, UnicodeDecodeError):
        return lines
    return lines


def _check_exists(path: Path) -> str:
    file = path.name
    if not path.exists():
        raise IngestError(file, f"file not found: {path}")
    if path.is_dir():
        raise IngestError(file, f"is a folder, not a CSV file: {path}")
    if path.stat().st_size == 0:
        raise IngestError(file, "file is empty (0 bytes); expected a CSV header", row=1)
    return file


def read_header(path: Path) -> list[str]:
    """Column names from line 1, stripped, so readers can check them before parsing the body."""
    file = _check_exists(path)
    try:
        with open_binary(path) as fh:
            raw = fh.readline()
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise IngestError(file, f"cannot decompress the header: {exc}", row=1) from exc
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(file, f"the header is not UTF-8 text ({exc.reason})", row=1) from exc
    if not line.strip():
        raise IngestError(file, "no header: line 1 is blank", row=1)
    return [name.strip() for name in next(csv.reader([line]))]


def header_key(name: str) -> str:
    """Header names are matched case-insensitively (``Data_source`` vs ``DATA_SOURCE``)."""
    return name.strip().lstrip("\ufeff").upper()


def _kind_title(kind: str) -> str:
    from gpworkforce.ingest.catalogue import title_of  # lazy: the catalogue imports the readers

    return title_of(kind)


def _a(title: str) -> str:
    """``a PCN ...`` / ``an IMD ...``."""
    return f"{'an' if title[:1].upper() in 'AEIOU' else 'a'} {title}"


def _sniff_header(header: Sequence[str]) -> str | None:
    from gpworkforce.ingest.catalogue import sniff_header  # lazy: the catalogue imports the readers

    source = sniff_header(header)
    return source.kind if source else None


def resolve_columns(
    header: Sequence[str],
    column_map: Mapping[str, str],
    required: Iterable[str],
    *,
    file: str,
    kind: str,
) -> dict[str, int]:
    """Map canonical column -> position in the file, accepting every published spelling.

    ``column_map`` is ``published name -> canonical``; several published names may map to the
    same canonical column (renames over time). The first spelling listed for a canonical
    column is the one named in errors.
    """
    by_key: dict[str, str] = {header_key(k): v for k, v in column_map.items()}
    found: dict[str, int] = {}
    for position, name in enumerate(header):
        canonical = by_key.get(header_key(name))
        if canonical is not None and canonical not in found:
            found[canonical] = position
    missing = [c for c in dict.fromkeys(required) if c not in found]
    if not missing:
        return found
    preferred: dict[str, str] = {}
    for published, canonical in column_map.items():
        preferred.setdefault(canonical, published)
    column = preferred.get(missing[0], missing[0])
    other = _sniff_header(header)
    if other is not None and other != kind:
        names = ", ".join(preferred.get(m, m) for m in missing[:5])
        raise IngestError(
            file,
            f"this looks like {_a(_kind_title(other))} file (kind '{other}'), not {_a(_kind_title(kind))} "
            f"file; missing column(s) {names}",
            row=1,
            column=column,
        )
    close = difflib.get_close_matches(column, list(header), n=1, cutoff=0.75)
    hint = f"; did you mean '{close[0]}' (renamed?)" if close else ""
    shown = ", ".join(header[:30]) + (", ..." if len(header) > 30 else "")
    also = f" (also missing: {', '.join(preferred.get(m, m) for m in missing[1:6])})" if missing[1:] else ""
    raise IngestError(
        file,
        f"required column {column} is missing{hint}{also}; found columns: {shown}",
        row=1,
        column=column,
    )


def read_columns(path: Path, columns: Mapping[str, int]) -> pd.DataFrame:
    """Read the given positions as text; frame columns are the canonical names.

    Nothing is guessed: every cell is the string as written (``read_csv(dtype="category")``
    would turn ``007`` into 7), empty cells are ``''``, fully blank lines are dropped, and the
    index is ``line - 2`` so problems can name the file line. All columns are parsed (not
    just the wanted ones) so that a row with more fields than the header (an unquoted comma)
    is an error instead of silently shifting values; a short row reads as empty trailing
    cells, which the column checks report.
    """
    file = path.name
    width = len(read_header(path))
    order = sorted(columns.items(), key=lambda item: item[1])
    positions = [position for _, position in order]
    names = [f"c{i}" for i in range(width)]
    try:
        frame = pd.read_csv(
            path,
            compression="gzip" if is_gzip(path) else None,
            encoding="utf-8-sig",
            header=None,
            skiprows=1,
            names=names,
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        good = _lines_before_failure(path)
        raise IngestError(
            file,
            f"compressed data ends unexpectedly or is corrupt after {good:,} complete line(s) "
            f"(truncated download?): {exc}",
            row=good + 1,
        ) from exc
    except UnicodeDecodeError as exc:
        good = _lines_before_failure(path)
        raise IngestError(file, f"not UTF-8 text ({exc.reason})", row=good + 1) from exc
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) if match else None
        raise IngestError(file, f"malformed CSV: {exc}", row=row) from exc
    except pd.errors.EmptyDataError as exc:
        raise IngestError(file, "file is empty; expected a CSV header", row=1) from exc
    frame = frame.iloc[:, positions]
    frame.columns = pd.Index([canonical for canonical, _ in order])
    if len(frame):
        # A blank line has an empty first field; only those few rows need the full check.
        candidates = frame.index[(frame.iloc[:, 0] == "").to_numpy()]
        if len(candidates):
            blank = candidates[(frame.loc[candidates] == "").all(axis=1).to_numpy()]
            frame = frame.drop(index=blank)
    if frame.empty:
        raise IngestError(file, "no data rows after the header", row=FIRST_DATA_LINE)
    return frame


def open_source(
    path: Path | str,
    column_map: Mapping[str, str],
    required: Iterable[str],
    *,
    kind: str,
    optional: Iterable[str] = (),
) -> tuple[pd.DataFrame, int, list[str]]:
    """Header check + read in one call: returns (frame, data rows read, header)."""
    path = Path(path)
    header = read_header(path)
    required = list(required)
    positions = resolve_columns(header, column_map, required, file=path.name, kind=kind)
    wanted = set(required) | set(optional)
    frame = read_columns(path, {c: p for c, p in positions.items() if c in wanted})
    rows_read = int(frame.index.max()) + 1 if len(frame) else 0
    return frame, rows_read, header


# --- text --------------------------------------------------------------------------------

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")


def norm_key(value: str) -> str:
    """Lookup key for published labels: case, dashes, repeated spaces and spaces around '/'
    vary between NHS files (``8  to 14 Days``, ``Unknown / Data Issue``)."""
    text = _SPACES.sub(" ", value.translate(_DASHES).replace("\ufeff", "")).strip().casefold()
    return _SLASH.sub("/", text)


def per_unique(series: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a string transform to the distinct values only, then broadcast.

    Code and label columns have a few thousand distinct values over hundreds of thousands
    of rows, and pandas string methods are per-element Python loops.
    """
    codes, uniques = pd.factorize(series, sort=False)
    if len(uniques) == 0:
        return series.astype(str)
    mapped = func(pd.Series(np.asarray(uniques, dtype=object), dtype=str)).to_numpy(dtype=object)
    return pd.Series(mapped[codes], index=series.index, dtype=str)


def clean_code(series: pd.Series) -> pd.Series:
    """Organisation codes: trimmed and upper-case (``a81001 `` and ``A81001`` are one practice)."""
    return per_unique(series, lambda s: s.str.strip().str.upper())


def clean_text(series: pd.Series) -> pd.Series:
    """Names: trimmed, inner runs of whitespace collapsed."""
    return per_unique(series, lambda s: s.str.strip().str.replace(_SPACES, " ", regex=True))


# --- numbers -----------------------------------------------------------------------------


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
) -> pd.Series:
    """Coerce a text column to float64, recording every bad cell under its published name.

    ``missing_markers`` (e.g. NHS ``NA``/``ND``) and, if allowed, empty cells become NaN:
    "no valid records" is not zero. Anything else that is not a finite number, a negative
    value (unless allowed) or a fraction in a whole-number column is a problem.
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
        problems.add_rows(good & (values < 0), published, lambda v: f"'{v}' is negative", raw)
    if integer:
        problems.add_rows(good & (values % 1 != 0), published, lambda v: f"'{v}' is not {what}", raw)
    return values.where(good)


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
        key = ", ".join(str(frame.at[label, k]) for k in keys)
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


# --- periods -----------------------------------------------------------------------------

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTH_NAMES = (
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T].*)?$")
_DMY_TEXT = re.compile(r"^(?:\d{1,2}[- ]?)?([A-Za-z]{3,9})[- ]?(\d{4})$")
_DMY_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_month(value: str) -> str | None:
    """``YYYY-MM`` from ``2026-07-01``, ``2026-07``, ``01Jul2026``, ``01JUL2026``, ``NOV2025`` or
    ``01/07/2026``; None if it is none of these. NHS files switch between these forms."""
    text = value.strip()
    year: int
    month: int
    if m := _ISO.match(text):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _DMY_TEXT.match(text):
        name = m.group(1).upper()
        if name in MONTHS:
            month = MONTHS.index(name) + 1
        elif name in MONTH_NAMES:
            month = MONTH_NAMES.index(name) + 1
        else:
            return None
        year = int(m.group(2))
    elif m := _DMY_SLASH.match(text):
        year, month = int(m.group(3)), int(m.group(2))
    else:
        return None
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        return None
    return f"{year:04d}-{month:02d}"


def parse_months(frame: pd.DataFrame, column: str, problems: ProblemLog, *, published: str) -> pd.Series:
    """Vectorised :func:`parse_month` (distinct values only); unparseable cells are problems."""
    codes, uniques = pd.factorize(frame[column], sort=False)
    parsed = np.array([parse_month(str(u)) for u in uniques], dtype=object)
    bad = np.array([p is None for p in parsed], dtype=bool)
    if bad.any():
        mask = pd.Series(bad[codes], index=frame.index)
        problems.add_rows(
            mask,
            published,
            lambda v: f"'{v}' is not a month (expected e.g. 2025-11-01, 01NOV2025 or NOV2025)",
            frame[column],
        )
        parsed[bad] = ""
    return pd.Series(parsed[codes], index=frame.index, dtype=str)


_FILE_MONTH = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?!\d)")
_FILE_MONTH_NAME = re.compile(
    r"(JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)[ _-]*(\d{4})",
    re.IGNORECASE,
)


def period_from_filename(name: str) -> str | None:
    """``YYYY-MM`` from names like ``gpad-practice-mapping_2025-10.csv`` or
    ``General Practice – November 2025 Practice Level - Detailed.csv``."""
    for m in _FILE_MONTH.finditer(name):
        if 1 <= int(m.group(2)) <= 12:
            return f"{m.group(1)}-{m.group(2)}"
    if m2 := _FILE_MONTH_NAME.search(name):
        return f"{m2.group(2)}-{MONTH_NAMES.index(m2.group(1).upper()) + 1:02d}"
    return None


def check_period(period: str | None, *, file: str, pattern: str = r"\d{4}-(0[1-9]|1[0-2])") -> str | None:
    """Validate a period passed by the caller (``--period``)."""
    if period is None:
        return None
    if not re.fullmatch(pattern, period):
        raise IngestError(file, f"period '{period}' is not of the form YYYY-MM")
    return period


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
