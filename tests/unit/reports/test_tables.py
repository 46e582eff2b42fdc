"""Unit: download names, the summary table and the JSON form of reports/."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gpworkforce.reports import source, tables
from gpworkforce.services.results import GapReport, GapSummary, OrgInfo

GAP = {
    "year": 2030,
    "demand_per_week": 100.0,
    "capacity_per_week": 90.0,
    "gap_per_week": 10.0,
    "gap_share_of_demand": 0.1,
    "gp_demand_per_week": 50.0,
    "gp_capacity_per_week": 45.0,
    "gp_gap_per_week": 5.0,
    "unassigned_per_week": 1.0,
    "shifted_from_gps_per_week": 2.0,
    "capacity_standard": "safe",
}
DEMAND = {
    "registered_patients": 1000,
    "appointments_per_year": 5200.0,
    "appointments_per_week": 100.0,
    "gp_appointments_others_could_take_per_week": 7.0,
    "annual_cost_of_that_work_at_gp_rates": 24_000.0,
    "annual_cost_of_that_work_by_other_roles": 15_000.0,
}
CAPACITY = {"capacity_net_of_dna_per_week": 85.0, "fte_clinical": 3.5}


@dataclass
class FakeSummary:
    values: dict[str, Any]

    def model_dump(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass
class FakeReport:
    """What reports/ reads of a services report (source.ReportLike)."""

    title: str
    org: dict[str, Any]
    summary: FakeSummary
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        return self.tables


def _report(summary: dict[str, Any], frames: dict[str, pd.DataFrame] | None = None) -> FakeReport:
    return FakeReport(
        "T", {"code": "X1", "name": "N", "label": "N PCN"}, FakeSummary(summary), frames or {}, ["a note"]
    )


def test_summary_rows_take_each_measure_from_its_report() -> None:
    frame = tables.summary_rows(_report(GAP), _report(DEMAND), _report(CAPACITY), None)
    values = dict(zip(frame["measure"], frame["value"], strict=True))
    assert values["registered_patients"] == 1000 and values["fte_clinical"] == 3.5
    assert values["capacity_net_of_dna_per_week"] == 85.0 and values["gap_per_week"] == 10.0
    assert list(frame.columns) == ["measure", "label", "value", "unit"]
    labels = dict(zip(frame["measure"], frame["label"], strict=True))
    assert labels["gap_per_week"].endswith("at the safe capacity standard")
    assert labels["capacity_per_week"].endswith("at the safe capacity standard")


def test_summary_units_use_one_vocabulary() -> None:
    """Demand and gaps in appointments, capacity in appointment slots: no "appts" or bare "slots"."""
    frame = tables.summary_rows(_report(GAP), _report(DEMAND), _report(CAPACITY), None)
    assert set(frame["unit"]) <= {"year", "patients", "appointments", "appointment slots", "share", "FTE", "GBP a year"}
    units = dict(zip(frame["measure"], frame["unit"], strict=True))
    assert units["shifted_from_gps_per_week"] == "appointments"
    assert units["gp_capacity_per_week"] == units["capacity_net_of_dna_per_week"] == "appointment slots"


def test_summary_rows_add_the_baseline_when_given() -> None:
    baseline = _report({**GAP, "gap_per_week": 3.0})
    frame = tables.summary_rows(_report(GAP), _report(DEMAND), _report(CAPACITY), baseline)
    row = frame.set_index("measure").loc["gap_per_week"]
    assert (row["value"], row["baseline"]) == (10.0, 3.0)
    assert pd.isna(frame.set_index("measure").loc["registered_patients", "baseline"])  # not in the gap report


def test_download_names_are_the_web_urls_and_sheet_names() -> None:
    assert tables.download_name("gap", "roles") == "gap_roles"
    assert tables.download_name("capacity", "roles") == "capacity_roles"
    assert tables.download_name("children", "organisations") == "children"
    assert tables.download_name("demand", "something_new") == "something_new"
    report = _report({}, {"categories": pd.DataFrame({"a": [1]}), "age_bands": pd.DataFrame({"b": [2]})})
    assert list(tables.named_tables("demand", report)) == ["categories", "age_bands"]


def test_json_form_equals_the_services_report() -> None:
    frame = pd.DataFrame({"role": ["gp"], "fte": [1.25]})
    report = GapReport.build(
        {"roles": frame},
        title="T",
        organisation=OrgInfo(level="pcn", code="X1", name="N", label="N PCN", practices=3, icb_code=None),
        summary=GapSummary(**GAP, capacity_to_demand=0.9),  # type: ignore[arg-type]
        notes=["a note"],
    )
    assert json.dumps(source.as_dict(report), default=float) == json.dumps(report.to_dict(), default=float)


def test_downloads_round_each_figure_by_its_size_and_keep_years_whole() -> None:
    from gpworkforce.reports.tables import csv_text

    frame = pd.DataFrame(
        {
            "year": [2026.0, 2030.0],  # a year that became a float stays a year
            "fte": [0.157_93, 2.114_9],  # < 1: 4 decimals, >= 1: 2
            "per_week": [88.736, 12_345.678],  # >= 100: 1 decimal
            "ratio": [float("nan"), -0.139_12],  # missing stays empty
            "value": pd.Series([2026, 451.234_5], dtype=object),  # mixed kinds: value by value
        }
    )
    assert csv_text(frame).splitlines() == [
        "year,fte,per_week,ratio,value",
        "2026,0.1579,88.74,,2026",
        "2030,2.11,12345.7,-0.1391,451.2",
    ]
