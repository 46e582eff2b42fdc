"""Registered patients by practice, sex and 5-year age band (NHS England
"Patients Registered at a GP Practice", the ``gp-reg-pat-prac-quin-age`` CSV).

The file stacks every organisation level (GP, PCN, sub-ICB, ICB, region) and carries
total rows (``SEX=ALL``/``AGE_GROUP_5=ALL`` and per-sex ``AGE_GROUP_5=ALL``). Demand is
built from practices, so only ``ORG_TYPE == GP`` sex x band cells are kept; the total
rows are used to prove nothing was lost.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gpworkforce.ingest.cells import as_text, check_unique, fmt_int, out_of_range, single_value, to_number
from gpworkforce.ingest.files import open_source
from gpworkforce.ingest.periods import parse_months
from gpworkforce.ingest.problems import ProblemLog, line_of
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.text import clean_code
from gpworkforce.nomenclature import AGE_BANDS, SEXES

KIND = "patients"

#: Published header -> canonical column. ``ORG_TYPE``/``ORG_CODE`` were ``TYPE``/``CODE`` in
#: some older extracts of the same publication.
COLUMN_MAP: dict[str, str] = {
    "EXTRACT_DATE": "extract_date",
    "ORG_TYPE": "org_type",
    "TYPE": "org_type",
    "ORG_CODE": "practice_code",
    "CODE": "practice_code",
    "SEX": "sex",
    "AGE_GROUP_5": "age_band",
    "NUMBER_OF_PATIENTS": "patients",
}
REQUIRED = ("extract_date", "org_type", "practice_code", "sex", "age_band", "patients")
PUBLISHED = {canonical: published for published, canonical in reversed(COLUMN_MAP.items())}

PRACTICE_ORG_TYPE = "GP"
ALL = "ALL"
_SEX_CODES = {"FEMALE": "female", "MALE": "male", ALL: ALL}
_AGE_LABELS = (*AGE_BANDS, ALL)


def read_patients(path: Path | str) -> IngestResult:
    """Read the 5-year-band registration file into practice x sex x age-band counts.

    Raises IngestError for a wrong file, bad counts/labels, duplicate cells, or a practice
    whose sex x band cells do not add up to its published ``ALL/ALL`` total.
    """
    path = Path(path)
    file = path.name
    frame, rows_read, _ = open_source(path, COLUMN_MAP, REQUIRED, kind=KIND)
    problems = ProblemLog(file)

    months = parse_months(frame, "extract_date", problems, published=PUBLISHED["extract_date"])
    period = single_value(months[months != ""], problems, published=PUBLISHED["extract_date"], what="extract month")
    counts = to_number(frame, "patients", problems, published=PUBLISHED["patients"], integer=True)
    practices = clean_code(frame["org_type"]) == PRACTICE_ORG_TYPE
    # Aggregate rows (regions: millions) are not kept; only practice counts are held to the range.
    out_of_range(
        counts.where(practices), (KIND, "patients"), problems, published=PUBLISHED["patients"], raw=frame["patients"]
    )

    gp = frame.loc[practices, ["practice_code", "sex", "age_band"]].copy()
    gp["practice_code"] = clean_code(gp["practice_code"])
    gp["sex"] = clean_code(gp["sex"])
    gp["age_band"] = clean_code(gp["age_band"])
    gp["patients"] = counts[practices]
    problems.add_rows(gp["practice_code"] == "", PUBLISHED["practice_code"], lambda _v: "empty practice code")
    problems.add_rows(
        ~gp["sex"].isin(list(_SEX_CODES)),
        PUBLISHED["sex"],
        lambda v: f"'{v}' is not a sex (expected ALL, FEMALE or MALE)",
        gp["sex"],
    )
    problems.add_rows(
        ~gp["age_band"].isin(list(_AGE_LABELS)),
        PUBLISHED["age_band"],
        lambda v: f"'{v}' is not a 5-year age band (expected 0_4 ... 90_94, 95+ or ALL)",
        gp["age_band"],
    )
    problems.raise_if_any()
    if gp.empty:
        problems.add(None, PUBLISHED["org_type"], f"no rows with ORG_TYPE '{PRACTICE_ORG_TYPE}' (practices)")
        problems.raise_if_any()
    check_unique(
        gp,
        ["practice_code", "sex", "age_band"],
        problems,
        published=PUBLISHED["age_band"],
        what="practice/sex/age band",
    )
    problems.raise_if_any()

    cells = gp[(gp["sex"] != ALL) & (gp["age_band"] != ALL)]
    _check_totals(gp, cells, problems)
    problems.raise_if_any()

    long = _complete_grid(cells)
    total = float(long["patients"].sum())
    by_sex = long.groupby("sex", observed=True)["patients"].sum()
    n_practices = long["practice_code"].nunique()
    notes = (
        f"{n_practices:,} practices; {fmt_int(total)} registered patients "
        f"(female {fmt_int(by_sex.get('female', 0))}; male {fmt_int(by_sex.get('male', 0))})",
        f"kept {int(practices.sum()):,} of {rows_read:,} rows (ORG_TYPE GP); PCN, sub-ICB, ICB and "
        "region rows are aggregates of practices",
        "checked: every practice's sex x age-band cells sum to its published ALL/ALL total",
    )
    return IngestResult(KIND, long, period, file, rows_read, notes)


def _check_totals(gp: pd.DataFrame, cells: pd.DataFrame, problems: ProblemLog) -> None:
    """Compare band sums with the published totals (ALL/ALL and, where present, sex/ALL)."""
    sums = cells.groupby("practice_code")["patients"].sum()
    grand = gp[(gp["sex"] == ALL) & (gp["age_band"] == ALL)].set_index("practice_code")["patients"]
    grand_rows = pd.Series(
        gp.index[(gp["sex"] == ALL).to_numpy() & (gp["age_band"] == ALL).to_numpy()],
        index=grand.index,
    )
    practices = pd.Index(cells["practice_code"].unique()).union(grand.index)
    missing_total = practices.difference(grand.index)
    for code in missing_total[:10]:
        problems.add(None, "SEX", f"practice {code} has no SEX=ALL, AGE_GROUP_5=ALL total row")
    problems.total += max(len(missing_total) - 10, 0)
    both = grand.index.intersection(practices)
    diff = sums.reindex(both, fill_value=0.0) - grand.reindex(both)
    bad = diff[diff != 0]
    for code in bad.index[:10]:
        problems.add(
            line_of(grand_rows[code]),
            PUBLISHED["patients"],
            f"practice {code}: sex x age-band rows sum to {fmt_int(sums.get(code, 0))} but its ALL/ALL "
            f"row says {fmt_int(grand[code])}",
        )
    problems.total += max(len(bad) - 10, 0)
    # Per-sex totals (SEX=FEMALE/MALE, AGE_GROUP_5=ALL) exist in current files; check them too.
    sex_totals = gp[(gp["sex"] != ALL) & (gp["age_band"] == ALL)]
    if not sex_totals.empty:
        by_sex = cells.groupby(["practice_code", "sex"])["patients"].sum()
        keyed = sex_totals.set_index(["practice_code", "sex"])
        delta = by_sex.reindex(keyed.index, fill_value=0.0) - keyed["patients"]
        wrong = np.flatnonzero(delta.to_numpy() != 0)
        for i in wrong[:10]:
            code, sex = keyed.index[i]
            problems.add(
                line_of(sex_totals.index[i]),
                PUBLISHED["patients"],
                f"practice {code}: {sex} age-band rows sum to {fmt_int(by_sex.get((code, sex), 0))} but its "
                f"{sex}/ALL row says {fmt_int(keyed['patients'].iloc[i])}",
            )
        problems.total += max(len(wrong) - 10, 0)


def _complete_grid(cells: pd.DataFrame) -> pd.DataFrame:
    """Practice x sex x band in nomenclature order; a cell absent from the file is 0 patients."""
    practices = sorted(cells["practice_code"].unique())
    index = pd.MultiIndex.from_product(
        [practices, list(SEXES), list(AGE_BANDS)], names=["practice_code", "sex", "age_band"]
    )
    sexes = cells["sex"].map(_SEX_CODES)
    values = (
        cells.assign(sex=sexes)
        .set_index(["practice_code", "sex", "age_band"])["patients"]
        .reindex(index, fill_value=0.0)
    )
    return pd.DataFrame(
        {
            "practice_code": as_text(index.get_level_values(0).to_series()),
            "sex": as_text(index.get_level_values(1).to_series()),
            "age_band": as_text(index.get_level_values(2).to_series()),
            "patients": values.to_numpy().astype("int64"),
        }
    )
