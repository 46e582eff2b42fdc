"""PCN-employed staff (NHS England "Primary Care Network Workforce", individual-level CSV).

One row per person-role (or per contracted service), so FTE is summed and headcount is the
number of distinct ``UNIQUE_IDENTIFIER`` values per PCN and staff role: counting rows
would double-count people with several roles. Contracted-services rows carry no
identifier (the collection holds no personal data for them), so they add FTE but no
headcount.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gpworkforce.ingest.cells import as_text, fmt_int, map_values, single_value, to_number
from gpworkforce.ingest.files import open_source
from gpworkforce.ingest.problems import ProblemLog, constant
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.text import clean_code
from gpworkforce.nomenclature import PCN_STAFF_ROLE_TO_ROLE

KIND = "pcn_workforce"

#: Published header -> canonical. The definitions sheet says DATA_SOURCE/YEAR/MONTH, the CSV
#: ``Data_source``/``CENSUS_YEAR``/``CENSUS_MONTH`` (headers match case-insensitively).
COLUMN_MAP: dict[str, str] = {
    "DATA_SOURCE": "data_source",
    "CENSUS_YEAR": "year",
    "YEAR": "year",
    "CENSUS_MONTH": "month",
    "MONTH": "month",
    "PCN_CODE": "pcn_code",
    "STAFF_GROUP": "staff_group",
    "STAFF_ROLE": "staff_role",
    "FTE": "fte",
    "UNIQUE_IDENTIFIER": "person",
}
REQUIRED = ("year", "month", "pcn_code", "staff_role", "fte", "person")
PUBLISHED = {canonical: published for published, canonical in reversed(COLUMN_MAP.items())}


def read_pcn_workforce(path: Path | str) -> IngestResult:
    """Individual-level CSV -> FTE and headcount per (PCN, NHS staff role) with our role code.

    An unknown ``STAFF_ROLE`` is an error (extend ``nomenclature.PCN_STAFF_ROLE_TO_ROLE``),
    so that new NHS roles are never silently dropped from capacity.
    """
    path = Path(path)
    file = path.name
    frame, rows_read, _ = open_source(path, COLUMN_MAP, REQUIRED, kind=KIND, optional=("data_source",))
    problems = ProblemLog(file)
    year = to_number(frame, "year", problems, published=PUBLISHED["year"], integer=True)
    month = to_number(frame, "month", problems, published=PUBLISHED["month"], integer=True)
    problems.add_rows(
        month.notna() & ((month < 1) | (month > 12)),
        PUBLISHED["month"],
        lambda v: f"'{v}' is not a month number (1-12)",
        frame["month"],
    )
    fte = to_number(frame, "fte", problems, published=PUBLISHED["fte"], integer=False, plausible=(KIND, "fte"))
    pcn = clean_code(frame["pcn_code"])
    problems.add_rows(pcn == "", PUBLISHED["pcn_code"], constant("empty PCN code"))
    # Key the lookup on the NHS spelling so the output keeps it whatever the file's case/dashes.
    canonical_roles = {name: name for name in PCN_STAFF_ROLE_TO_ROLE}
    staff_role = map_values(
        frame,
        "staff_role",
        canonical_roles,
        problems,
        published=PUBLISHED["staff_role"],
        what="PCN staff role (add it to nomenclature.PCN_STAFF_ROLE_TO_ROLE)",
    )
    ok = year.notna() & month.notna() & month.between(1, 12)
    stamps = year[ok].astype("int64").astype(str) + "-" + month[ok].astype("int64").astype(str).str.zfill(2)
    period = single_value(stamps, problems, published=PUBLISHED["month"], what="census month")
    problems.raise_if_any()

    person = frame["person"].str.strip()
    data = pd.DataFrame({"pcn_code": pcn, "staff_role": staff_role, "fte": fte, "person": person.where(person != "")})
    grouped = data.groupby(["pcn_code", "staff_role"], sort=True)
    out = grouped.agg(fte=("fte", "sum"), headcount=("person", "nunique")).reset_index()
    frame_out = pd.DataFrame(
        {
            "pcn_code": as_text(out["pcn_code"]),
            "staff_role": as_text(out["staff_role"]),
            "role": as_text(out["staff_role"].map(PCN_STAFF_ROLE_TO_ROLE)),
            "fte": out["fte"].astype("float64").to_numpy(),
            "headcount": out["headcount"].astype("int64").to_numpy(),
        }
    )
    people = int(person[person != ""].nunique())
    repeated = int(
        pd.DataFrame({"pcn": pcn, "role": frame["staff_role"], "fte": fte, "person": person}).duplicated().sum()
    )
    no_id = int((person == "").sum())
    notes = (
        f"{frame_out['pcn_code'].nunique():,} PCNs; total FTE {frame_out['fte'].sum():,.1f}; "
        f"{people:,} distinct people",
        "headcount = distinct UNIQUE_IDENTIFIER per PCN and staff role; summed over roles/PCNs it counts a "
        f"person once per role and PCN ({fmt_int(frame_out['headcount'].sum())} vs {people:,} people)",
        f"{no_id:,} rows have no UNIQUE_IDENTIFIER (contracted services): FTE only, no headcount",
        f"{repeated:,} rows repeat another row exactly (PCN, staff role, FTE, identifier): the publisher lists one "
        "row per post or contracted service, so they are summed, not dropped",
    )
    return IngestResult(KIND, frame_out, period, file, rows_read, notes)
