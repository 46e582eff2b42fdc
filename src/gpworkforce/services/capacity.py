"""Capacity and the weekly gap: appointment slots by role from FTE, against booked demand."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.model import benchmarks
from gpworkforce.model.capacity import capacity_net_of_dna, capacity_to_demand, fte_weighted_slots
from gpworkforce.model.engine import ModelResult
from gpworkforce.model.ratios import share_of
from gpworkforce.nomenclature import ROLE_CODES, ROLES
from gpworkforce.scenario import Scenario
from gpworkforce.services.calibrate import CLINICAL, GP_ROLES
from gpworkforce.services.data_checks import check_texts
from gpworkforce.services.organisations import Organisation, resolve
from gpworkforce.services.provenance import fte_provenance
from gpworkforce.services.results import CapacityReport, CapacitySummary, GapReport, GapSummary
from gpworkforce.services.scenario_run import common_notes, fte_notes, org_info, run_scenario, standard_notes
from gpworkforce.services.versions import DataVersion


def _role_frame(
    version: DataVersion, org: Organisation, res: ModelResult, only: NDArray[np.bool_] | None = None
) -> pd.DataFrame:
    """Roles (all, or those in ``only``) with FTE, slots, demand and gap, summed over ``org``.

    Built from numpy columns in one DataFrame construction: column-by-column pandas work was
    most of the time of a cold scenario's gap report.
    """
    nd = version.data
    rows = org.rows
    keep = np.ones(len(ROLE_CODES), dtype=bool) if only is None else only
    capacity = res.capacity_week.sum(axis=0)[keep]
    demand = res.demand_week.sum(axis=0)[keep]
    ratio = capacity_to_demand(capacity, demand)
    picked = [role for role, k in zip(ROLES, keep, strict=True) if k]
    return pd.DataFrame(
        {
            "role": [r.code for r in picked],
            "label": [r.label for r in picked],
            "staff_group": [r.staff_group for r in picked],
            "fte": res.fte.sum(axis=0)[keep],
            "fte_practice": nd.fte_practice[rows].sum(axis=0)[keep],
            "fte_pcn_share": nd.fte_pcn[rows].sum(axis=0)[keep],
            "slots_per_fte_week": fte_weighted_slots(res.slots_per_fte_week, res.fte)[keep],
            "capacity_per_week": capacity,
            "demand_per_week": demand,
            "capacity_net_of_dna_per_week": capacity_net_of_dna(capacity, version.calibration.params.dna_rate),
            "gap_per_week": demand - capacity,
            "capacity_to_demand": ratio,
        }
    )


def capacity_report(version: DataVersion, org_code: str, scenario: Scenario | None = None) -> CapacityReport:
    """Appointment slots a week by role from FTE, and net of DNAs."""
    scenario = scenario or Scenario()
    org = resolve(version, org_code)
    res, notes = run_scenario(version, org, scenario)
    roles = _role_frame(version, org, res)
    clinical = roles[CLINICAL]
    p = version.calibration.params
    summary = CapacitySummary(
        fte_clinical=float(clinical["fte"].sum()),
        fte_all=float(roles["fte"].sum()),
        capacity_per_week=float(clinical["capacity_per_week"].sum()),
        capacity_net_of_dna_per_week=float(clinical["capacity_net_of_dna_per_week"].sum()),
        dna_rate=p.dna_rate,
        hours_per_fte=p.hours_per_fte,
        capacity_standard=scenario.capacity_standard,
    )
    cols = [
        "role",
        "label",
        "staff_group",
        "fte",
        "fte_practice",
        "fte_pcn_share",
        "slots_per_fte_week",
        "capacity_per_week",
        "capacity_net_of_dna_per_week",
    ]
    notes = (
        notes
        + fte_notes(version, org)
        + [
            "slots a week = FTE x 37.5 hours x the share of the year's weeks worked x the share of time spent with "
            "patients x 60 / the minutes of an appointment (each role's figures: reference/roles.csv)",
            f"net of DNAs uses the national DNA rate {p.dna_rate:.2%} (DNA / booked, latest 12 months)",
            "admin and reception staff are not appointment capacity",
        ]
        + standard_notes(version, org, scenario)
    )
    return CapacityReport.build(
        {"roles": roles[cols]},
        title=f"Capacity: {org.label}",
        organisation=org_info(version, org),
        fte_provenance=fte_provenance(version, org),
        summary=summary,
        notes=notes,
    )


def gap_report(version: DataVersion, org_code: str, scenario: Scenario | None = None) -> GapReport:
    """Weekly demand against capacity by role: the appointment gap now or in a projected year."""
    scenario = scenario or Scenario()
    org = resolve(version, org_code)
    res, notes = run_scenario(version, org, scenario)
    clinical = _role_frame(version, org, res, only=CLINICAL)
    unassigned = float(res.unassigned_week.sum())
    demand = float(clinical["demand_per_week"].sum()) + unassigned
    capacity = float(clinical["capacity_per_week"].sum())
    gp = GP_ROLES[CLINICAL]
    gp_demand = clinical["demand_per_week"].to_numpy()[gp]
    gp_capacity = clinical["capacity_per_week"].to_numpy()[gp]
    summary = GapSummary(
        demand_per_week=demand,
        capacity_per_week=capacity,
        gap_per_week=demand - capacity,
        gap_share_of_demand=float(share_of(demand - capacity, demand)),
        gp_demand_per_week=float(gp_demand.sum()),
        gp_capacity_per_week=float(gp_capacity.sum()),
        gp_gap_per_week=float((gp_demand - gp_capacity).sum()),
        unassigned_per_week=unassigned,
        shifted_from_gps_per_week=float(res.shifted_week.sum()),
        capacity_to_demand=capacity / demand if demand else None,
        year=scenario.year or version.base_year,
        capacity_standard=scenario.capacity_standard,
    )
    gp_fte = float(res.fte[:, GP_ROLES].sum())
    patients_per_gp = benchmarks.patients_per_fte(np.asarray(gp_fte), np.asarray(float(res.list_size.sum())))
    notes = (
        notes
        + fte_notes(version, org)
        + [
            "gap = booked demand - slots; a positive gap is a shortfall of appointments a week, a negative gap "
            "is capacity beyond the appointments booked, at the capacity standard in use",
            "demand is split between roles by the observed GP share of each category (GPAD) and, for other staff, "
            "by the skills matrix weighted by the team's own capacity",
            "demand counts booked appointments including DNAs, so DNAs are not subtracted again from capacity",
            "demand is calibrated to the appointments England's practices delivered, so at today's throughput "
            "the England gap is near zero by construction",
        ]
        + standard_notes(version, org, scenario)
    )
    if unassigned > 0:
        notes.append(f"{unassigned:,.0f} appointments a week need a role this team does not have")
    cols = ["role", "label", "fte", "demand_per_week", "capacity_per_week", "gap_per_week", "capacity_to_demand"]
    return GapReport.build(
        {"roles": clinical[cols]},
        title=f"Weekly appointment gap: {org.label}",
        organisation=org_info(version, org),
        fte_provenance=fte_provenance(version, org),
        data_checks=[
            c for c in check_texts(version.reference, patients_per_gp, np.asarray(summary.gap_share_of_demand)) if c
        ],
        summary=summary,
        notes=common_notes(version) + notes,
    )
