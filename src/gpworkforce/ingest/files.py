"""Reading a published CSV: open it, check its header, parse its body as text.

Every reader follows the same steps so that every bad file fails the same way:

1. :func:`read_header` reads line 1 (plain or gzipped CSV, UTF-8 with or without BOM).
2. :func:`resolve_columns` finds each canonical column under any of its published names
   and, when a required one is missing, says which other kind of file this looks like
   (from the header signatures in :mod:`~gpworkforce.ingest.catalogue`).
3. :func:`read_columns` parses the file as text (nothing guessed) and keeps those columns,
   with the frame index equal to ``line number - 2`` so any cell can be reported as
   "row N, column X".

:func:`open_source` does all three; the cells are then checked with :mod:`~gpworkforce.ingest.cells`.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
import pandas as pd

from gpworkforce.ingest.catalogue import sniff_header, title_of
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.problems import FIRST_DATA_LINE, ProblemLog
from gpworkforce.ingest.text import header_key

GZIP_MAGIC = b"\x1f\x8b"
#: Longest line read (bytes). Published lines are under 1 kB (the widest, ONS projections with
#: 101 year columns, 823 bytes; NHS detailed workforce CSVs a few kB), so a longer line is a
#: damaged file and is refused before pandas reads it: a 100 MB "cell" is never held in memory.
MAX_LINE_BYTES = 1 << 20
#: Longest cell kept (characters): practice, PCN and ICB names run to about 100 characters.
MAX_CELL_CHARS = 500
#: Bytes read at a time when scanning a file's lines.
SCAN_CHUNK = 1 << 20


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


def _column_in_line(path: Path, line: int, header: Sequence[str]) -> str | None:
    """The column whose cell runs past :data:`MAX_LINE_BYTES` on ``line`` (only the line's start is read)."""
    with open_binary(path) as fh:
        for _ in range(line - 1):
            fh.readline(MAX_LINE_BYTES + 1)
        start = fh.read(MAX_LINE_BYTES).decode("utf-8", errors="replace")
    # Count separators outside quotes by hand: the csv module refuses fields over 128 kB.
    position, quoted = 0, False
    for char in start:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            position += 1
    return header[position] if position < len(header) else None


def scan_lines(path: Path, header: Sequence[str]) -> int:
    """Check every line's length and that the file ends with a line break; returns the longest line.

    Reads the (decompressed) bytes in chunks, so neither check holds more than
    :data:`SCAN_CHUNK` in memory. Every file NHS England and ONS publish ends with a line
    break: a last line without one was cut mid-line (an interrupted download or copy), and
    its last cell may be a shortened number that would read as valid.
    """
    file = path.name
    line, current, longest = 1, 0, 0
    with open_binary(path) as fh:
        while chunk := fh.read(SCAN_CHUNK):
            breaks = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            if not len(breaks):
                current += len(chunk)
            else:
                lengths = np.diff(breaks, prepend=-1) - 1
                lengths[0] += current
                worst = int(np.argmax(lengths))
                longest = max(longest, int(lengths[worst]))
                current = len(chunk) - int(breaks[-1]) - 1
                if longest <= MAX_LINE_BYTES:
                    line += len(breaks)
                else:
                    line += worst
            if max(current, longest) > MAX_LINE_BYTES:
                column = _column_in_line(path, line, header)
                raise IngestError(
                    file,
                    f"line is longer than {MAX_LINE_BYTES:,} bytes: a damaged file (no published line is over a "
                    "few kB); refused without reading it",
                    row=line,
                    column=column,
                )
    if current:
        raise IngestError(
            file,
            "the file ends in the middle of a line (no line break after the last line): it was cut short, "
            "e.g. by an interrupted download; download it again",
            row=line,
        )
    return max(longest, current)


def check_cell_lengths(frame: pd.DataFrame, published: Mapping[str, str], file: str) -> None:
    """Refuse cells longer than :data:`MAX_CELL_CHARS` (a damaged file, not a name), clipped in the message."""
    problems = ProblemLog(file)
    for column in frame.columns:
        lengths = frame[column].str.len()
        problems.add_rows(
            lengths > MAX_CELL_CHARS,
            published.get(column, column),
            lambda v: f"cell is longer than {MAX_CELL_CHARS} characters: '{v}'",
            frame[column],
        )
    problems.raise_if_any()


def read_header(path: Path) -> list[str]:
    """Column names from line 1, stripped, so readers can check them before parsing the body."""
    file = _check_exists(path)
    try:
        with open_binary(path) as fh:
            raw = fh.readline(MAX_LINE_BYTES + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise IngestError(file, f"cannot decompress the header: {exc}", row=1) from exc
    if len(raw) > MAX_LINE_BYTES:
        raise IngestError(file, f"the header is longer than {MAX_LINE_BYTES:,} bytes: a damaged file", row=1)
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(file, f"the header is not UTF-8 text ({exc.reason})", row=1) from exc
    if not line.strip():
        raise IngestError(file, "no header: line 1 is blank", row=1)
    return [name.strip() for name in next(csv.reader([line]))]


def _a(title: str) -> str:
    """``a PCN ...`` / ``an IMD ...``."""
    return f"{'an' if title[:1].upper() in 'AEIOU' else 'a'} {title}"


def _sniff_header(header: Sequence[str]) -> str | None:
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
            f"this looks like {_a(title_of(other))} file (kind '{other}'), not {_a(title_of(kind))} "
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
    header = read_header(path)
    width = len(header)
    order = sorted(columns.items(), key=lambda item: item[1])
    positions = [position for _, position in order]
    names = [f"c{i}" for i in range(width)]
    try:
        longest = scan_lines(path, header)
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
    if longest > MAX_CELL_CHARS:
        check_cell_lengths(frame, {canonical: header[p] for canonical, p in order}, file)
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
