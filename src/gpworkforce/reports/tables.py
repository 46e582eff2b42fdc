"""A report's tables as files: their download names, CSV text and the summary table.

The download names (``gap_roles``, ``benchmarks``...) are the web's URLs and the sheet names
of the Excel workbooks the web and the CLI write, so they are defined once here.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import pandas as pd

from gpworkforce.reports.source import ReportLike, summary_of, tables_of

#: download name -> (report kind, table in the report); "summary" is built from three reports.
TABLES: Final = {
    "summary": ("summary", ""),
    "categories": ("demand", "categories"),
    "age_bands": ("demand", "age_bands"),
    "capacity_roles": ("capacity", "roles"),
    "gap_roles": ("gap", "roles"),
    "benchmarks": ("benchmark", "staff_groups"),
    "children": ("children", "organisations"),
    "retirement": ("retirement", "practices"),
    "supply_fte": ("supply", "fte"),
    "supply_gap": ("supply", "gap"),
    "supply_age_bands": ("supply", "age_bands"),
}
_NAME_OF: Final = {source: name for name, source in TABLES.items()}


def download_name(kind: str, table: str) -> str:
    """The download (and sheet) name of table ``table`` of a ``kind`` report (its own name if none)."""
    return _NAME_OF.get((kind, table), table)


def named_tables(kind: str, report: ReportLike) -> dict[str, pd.DataFrame]:
    """Every table of a ``kind`` report under its download name, in the report's order."""
    return {download_name(kind, name): frame for name, frame in tables_of(report).items()}


def decimals_for(magnitude: float) -> int:
    """Decimals a figure of this size is shown with in a download: 1 from 100 up, 2 from 1, else 4
    (shares and small FTE keep their meaning; counts do not carry float noise)."""
    if magnitude >= 100:
        return 1
    if magnitude >= 1:
        return 2
    return 4


def _round_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value):
        return value
    if value.is_integer():
        return int(value)
    return round(value, decimals_for(abs(value)))


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as downloads show it: each figure rounded by its size (:func:`decimals_for`); a
    column of whole numbers (a year, a count) as integers; a column
    mixing kinds (the summary's values) value by value. Missing values stay empty."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            finite = series[np.isfinite(series)]
            if len(finite) and (finite == finite.round()).all():
                out[col] = series.round().astype("Int64")
            else:
                size = series.abs()
                out[col] = np.where(size >= 100, series.round(1), np.where(size >= 1, series.round(2), series.round(4)))
        elif series.dtype == object:
            out[col] = pd.Series([_round_value(v) for v in series], index=series.index, dtype=object)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV without the index, rounded as downloads show figures (:func:`rounded`)."""
    return rounded(frame).to_csv(index=False)


def summary_rows(
    gap: ReportLike, demand: ReportLike, capacity: ReportLike, baseline: ReportLike | None
) -> pd.DataFrame:
    """The summary cards as a table: measure, value, unit (and the baseline where it differs)."""
    g, d, c = summary_of(gap), summary_of(demand), summary_of(capacity)
    standard = f"at the {g['capacity_standard']} capacity standard"
    rows: list[tuple[str, str, Any, str]] = [
        ("year", "Year", g["year"], "year"),
        ("registered_patients", "Registered patients", d["registered_patients"], "patients"),
        ("appointments_per_year", "Appointments a year", d["appointments_per_year"], "appointments"),
        ("appointments_per_week", "Appointments a week", d["appointments_per_week"], "appointments"),
        ("demand_per_week", "Demand for clinical appointments a week", g["demand_per_week"], "appointments"),
        ("capacity_per_week", f"Capacity a week {standard}", g["capacity_per_week"], "appointment slots"),
        (
            "capacity_net_of_dna_per_week",
            "Capacity a week net of DNAs",
            c["capacity_net_of_dna_per_week"],
            "appointment slots",
        ),
        ("gap_per_week", f"Weekly gap (demand - capacity) {standard}", g["gap_per_week"], "appointments"),
        ("gap_share_of_demand", "Weekly gap, share of demand", g["gap_share_of_demand"], "share"),
        ("gp_demand_per_week", "GP demand a week", g["gp_demand_per_week"], "appointments"),
        ("gp_capacity_per_week", "GP capacity a week", g["gp_capacity_per_week"], "appointment slots"),
        ("gp_gap_per_week", "GP gap a week", g["gp_gap_per_week"], "appointments"),
        ("unassigned_per_week", "Work no role on the team can take, a week", g["unassigned_per_week"], "appointments"),
        (
            "shifted_from_gps_per_week",
            "Moved from GPs to other roles, a week",
            g["shifted_from_gps_per_week"],
            "appointments",
        ),
        ("fte_clinical", "Clinical FTE", c["fte_clinical"], "FTE"),
        (
            "gp_appointments_others_could_take_per_week",
            "GP appointments others could take, a week",
            d["gp_appointments_others_could_take_per_week"],
            "appointments",
        ),
        (
            "annual_cost_of_that_work_at_gp_rates",
            "That work a year at GP cost (PSSRU 2023/24 unit costs)",
            d["annual_cost_of_that_work_at_gp_rates"],
            "GBP a year",
        ),
        (
            "annual_cost_of_that_work_by_other_roles",
            "That work a year by the other roles that could take it",
            d["annual_cost_of_that_work_by_other_roles"],
            "GBP a year",
        ),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "label", "value", "unit"]).astype({"value": object})
    if baseline is not None:
        b = summary_of(baseline)
        frame["baseline"] = pd.Series([b.get(m) for m in frame["measure"]], dtype=object)
    return frame
