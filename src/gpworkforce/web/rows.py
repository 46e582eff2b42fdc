"""Report tables as plain rows for templates and charts."""

from __future__ import annotations

from typing import Any

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as dicts of plain Python values, like ``to_dict("records")`` but ~10x faster.

    Why: tables on a page have a few to a few hundred rows, and pandas' own conversion (or
    sorting and filtering a dozen rows through pandas) boxes every cell; on a cold scenario
    that was a large part of the server time.
    """
    columns = [str(c) for c in frame.columns]
    values = [frame[c].tolist() for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
