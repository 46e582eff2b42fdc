"""Organisations below: one row per organisation at a level inside another (patients, demand,
capacity, gap), from one model run of the parent's practices and group sums."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gpworkforce.model import benchmarks
from gpworkforce.model.grouping import group_sum
from gpworkforce.model.ratios import share_of
from gpworkforce.nomenclature import WEEKS_PER_YEAR
from gpworkforce.scenario import Scenario
from gpworkforce.services.calibrate import CLINICAL, GP_ROLES
from gpworkforce.services.data_checks import check_texts
from gpworkforce.services.months import appointments_in_month, month_notes, month_share, scenario_for_month
from gpworkforce.services.organisations import children, resolve
from gpworkforce.services.provenance import fte_provenance, practice_tags
from gpworkforce.services.results import ChildrenReport, ChildrenSummary
from gpworkforce.services.scenario_run import (
    MONTHS,
    common_notes,
    fte_notes,
    org_info,
    run_scenario,
    standard_notes,
)
from gpworkforce.services.versions import DataVersion


def by_level_report(
    version: DataVersion, org_code: str, by: str, scenario: Scenario | None = None, month: str | None = None
) -> ChildrenReport:
    """One row per organisation at level ``by`` inside ``org``: patients, demand, capacity, gap;
    with ``month`` (``YYYY-MM``) also the appointments expected in that calendar month."""
    scenario = scenario or Scenario()
    if month is not None:
        scenario = scenario_for_month(version, scenario, month)
    nd = version.data
    org = resolve(version, org_code)
    res, notes = run_scenario(version, org, scenario)
    kids = children(version, org, by)
    # Only the organisation's own practices take part (an ICB is ~300 rows, England 6,139).
    rows = org.rows
    idx_all, codes = nd.groups(by)
    idx = idx_all[rows]
    n = len(codes)
    patients = res.list_size
    demand_week, capacity_week = res.demand_week, res.capacity_week
    sums = group_sum(
        np.column_stack(
            [
                patients,
                res.booked_year,
                demand_week[:, CLINICAL].sum(axis=1) + res.unassigned_week,
                capacity_week[:, CLINICAL].sum(axis=1),
                nd.fte_of(rows)[:, GP_ROLES].sum(axis=1),
                demand_week[:, GP_ROLES].sum(axis=1),
                capacity_week[:, GP_ROLES].sum(axis=1),
                np.ones(len(rows)),
            ]
        ),
        idx,
        n,
    )[kids["group"].to_numpy()]
    pats_g, booked, demand, capacity, gp_fte, gp_demand, gp_capacity, practices = sums.T
    gap = demand - capacity
    columns: dict[str, Any] = {
        "code": kids["code"].to_numpy(),
        "name": kids["name"].to_numpy(),
        "practices": practices.astype(int),
        "patients": pats_g,
        "appointments_per_year": booked,
        "appointments_per_month": booked / MONTHS,
        "appointments_per_week": booked / WEEKS_PER_YEAR,
        "demand_per_week": demand,
        "capacity_per_week": capacity,
        "gap_per_week": gap,
        "gap_share_of_demand": share_of(gap, demand),
        "gp_fte": gp_fte,
        "patients_per_gp_fte": benchmarks.patients_per_fte(gp_fte, pats_g),
        "gp_demand_per_week": gp_demand,
        "gp_capacity_per_week": gp_capacity,
        "gp_gap_per_week": gp_demand - gp_capacity,
    }
    month_lines: list[str] = []
    in_month: dict[str, Any] = {}
    if month is not None:
        share = month_share(version, month)
        columns = _insert_after(
            columns, "appointments_per_month", "appointments_in_month", appointments_in_month(booked, share)
        )
        in_month = {"month": share.month, "appointments_in_month": float(columns["appointments_in_month"].sum())}
        month_lines = month_notes(version, share, scenario.year or version.base_year)
    if by == "practice":
        src = version.memoised(
            "derived",
            "fte_source_labels",
            lambda: pd.Series(nd.fte_source_labels(), index=nd.practices["practice_code"]),
        )
        columns["fte_source"] = src.reindex(kids["code"]).to_numpy()
        columns["fte_flag"] = practice_tags(version).reindex(kids["code"]).fillna("").to_numpy()
    columns["data_check"] = check_texts(
        version.reference, columns["patients_per_gp_fte"], columns["gap_share_of_demand"]
    )
    table = pd.DataFrame(columns)
    summary = ChildrenSummary(
        rows=len(table),
        level=by,
        patients=float(table["patients"].sum()),
        gap_per_week=float(table["gap_per_week"].sum()),
        **in_month,
    )
    if by == "pcn":
        unallocated = int((org.mask & (nd.groups("pcn")[0] < 0)).sum())
        if unallocated:
            notes.append(f"{unallocated} practices have no PCN (code U) and are not in any row")
    return ChildrenReport.build(
        {"organisations": table},
        title=f"{org.label} by {by.replace('_', '-')}",
        organisation=org_info(version, org),
        fte_provenance=fte_provenance(version, org),
        summary=summary,
        notes=common_notes(version)
        + notes
        + fte_notes(version, org)
        + standard_notes(version, org, scenario)
        + month_lines,
    )


def _insert_after(columns: dict[str, Any], after: str, name: str, values: Any) -> dict[str, Any]:
    """``columns`` with ``name`` placed right after ``after`` (CSV column order)."""
    out: dict[str, Any] = {}
    for key, value in columns.items():
        out[key] = value
        if key == after:
            out[name] = values
    return out
