"""Months and other periods, as cells, file names, page slugs and user arguments give them.

NHS files switch between date forms (``2026-07-01``, ``01JUL2026``, ``NOV2025``,
``01/07/2026``), file names and release pages name months in words or as ``YYYY-MM``, and
users pass ``--period``. Every reader and the downloader turn these into ``YYYY-MM`` here.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import numpy as np
import pandas as pd

from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.problems import ProblemLog

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
#: A stored month period, ``YYYY-MM``.
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T].*)?$")
_DMY_TEXT = re.compile(r"^(?:\d{1,2}[- ]?)?([A-Za-z]{3,9})[- ]?(\d{4})$")
_DMY_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

#: A month named in words in a file name, slug or title (``july-2026``, ``Oct_2025``,
#: ``November 2025``); a letter just before it (``decision-2026``) rules it out.
_NAMED_MONTH = re.compile(
    r"(?<![a-z])(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)[\s_-]*((?:19|20|21)\d{2})(?!\d)",
    re.IGNORECASE,
)
_ISO_MONTH = re.compile(r"(?<!\d)((?:19|20|21)\d{2})-(0[1-9]|1[0-2])(?!\d)")
_QOF_YEAR_DASH = re.compile(r"(?<!\d)(20\d{2})-(\d{2})(?!\d)")
_QOF_YEAR_PACKED = re.compile(r"(?<!\d)(\d{2})(\d{2})(?!\d)")


def parse_month(value: str) -> str | None:
    """``YYYY-MM`` from a cell: ``2026-07-01``, ``2026-07``, ``01Jul2026``, ``01JUL2026``,
    ``NOV2025`` or ``01/07/2026``; None if it is none of these."""
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


def month_in_name(text: str) -> str | None:
    """``YYYY-MM`` named somewhere in a file name, URL slug or page title: a month in words
    (``july-2026``, ``30-june-2026``, ``Oct 2025``, ``General Practice – November 2025 ...``),
    else ``YYYY-MM`` (``gpad-practice-mapping_2025-10.csv``); None when it names no month."""
    text = unquote(text)
    if m := _NAMED_MONTH.search(text):
        return f"{m.group(2)}-{MONTHS.index(m.group(1)[:3].upper()) + 1:02d}"
    if m := _ISO_MONTH.search(text):
        return f"{m.group(1)}-{m.group(2)}"
    return None


def check_period(period: str | None, *, file: str) -> str | None:
    """Validate a month period passed by the caller (``--period``)."""
    if period is None:
        return None
    if not MONTH.fullmatch(period):
        raise IngestError(file, f"period '{period}' is not of the form YYYY-MM")
    return period


def qof_period(name: str) -> str | None:
    """QOF year ``2024-25`` from ``qof-prevalence_2024-25.csv.gz`` or ``PREVALENCE_2425.csv``."""
    if (m := _QOF_YEAR_DASH.search(name)) and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
        return f"{m.group(1)}-{m.group(2)}"
    if m := _QOF_YEAR_PACKED.search(name):
        start, end = int(m.group(1)), int(m.group(2))
        if (start + 1) % 100 == end:
            return f"20{start:02d}-{end:02d}"
    return None


def check_qof_period(period: str | None, *, file: str) -> str | None:
    """Validate a QOF year passed by the caller (``2024-25``)."""
    if period is not None and not re.fullmatch(r"\d{4}-\d{2}", period):
        raise IngestError(file, f"period '{period}' is not a QOF year like 2024-25")
    return period
