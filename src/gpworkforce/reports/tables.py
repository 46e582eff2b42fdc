"""A report's tables as files: their download names, CSV text and the summary table.

The download names (``gap_roles``, ``benchmarks``...) are the web's URLs and the sheet names
of the Excel workbooks the web and the CLI write, so they are defined once here.
"""

from __future__ import annotations

from typing import Any, Final

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
}
_NAME_OF: Final = {source: name for name, source in TABLES.items()}


def download_name(kind: str, table: str) -> str:
    """The download (and sheet) name of table ``table`` of a ``kind`` report (its own name if none)."""
    return _NAME_OF.get((kind, table), table)


def named_tables(kind: str, report: ReportLike) -> dict[str, pd.DataFrame]:
    """Every table of a ``kind`` report under its download name, in the report's order."""
    return {download_name(kind, name): frame for name, frame in tables_of(report).items()}


def csv_text(frame: pd.DataFrame, float_format: str | None = None) -> str:
    """A table as CSV without the index (full precision unless ``float_format`` says otherwise)."""
    return frame.to_csv(index=False, float_format=float_format)


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
        ("capacity_net_of_dna_per_week", "Capacity a week net of DNAs", c["capacity_net_of_dna_per_week"], "slots"),
        ("gap_per_week", f"Weekly gap (demand - capacity) {standard}", g["gap_per_week"], "appointments"),
        ("gap_share_of_demand", "Weekly gap, share of demand", g["gap_share_of_demand"], "share"),
        ("gp_demand_per_week", "GP demand a week", g["gp_demand_per_week"], "appointments"),
        ("gp_capacity_per_week", "GP capacity a week", g["gp_capacity_per_week"], "slots"),
        ("gp_gap_per_week", "GP gap a week", g["gp_gap_per_week"], "appointments"),
        ("unassigned_per_week", "Work no role on the team can take, a week", g["unassigned_per_week"], "appointments"),
        ("shifted_from_gps_per_week", "Moved from GPs to other roles, a week", g["shifted_from_gps_per_week"], "appts"),
        ("fte_clinical", "Clinical FTE", c["fte_clinical"], "FTE"),
        (
            "gp_appointments_others_could_take_per_week",
            "GP appointments others could take, a week",
            d["gp_appointments_others_could_take_per_week"],
            "appointments",
        ),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "label", "value", "unit"])
    if baseline is not None:
        b = summary_of(baseline)
        frame["baseline"] = [b.get(m) for m in frame["measure"]]
    return frame
