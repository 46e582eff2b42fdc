"""Demand: registered patients and appointments by need category and age band, and the GP
work other roles could take (with its cost at GP and at other roles' rates)."""

from __future__ import annotations

import pandas as pd

from gpworkforce.model import costs
from gpworkforce.model.demand import appointments_by_age_band
from gpworkforce.model.ratios import share_of
from gpworkforce.nomenclature import AGE_BANDS, NEED_CATEGORIES, ROLE_CODES, WEEKS_PER_YEAR
from gpworkforce.scenario import Scenario
from gpworkforce.services.months import appointments_in_month, month_notes, month_share, scenario_for_month
from gpworkforce.services.organisations import resolve
from gpworkforce.services.results import DemandReport, DemandSummary
from gpworkforce.services.scenario_run import (
    MONTHS,
    common_notes,
    org_info,
    run_scenario,
)
from gpworkforce.services.versions import DataVersion


def demand_report(
    version: DataVersion, org_code: str, scenario: Scenario | None = None, month: str | None = None
) -> DemandReport:
    """Registered patients and appointments by need category and age band, and shiftable GP work;
    with ``month`` (``YYYY-MM``) also the appointments expected in that calendar month."""
    scenario = scenario or Scenario()
    if month is not None:
        scenario = scenario_for_month(version, scenario, month)
    cal = version.calibration
    org = resolve(version, org_code)
    res, notes = run_scenario(version, org, scenario)
    grown = res.patients
    by_age = appointments_by_age_band(grown, cal.params.rates, res.booked_year, res.expected_year)
    booked = float(res.booked_year.sum())
    cat = res.demand_category_year.sum(axis=0)
    p = cal.params
    gp_work_cat = res.gp_work_week()
    transferable_cat = res.gp_work_others_could_take_week()
    team_cat = res.gp_work_team_could_take_week()
    moved_cat = scenario.shift_share * team_cat
    gp_minutes = p.minutes[ROLE_CODES.index("gp")]
    cost = p.cost_per_appointment()
    other_cost_cat = costs.other_roles_cost_per_appointment(p.skills, cost)
    gp_cost = cost[ROLE_CODES.index("gp")]

    total_patients = float(grown.sum())
    year = scenario.year or version.base_year
    in_month: dict[str, object] = {}
    month_lines: list[str] = []
    if month is not None:
        share = month_share(version, month)
        in_month = {
            "month": share.month,
            "working_days_in_month": share.working_days,
            "seasonal_factor": share.factor,
            "appointments_in_month": float(appointments_in_month(booked, share)),
        }
        month_lines = month_notes(version, share, year)
    summary = DemandSummary(
        registered_patients=total_patients,
        appointments_per_year=booked,
        appointments_per_month=booked / MONTHS,
        appointments_per_week=booked / WEEKS_PER_YEAR,
        appointments_per_patient_year=float(share_of(booked, total_patients)),
        gp_appointments_per_week=float(gp_work_cat.sum()),
        gp_appointments_others_could_take_per_week=float(transferable_cat.sum()),
        share_of_gp_work_others_could_take=float(share_of(transferable_cat.sum(), gp_work_cat.sum())),
        gp_appointments_this_team_could_take_per_week=float(team_cat.sum()),
        share_of_gp_work_this_team_could_take=float(share_of(team_cat.sum(), gp_work_cat.sum())),
        gp_appointments_moved_per_week=float(moved_cat.sum()),
        gp_hours_per_week_others_could_take=float(costs.gp_hours(transferable_cat.sum(), gp_minutes)),
        annual_cost_of_that_work_at_gp_rates=float(
            costs.annual_cost_at_gp_rates(transferable_cat.sum(), gp_cost, WEEKS_PER_YEAR)
        ),
        annual_cost_of_that_work_by_other_roles=float(
            costs.annual_cost_by_other_roles(transferable_cat, other_cost_cat, WEEKS_PER_YEAR)
        ),
        year=year,
        **in_month,
    )
    categories = pd.DataFrame(
        {
            "category": [c.code for c in NEED_CATEGORIES],
            "label": [c.label for c in NEED_CATEGORIES],
            "appointments_per_year": cat,
            "appointments_per_week": cat / WEEKS_PER_YEAR,
            "share": share_of(cat, booked),
            "gp_share": p.gp_share,
            "gp_appointments_others_could_take_per_week": transferable_cat,
            "gp_appointments_this_team_could_take_per_week": team_cat,
            "moved_from_gps_per_week": moved_cat,
            "gp_appointments_per_week": gp_work_cat - moved_cat,
        }
    )
    ages = pd.DataFrame(
        {
            "age_band": list(AGE_BANDS),
            "female": grown[:, :, 0].sum(axis=0),
            "male": grown[:, :, 1].sum(axis=0),
            "appointments_per_year": by_age,
        }
    )
    ages["patients"] = ages["female"] + ages["male"]
    ages["appointments_per_patient_year"] = share_of(
        ages["appointments_per_year"].to_numpy(), ages["patients"].to_numpy()
    )
    notes = (
        common_notes(version)
        + notes
        + [
            "GP work others could take: for each kind of appointment, the share another clinical role could safely "
            "take (skills table, reference/skills.csv). With every role available it is the same share everywhere, "
            "because every organisation's appointments are split into kinds by England's mix; with the roles this "
            "organisation's practices employ it is its own figure. The 'GP work moved' lever moves that share of "
            "the team's figure from GPs, in the demand table and chart as in the gap",
            "costs per appointment count paid time that is not with patients (reference/roles.csv, PSSRU 2023/24 "
            "prices)",
        ]
        + month_lines
    )
    return DemandReport.build(
        {"categories": categories, "age_bands": ages},
        title=f"Demand: {org.label}",
        organisation=org_info(version, org),
        summary=summary,
        notes=notes,
    )
