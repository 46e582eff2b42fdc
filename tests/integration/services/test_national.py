"""Integration: the national database built from the snapshot, checked against published figures.

Runs on SQLite and on a real PostgreSQL started by the test suite.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpworkforce.scenario import Scenario
from gpworkforce.services import validation
from gpworkforce.services.benchmarks import benchmark_report
from gpworkforce.services.capacity import capacity_report, gap_report
from gpworkforce.services.children import by_level_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.organisations import UnknownOrganisation, resolve
from gpworkforce.services.versions import Workspace

ENGLAND_PATIENTS = 63_436_508  # sum of GP rows, SEX=ALL, AGE_GROUP_5=ALL, July 2026 file
ENGLAND_PRACTICES = 6_139


def test_england_totals_equal_the_patients_file(ctx: Workspace) -> None:
    report = demand_report(ctx.version(), "england")
    assert report.summary.registered_patients == ENGLAND_PATIENTS
    assert report.org["practices"] == ENGLAND_PRACTICES
    ages = report.frames()["age_bands"]
    assert ages["female"].sum() == 31_734_049
    assert ages["male"].sum() == 31_702_459


def test_totals_match_the_raw_file_when_present(ctx: Workspace, shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "gp-reg-pat-prac-quin-age_2026-07.csv.gz", dtype=str)
    gp = raw[(raw.ORG_TYPE == "GP") & (raw.SEX == "ALL") & (raw.AGE_GROUP_5 == "ALL")]
    per_practice = gp.set_index("ORG_CODE")["NUMBER_OF_PATIENTS"].astype(int)
    nd = ctx.version().data
    ours = pd.Series(nd.patients.sum(axis=(1, 2)), index=nd.practices["practice_code"])
    assert (ours.reindex(per_practice.index) == per_practice).all()


def test_every_practice_maps_to_an_icb_and_a_pcn_or_unallocated(ctx: Workspace) -> None:
    p = ctx.version().data.practices
    assert (p["icb_code"] != "").all()
    assert (p["pcn_code"] != "").all()
    unallocated = p[p["pcn_code"] == "U"]
    assert len(unallocated) == 52  # reported as having no PCN, per the mapping file
    report = by_level_report(ctx.version(), "england", "pcn")
    assert any("52 practices have no PCN" in n for n in report.notes)
    assert report.frames()["organisations"]["patients"].sum() == ENGLAND_PATIENTS - unallocated_patients(ctx)


def unallocated_patients(ctx: Workspace) -> float:
    nd = ctx.version().data
    return float(nd.patients[(nd.practices["pcn_code"] == "U").to_numpy()].sum())


def test_levels_add_up(ctx: Workspace) -> None:
    """Every ICB's practices sum to the ICB, and the ICBs sum to England."""
    icbs = by_level_report(ctx.version(), "england", "icb").frames()["organisations"]
    england = gap_report(ctx.version(), "england").summary
    assert icbs["patients"].sum() == ENGLAND_PATIENTS
    assert icbs["demand_per_week"].sum() == pytest.approx(england.demand_per_week, rel=1e-9)
    assert icbs["capacity_per_week"].sum() == pytest.approx(england.capacity_per_week, rel=1e-9)
    code = icbs.sort_values("patients").iloc[0]["code"]
    practices = by_level_report(ctx.version(), code, "practice").frames()["organisations"]
    icb = gap_report(ctx.version(), code).summary
    assert practices["gap_per_week"].sum() == pytest.approx(icb.gap_per_week, rel=1e-9, abs=1e-6)
    assert len(practices) == int((ctx.version().data.practices["icb_code"] == code).sum())


def test_calibrated_england_volume_matches_published_series(ctx: Workspace) -> None:
    """Rates are scaled so England's year equals the latest 12 months of the national series."""
    summary = demand_report(ctx.version(), "england").summary
    series = ctx.version().data.subicb_series
    months = sorted(series["month"].unique())[-12:]
    published = series[series["month"].isin(months)]["appointments"].sum()
    assert summary.appointments_per_year == pytest.approx(published, rel=1e-9)
    assert 5.0 < summary.appointments_per_patient_year < 7.0  # Hobbs 2016: 5.2 in 2013/14, rising


def test_out_of_sample_checks_pass(ctx: Workspace) -> None:
    """Held-out practices (leave one region out, calibration from earlier months) and sub-ICBs out of
    time and out of region: the model beats list size and age-sex alone, and meets the issue's targets."""
    v = validation.validate(ctx)
    rows = {(r.check.split(" (")[0], r.predictor): r for r in v.rows}
    practices = "out-of-region practices"
    model = rows[practices, "population + sub-ICB calibration"]
    assert model.n == v.practices_with_appointments > 2000
    assert model.r is not None and model.r >= 0.92
    assert model.median_ape is not None and model.median_ape <= 0.155
    for baseline in ("list size alone (level from the other regions)", "age-sex alone (level from the other regions)"):
        base = rows[practices, baseline]
        assert base.median_ape is not None and base.median_ape > model.median_ape
    assert rows[practices, "population + sub-ICB + practice's own previous month"].n == 0  # one practice month
    assert v.need_adjustment_helps
    time = "out-of-time sub-ICBs"
    calibrated = rows[time, "population + sub-ICB calibration"]
    assert calibrated.n >= 3 * 100
    assert calibrated.median_ape is not None and calibrated.median_ape < 0.05
    age_sex = rows[time, "age-sex alone"]
    assert age_sex.median_ape is not None and calibrated.median_ape < age_sex.median_ape
    region = rows["out-of-region sub-ICBs", "age-sex + need (level from the practice-level regions)"]
    assert region.n >= 70 and region.r is not None and region.r > 0.95


def test_capacity_is_labelled_with_its_source(ctx: Workspace) -> None:
    report = capacity_report(ctx.version(), "england")
    assert any("Health Equity Evidence Centre" in n for n in report.notes)
    assert any("estimate" in n for n in report.notes)
    roles = report.frames()["roles"].set_index("role")
    assert 25_000 < roles.loc["gp", "fte"] < 30_000  # qualified permanent GPs, HEEC FY2024 ~26,600 + PCN GPs


def test_benchmark_ratios_are_consistent(ctx: Workspace) -> None:
    code = str(ctx.version().data.practices["practice_code"].iloc[100])
    table = benchmark_report(ctx.version(), code).frames()["staff_groups"].set_index("staff_group")
    for key in ("organisation", "england"):
        per_1000 = table[f"{key}_fte_per_1000"]
        per_fte = table[f"{key}_patients_per_fte"]
        ok = per_1000 > 0
        np.testing.assert_allclose(per_fte[ok], 1000.0 / per_1000[ok], rtol=1e-9)


def test_projection_uses_ons_growth(ctx: Workspace) -> None:
    now = demand_report(ctx.version(), "england").summary
    later = demand_report(ctx.version(), "england", Scenario(year=2035)).summary
    growth = later.registered_patients / now.registered_patients
    assert 1.02 < growth < 1.08  # ONS 2022-based: England 59.64m (2026) -> 62.41m (2035) = +4.6%
    # the population ages, so appointments grow faster than heads
    assert later.appointments_per_year / now.appointments_per_year > growth


def test_scenario_levers_move_the_gap_in_the_right_direction(ctx: Workspace) -> None:
    base = gap_report(ctx.version(), "QHM").summary
    shifted = gap_report(ctx.version(), "QHM", Scenario(shift_share=0.5)).summary
    staffed = gap_report(ctx.version(), "QHM", Scenario(added_fte={"gp": 50})).summary
    fewer_dna = gap_report(ctx.version(), "QHM", Scenario(dna_rate=0.01)).summary
    assert shifted.gp_gap_per_week < base.gp_gap_per_week
    assert staffed.gap_per_week < base.gap_per_week
    assert fewer_dna.demand_per_week < base.demand_per_week


def test_ons_codes_resolve_and_unknown_codes_fail(ctx: Workspace) -> None:
    version = ctx.version()
    icb = resolve(version, "QHM")
    ons = str(version.data.practices.loc[icb.mask, "icb_ons_code"].iloc[0])
    assert resolve(version, ons).code == "QHM"
    with pytest.raises(UnknownOrganisation, match="unknown organisation"):
        resolve(version, "ZZZ999")
    with pytest.raises(UnknownOrganisation, match="no PCN"):
        resolve(version, "U")


def test_subicb_layer_matches_each_subicb_year_and_keeps_england(ctx: Workspace) -> None:
    """With the sub-ICB layer (default) each sub-ICB's modelled year is its last 12 months in the series,
    with or without the practice layer (which then only splits the sub-ICB between its practices);
    England's total is unchanged; switching both off gives the population-only figures."""
    from gpworkforce.services.scenario_run import run_scenario

    version = ctx.version()
    series = version.data.subicb_series
    months = sorted(series["month"].unique())[-12:]
    published = series[series["month"].isin(months)].groupby("sub_icb_code")["appointments"].sum()
    england = resolve(version, "england")
    both, notes = run_scenario(version, england, Scenario())
    sub_only, _ = run_scenario(version, england, Scenario(local_calibration=False))
    off, _ = run_scenario(version, england, Scenario(subicb_calibration=False, local_calibration=False))
    assert any(n.startswith("sub-ICB calibration: 105 sub-ICBs") for n in notes)
    assert any(n.startswith("local calibration: 2,088 practices") for n in notes)
    codes = version.data.practices["sub_icb_code"].to_numpy()
    for result in (both, sub_only):
        by_sub = pd.Series(result.booked_year).groupby(codes).sum()
        for code in ("15N", "00Q"):  # Devon (practice-level data loaded), Blackburn with Darwen (not)
            assert by_sub[code] == pytest.approx(published[code], rel=1e-9)
        assert result.booked_year.sum() == pytest.approx(off.booked_year.sum(), rel=1e-9)
    assert not np.allclose(sub_only.booked_year, off.booked_year)
    assert not np.allclose(both.booked_year, sub_only.booked_year)
