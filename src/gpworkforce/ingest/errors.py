"""The one exception every reader raises for bad input.

Users fix published files by hand, so the message has to point at the exact cell:
file name, 1-based line number (header = row 1, first data row = row 2) and the
published column name. A reader validates a whole column at once and may find many
bad cells; it raises a single :class:`IngestError` that lists the first few and keeps
all of them (up to a cap) in :attr:`IngestError.problems`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: How many problems the message lists; ``IngestError.problems`` keeps them all (capped by the log).
MESSAGE_PROBLEM_LIMIT = 10
#: Longest problem text shown: a message that quotes a damaged cell (a 4 MB "name") must stay
#: readable, so anything longer is cut and its length said (values are clipped where quoted too).
PROBLEM_CHARS = 400


@dataclass(frozen=True)
class Problem:
    """One bad cell, row or file-level fault."""

    row: int | None
    column: str | None
    message: str

    def location(self) -> str:
        """``row 17, column X`` / ``row 17`` / ``column X`` / ``''``."""
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def describe(self) -> str:
        """Location and message, e.g. ``row 17, column X: 'abc' is not a whole number``."""
        where = self.location()
        text = self.message
        if len(text) > PROBLEM_CHARS:
            text = f"{text[: PROBLEM_CHARS - 3]}... ({len(text):,} characters)"
        return f"{where}: {text}" if where else text


class IngestError(Exception):
    """A published file could not be read into a canonical frame.

    ``row``, ``column`` and ``problem`` describe the first (earliest) problem; ``problems``
    holds every problem collected (sorted by row), ``total`` how many were found in all.
    """

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        problems: Sequence[Problem] | None = None,
        total: int | None = None,
    ) -> None:
        first = Problem(row, column, problem)
        self.file = file
        self.row = row
        self.column = column
        self.problem = problem
        self.problems: list[Problem] = list(problems) if problems else [first]
        self.total = max(total if total is not None else len(self.problems), len(self.problems))
        super().__init__(self._message())

    @classmethod
    def from_problems(cls, file: str, problems: Sequence[Problem], total: int | None = None) -> IngestError:
        """Build one error from several problems; the earliest row becomes ``row``/``column``."""
        if not problems:
            raise ValueError("from_problems needs at least one problem")
        ordered = sorted(problems, key=lambda p: (p.row is None, p.row or 0))
        first = ordered[0]
        return cls(file, first.message, row=first.row, column=first.column, problems=ordered, total=total)

    def _message(self) -> str:
        lines = [f"{self.file}: {self.problems[0].describe()}"]
        lines.extend(f"  also {p.describe()}" for p in self.problems[1:MESSAGE_PROBLEM_LIMIT])
        shown = min(len(self.problems), MESSAGE_PROBLEM_LIMIT)
        if self.total > shown:
            lines.append(f"  ... and {self.total - shown:,} more problem(s)")
        return "\n".join(lines)
