"""Index of Multiple Deprivation score by GP practice (OHID Fingertips extract).

Fingertips publishes IMD at practice level as a population-weighted score of the
practice's registered patients' neighbourhoods; higher = more deprived. The copy in
shared data is a trimmed API extract (``PRACTICE_CODE, PRACTICE_NAME, IMD_YEAR, IMD_SCORE``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gpworkforce.ingest.cells import as_text, check_unique, single_value, to_number
from gpworkforce.ingest.files import open_source
from gpworkforce.ingest.problems import ProblemLog, constant
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.text import clean_code

KIND = "imd"

COLUMN_MAP: dict[str, str] = {
    "PRACTICE_CODE": "practice_code",
    "IMD_YEAR": "imd_year",
    "IMD_SCORE": "imd_score",
}
REQUIRED = ("practice_code", "imd_score")
PUBLISHED = {canonical: published for published, canonical in reversed(COLUMN_MAP.items())}


def read_imd(path: Path | str, period: str | None = None) -> IngestResult:
    """Practice IMD scores; period ``IMD<year>`` from ``IMD_YEAR`` (or the ``period`` argument).

    Empty scores (Fingertips suppresses some small practices) are left out and counted in
    the notes rather than read as 0, which would mean "least deprived".
    """
    path = Path(path)
    file = path.name
    frame, rows_read, _ = open_source(path, COLUMN_MAP, REQUIRED, kind=KIND, optional=("imd_year",))
    problems = ProblemLog(file)
    codes = clean_code(frame["practice_code"])
    problems.add_rows(codes == "", PUBLISHED["practice_code"], constant("empty practice code"))
    score = to_number(
        frame,
        "imd_score",
        problems,
        published=PUBLISHED["imd_score"],
        integer=False,
        allow_empty=True,
        plausible=(KIND, "imd_score"),
    )
    year = None
    if "imd_year" in frame:
        year = single_value(frame["imd_year"].str.strip(), problems, published=PUBLISHED["imd_year"], what="IMD year")
    data = pd.DataFrame({"practice_code": codes, "imd_score": score})
    check_unique(data, ["practice_code"], problems, published=PUBLISHED["practice_code"], what="practice")
    problems.raise_if_any()
    kept = data[data["imd_score"].notna()].sort_values("practice_code")
    out = pd.DataFrame(
        {"practice_code": as_text(kept["practice_code"]), "imd_score": kept["imd_score"].astype("float64").to_numpy()}
    )
    notes = [
        f"{len(out):,} practices; IMD score {out['imd_score'].min():.3f} to {out['imd_score'].max():.3f} "
        "(higher = more deprived)",
        "source: OHID Fingertips indicator 94240 (API extract trimmed to 4 columns)",
    ]
    if len(out) < len(data):
        notes.append(f"{len(data) - len(out):,} practices with no score left out")
    resolved = period or (f"IMD{year}" if year else None)
    return IngestResult(KIND, out, resolved, file, rows_read, tuple(notes))
