"""Collecting bad cells so that one :class:`IngestError` lists them all.

Readers validate whole columns at once; every check records its bad cells here under the
file line and published column name, and :meth:`ProblemLog.raise_if_any` raises once.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable
from typing import SupportsIndex, cast

import pandas as pd

from gpworkforce.ingest.errors import IngestError, Problem

#: First data row is line 2 (the header is line 1); frames keep ``index = line - 2``.
FIRST_DATA_LINE = 2
#: How many problems per check are kept for the error message (the rest are only counted).
PROBLEMS_PER_CHECK = 10
#: Longest cell value echoed in a message; a damaged file can hold a 4 MB cell, which the
#: message names by its length rather than repeating it.
ECHO_CHARS = 80


def clip(value: str, limit: int = ECHO_CHARS) -> str:
    """``value`` as echoed in a message: whole if short, else its start and its length."""
    if len(value) <= limit:
        return value
    return f"{value[: limit - 3]}... ({len(value):,} characters)"


def constant(message: str) -> Callable[[str], str]:
    """A describe-callback that ignores the cell value (for "empty ..." style problems)."""
    return lambda _value: message


def line_of(index_label: Hashable) -> int:
    """1-based file line of a frame row read by ``files.read_columns`` (index = line - 2)."""
    return operator.index(cast(SupportsIndex, index_label)) + FIRST_DATA_LINE


class ProblemLog:
    """Collects bad cells across checks and raises them together as one :class:`IngestError`."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        """Record one problem (``row`` is a file line number); quote cell values with :func:`clip`."""
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
            value = "" if values is None else clip(str(values.loc[label]))
            self.items.append(Problem(line_of(label), column, describe(value)))

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        """Raise one error listing the earliest problems, if there were any."""
        if self.items:
            raise IngestError.from_problems(self.file, self.items, total=self.total)
