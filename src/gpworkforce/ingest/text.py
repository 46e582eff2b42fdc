"""How published names and labels are compared and cleaned.

NHS files vary case, dashes, spacing and byte-order marks between releases; these
functions make two spellings of the same header, label or code compare equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")


def header_key(name: str) -> str:
    """Header names are matched case-insensitively (``Data_source`` vs ``DATA_SOURCE``)."""
    return name.strip().lstrip("\ufeff").upper()


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
