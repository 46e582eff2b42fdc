"""What every reader returns: one canonical frame and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True, eq=False)
class IngestResult:
    """A canonical frame read from one published file (columns in :mod:`gpworkforce.frames`).

    ``eq=False`` because DataFrames have no truth value; compare ``frame`` explicitly.
    """

    kind: str
    frame: pd.DataFrame
    period: str | None
    source_file: str
    rows_read: int
    notes: tuple[str, ...] = field(default=())
