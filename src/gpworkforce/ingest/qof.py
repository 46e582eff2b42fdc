"""QOF disease registers and list sizes by practice (NHS England, Quality and Outcomes
Framework, ``PREVALENCE_YYYY.csv``).

``REGISTER`` is published as float text (``113.0``); ``PATIENT_LIST_TYPE`` says which
age-restricted list is the denominator (``TOTAL``, ``18OV`` ...), so it is kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gpworkforce.ingest.cells import as_text, check_unique, to_number
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.files import open_source
from gpworkforce.ingest.periods import check_qof_period, qof_period
from gpworkforce.ingest.problems import ProblemLog, constant
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.text import clean_code

KIND = "qof"

COLUMN_MAP: dict[str, str] = {
    "PRACTICE_CODE": "practice_code",
    "GROUP_CODE": "group_code",
    "REGISTER": "register",
    "PATIENT_LIST_TYPE": "list_type",
    "PRACTICE_LIST_SIZE": "list_size",
}
REQUIRED = ("practice_code", "group_code", "register", "list_type", "list_size")
PUBLISHED = {canonical: published for published, canonical in reversed(COLUMN_MAP.items())}


def read_qof(path: Path | str, period: str | None = None) -> IngestResult:
    """Registers per practice and register group; period ``YYYY-YY`` from the argument or file name."""
    path = Path(path)
    file = path.name
    period = check_qof_period(period, file=file) or qof_period(file)
    if period is None:
        raise IngestError(
            file,
            "the QOF year is not in the file name (the CSV has no date column): name the file as published, "
            "e.g. PREVALENCE_2425.csv or qof-prevalence_2024-25.csv",
        )
    frame, rows_read, _ = open_source(path, COLUMN_MAP, REQUIRED, kind=KIND)
    problems = ProblemLog(file)
    codes = clean_code(frame["practice_code"])
    groups = clean_code(frame["group_code"])
    list_type = clean_code(frame["list_type"])
    problems.add_rows(codes == "", PUBLISHED["practice_code"], constant("empty practice code"))
    problems.add_rows(groups == "", PUBLISHED["group_code"], constant("empty register group code"))
    register = to_number(
        frame, "register", problems, published=PUBLISHED["register"], integer=False, plausible=(KIND, "register")
    )
    list_size = to_number(
        frame, "list_size", problems, published=PUBLISHED["list_size"], integer=False, plausible=(KIND, "list_size")
    )
    data = pd.DataFrame(
        {
            "practice_code": codes,
            "group_code": groups,
            "register": register,
            "list_size": list_size,
            "list_type": list_type,
        }
    )
    check_unique(
        data,
        ["practice_code", "group_code"],
        problems,
        published=PUBLISHED["group_code"],
        what="practice/register group",
    )
    problems.raise_if_any()
    data = data.sort_values(["practice_code", "group_code"])
    out = pd.DataFrame(
        {
            "practice_code": as_text(data["practice_code"]),
            "group_code": as_text(data["group_code"]),
            "register": data["register"].astype("float64").to_numpy(),
            "list_size": data["list_size"].astype("float64").to_numpy(),
            "list_type": as_text(data["list_type"]),
        }
    )
    notes = (
        f"{out['practice_code'].nunique():,} practices; {out['group_code'].nunique()} register groups; "
        f"list types: {', '.join(sorted(out['list_type'].unique()))}",
        "prevalence = register / list_size of the row's list type (age-restricted for some registers)",
    )
    return IngestResult(KIND, out, period, file, rows_read, notes)
