"""ONS national population projections for England (2022-based, principal projection).

The ONS workbook sheet ``Population_in_age_groups`` is wide (``Sex, Age, 2022 ... 2122``),
with ages ``0 - 4`` ... ``95 - 99``, ``100 - 104``, ``105 and over``. The canonical frame is
long and uses the GP registration bands, so ``95+`` = 95-99 + 100-104 + 105 and over.
The single-year-of-age sheet (``0`` ... ``104``, ``105 - 109``, ``110 and over``) has the
same header and is summed into the same bands. ``Persons`` rows are only used to check
that females + males add up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from gpworkforce.ingest.cells import as_text, fmt_int, map_values, ordered, to_number
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.files import read_columns, read_header, resolve_columns
from gpworkforce.ingest.problems import ProblemLog, line_of
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.text import header_key
from gpworkforce.nomenclature import AGE_BAND_LOWER, AGE_BANDS, SEXES

KIND = "population_projection"

COLUMN_MAP: dict[str, str] = {"Sex": "sex", "Age": "age"}
REQUIRED = ("sex", "age")
SEX_LABELS: dict[str, str] = {
    "Females": "female",
    "Males": "male",
    "Persons": "persons",
    "Female": "female",
    "Male": "male",
}
_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")
_OPEN = re.compile(r"^(\d+)\s*(?:\+|and over)$", re.IGNORECASE)
_SINGLE = re.compile(r"^(\d+)$")
_TOP = AGE_BAND_LOWER[-1]


def age_band(label: str) -> str | None:
    """Our 5-year band for an ONS age label (``0 - 4``, ``37``, ``105 and over``), or None if the
    label is not an age or straddles two of our bands."""
    text = label.strip()
    if m := _RANGE.match(text):
        low, high = int(m.group(1)), int(m.group(2))
    elif m := _OPEN.match(text):
        low, high = int(m.group(1)), 10_000
    elif m := _SINGLE.match(text):
        low = high = int(m.group(1))
    else:
        return None
    if high < low:
        return None
    index = min(low // 5, len(AGE_BANDS) - 1)
    if low < _TOP and high >= AGE_BAND_LOWER[index] + 5:
        return None
    return AGE_BANDS[index]


def read_population_projection(path: Path | str, period: str | None = None) -> IngestResult:
    """ONS projection sheet -> (year, sex, age_band, population); period ``ONS-NPP-<first year>``."""
    path = Path(path)
    file = path.name
    header = read_header(path)
    years = {h: int(m.group(1)) for h in header if (m := _YEAR.match(h.strip()))}
    column_map = {**COLUMN_MAP, **{h: f"y{y}" for h, y in years.items()}}
    positions = resolve_columns(header, column_map, REQUIRED, file=file, kind=KIND)
    if not years:
        raise IngestError(file, "no year columns (expected headers 2022, 2023, ...)", row=1)
    first_year, last_year = min(years.values()), max(years.values())
    gaps = sorted(set(range(first_year, last_year + 1)) - set(years.values()))
    if gaps:
        shown = ", ".join(str(y) for y in gaps[:10]) + (", ..." if len(gaps) > 10 else "")
        raise IngestError(
            file,
            f"year column(s) {shown} missing: ONS projections have one column for every year from "
            f"{first_year} to {last_year}, and a missing year would be read as no projection for it",
            row=1,
            column=str(gaps[0]),
        )
    frame = read_columns(path, positions)
    rows_read = int(frame.index.max()) + 1
    problems = ProblemLog(file)
    sex = map_values(frame, "sex", SEX_LABELS, problems, published="Sex", what="sex (Females, Males, Persons)")
    codes, uniques = pd.factorize(frame["age"])
    bands = np.array([age_band(str(u)) or "" for u in uniques], dtype=object)
    band = pd.Series(bands[codes], index=frame.index, dtype=str)
    problems.add_rows(
        band == "", "Age", lambda v: f"'{v}' is not an age or age group that fits one 5-year band", frame["age"]
    )
    year_columns = [f"y{y}" for y in sorted(years.values())]
    published = {f"y{y}": h for h, y in years.items()}
    values = {
        c: to_number(frame, c, problems, published=published[c], integer=False, plausible=(KIND, "population"))
        for c in year_columns
    }
    dup = pd.DataFrame({"sex": sex, "age": frame["age"].str.strip()}).duplicated()
    problems.add_rows(dup, "Age", lambda v: f"age '{v}' appears twice for the same sex", frame["age"])
    problems.raise_if_any()

    wide = pd.DataFrame(values, index=frame.index)
    wide["sex"] = sex
    wide["age_band"] = band
    summed = wide.groupby(["sex", "age_band"], sort=False)[year_columns].sum()
    _check_persons(summed, wide, problems, year_columns, published)
    for s in SEXES:
        have = set(summed.loc[s].index) if s in summed.index.get_level_values(0) else set()
        missing = [b for b in AGE_BANDS if b not in have]
        if missing:
            problems.add(None, "Age", f"{s} rows do not cover age band(s) {', '.join(missing)}")
    problems.raise_if_any()

    people = summed.loc[list(SEXES)].reset_index()
    long = people.melt(id_vars=["sex", "age_band"], var_name="year", value_name="population")
    long["year"] = long["year"].str.removeprefix("y").astype("int64")
    long["sex"] = ordered(long["sex"], SEXES)
    long["age_band"] = ordered(long["age_band"], AGE_BANDS)
    long = long.sort_values(["year", "sex", "age_band"]).reset_index(drop=True)
    out = pd.DataFrame(
        {
            "year": long["year"].to_numpy().astype("int64"),
            "sex": as_text(long["sex"]),
            "age_band": as_text(long["age_band"]),
            "population": long["population"].astype("float64").to_numpy(),
        }
    )
    first, last = min(years.values()), max(years.values())
    totals = out.groupby("year")["population"].sum()
    sample = [y for y in (first, 2026, 2030, 2035) if y in totals.index]
    notes = (
        f"years {first}-{last}; England resident population (not GP-registered); "
        + "; ".join(f"{y}: {fmt_int(totals[y])}" for y in sample),
        f"age band 95+ = every ONS age from 95 up ({', '.join(_top_labels(uniques))})",
        "Contains public sector information licensed under the Open Government Licence v3.0 (Office for "
        "National Statistics)",
    )
    return IngestResult(KIND, out, period or f"ONS-NPP-{first}", file, rows_read, notes)


def _top_labels(labels: Iterable[object]) -> list[str]:
    """The ONS labels folded into 95+, in age order (for the notes)."""
    top = {str(a).strip() for a in labels if age_band(str(a)) == AGE_BANDS[-1]}
    return sorted(top, key=_lower_age)


def _lower_age(label: str) -> int:
    m = re.match(r"\d+", label)
    return int(m.group(0)) if m else 0


def _check_persons(
    summed: pd.DataFrame,
    wide: pd.DataFrame,
    problems: ProblemLog,
    year_columns: list[str],
    published: dict[str, str],
) -> None:
    """Where ``Persons`` rows exist, they must equal females + males in every band and year."""
    if "persons" not in summed.index.get_level_values(0):
        return
    persons = summed.xs("persons", level="sex")[year_columns]
    present = set(summed.index.get_level_values(0))
    expected = np.zeros(persons.shape)
    for sex in SEXES:
        if sex in present:
            expected += summed.xs(sex, level="sex")[year_columns].reindex(persons.index).fillna(0).to_numpy()
    diff = np.abs(persons.to_numpy() - expected) > 0.5
    for i in np.flatnonzero(diff.any(axis=1))[:10]:
        band = persons.index[i]
        column = year_columns[int(np.argmax(diff[i]))]
        rows = wide.index[(wide["sex"] == "persons").to_numpy() & (wide["age_band"] == band).to_numpy()]
        problems.add(
            line_of(rows[0]) if len(rows) else None, published[column], f"Persons {band} is not Females + Males"
        )


def header_has_years(header: list[str]) -> bool:
    """Sniffing helper: the ONS sheets have ``Sex``, ``Age`` and 4-digit year columns."""
    keys = {header_key(h) for h in header}
    return {"SEX", "AGE"} <= keys and any(_YEAR.match(h.strip()) for h in header)
