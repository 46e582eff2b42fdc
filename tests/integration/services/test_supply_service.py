"""Integration: retirement RAG and supply projection on the national snapshot plus GP age bands
saved for one sub-ICB's practices (the snapshot ships no age data)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpworkforce import store
from gpworkforce.frames import GP_AGE_BANDS
from gpworkforce.services.organisations import resolve
from gpworkforce.services.retirement import Thresholds, retirement_report
from gpworkforce.services.supply import Recruits, supply_report
from gpworkforce.services.supply_inputs import published_inputs
from gpworkforce.services.versions import DataVersion, open_workspace

SUB_ICB = "16C"


@pytest.fixture(scope="module")
def aged(national_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[DataVersion, dict]:
    """The snapshot with GP ages for the sub-ICB's practices: 55-59 first until 196 GPs aged 55+,
    the rest 40-44; the first practice is a single-handed GP aged 60-64."""
    path = tmp_path_factory.mktemp("supply") / "db.sqlite"
    shutil.copyfile(national_sqlite_template, path)
    ws = open_workspace(f"sqlite:///{path}")
    data = ws.version().data
    rows = np.flatnonzero(data.practices["sub_icb_code"].to_numpy() == SUB_ICB)
    hc = data.staff_headcount[rows, 0]
    keep = rows[np.isfinite(hc) & (hc >= 1) & (data.fte_practice[rows, 0] > 0)]
    codes = data.practices["practice_code"].to_numpy()[keep]
    heads = np.round(data.staff_headcount[keep, 0])
    single = int(np.flatnonzero(heads == 1)[0]) if (heads == 1).any() else None
    left, records = 196, []
    for i, (code, n) in enumerate(zip(codes, heads, strict=True)):
        band = {b: 0.0 for b in GP_AGE_BANDS}
        if i == single:
            band["60_64"] = 1.0
        else:
            old = min(left, n)
            left -= old
            band["55_59"], band["40_44"] = old, n - old
        records += [{"practice_code": code, "age_band": b, "headcount": v} for b, v in band.items()]
    frame = pd.DataFrame(records)
    with store.session_scope(ws.engine, write=True) as s:
        store.save_dataset(s, "gp_age", "2026-06", frame, "test_gp_age.csv")
    return ws.version(), {"codes": codes, "single": None if single is None else codes[single], "old": 196 - left}


def test_retirement_rag_reasons_and_no_age_data(aged):
    version, info = aged
    report = retirement_report(version, SUB_ICB)
    table = report.frames()["practices"]
    gp = table[table["role"] == "gp"]
    assert set(gp.loc[gp["age_source"] == "published", "practice_code"]) == set(info["codes"])
    missing = gp[gp["age_source"] == "no age data"]
    assert (missing["rag"] == "no age data").all() and missing["share_fte_55_plus"].isna().all()
    assert report.summary.no_age_data == len(missing)
    if info["single"] is not None:
        row = gp[gp["practice_code"] == info["single"]].iloc[0]
        assert row["rag"] == "red" and "single-handed GP aged 60+" in row["reasons"]
    full = gp[(gp["share_fte_55_plus"] == 1.0) & (gp["practice_code"] != info["single"])]
    assert full.empty or full["reasons"].str.contains("100% of GP FTE aged 55+").all()
    # thresholds are arguments: with every bar at 100% only the single-handed rule and all-55+ are left
    lax = retirement_report(version, SUB_ICB, Thresholds(1.0, 1.0, 1.0, 1.0)).frames()["practices"]
    red = lax[lax["rag"] == "red"]
    assert ((red["practice_code"] == info["single"]) | (red["share_fte_55_plus"] == 1.0)).all()
    assert gp["reasons"].str.contains("expected to leave within 5 years").any()
    assert not lax["reasons"].str.contains("expected to leave").any()
    assert (table[table["role"] == "practice_nurse"]["rag"] == "no age data").all()


def test_hee_reproduction_through_the_service(aged):
    version, info = aged
    assert info["old"] == 196  # the sub-ICB has enough GPs for the figure
    full = supply_report(version, SUB_ICB, years=4, draws=200, preset="hee-100", seed=3)
    eighty = supply_report(version, SUB_ICB, years=4, draws=200, preset="hee-80", seed=3)
    old = 196 + (1 if info["single"] is not None else 0)  # the single-handed GP aged 60-64 is in the cohort
    # practices without age data add England's share aged 55+ (23.4%) of their GPs, as an estimate
    inputs = published_inputs(version.data, resolve(version, SUB_ICB).rows)
    estimated = float(inputs.unknown[:, 0].sum()) * 0.234
    published = float(inputs.known[:, 0, 6:].sum())  # the age table's shares of each practice's own heads
    assert estimated > 0
    assert published == pytest.approx(old, abs=2.0)  # headcounts are yearly averages, ages whole heads
    assert full.summary.preset_cohort_retirements_expected == pytest.approx(published + estimated, rel=1e-6)
    assert eighty.summary.preset_cohort_retirements_expected == pytest.approx(0.8 * (published + estimated), rel=1e-6)
    assert full.summary.practices_age_estimated > 0  # the sub-ICB's practices without a headcount
    assert full.summary.estimate
    assert any(n.startswith("estimate:") for n in full.notes)


def test_supply_quantiles_reproducible_and_recruits_cost(aged):
    version, _ = aged
    a = supply_report(version, SUB_ICB, years=3, draws=300, preset="calibrated", seed=9)
    b = supply_report(version, SUB_ICB, years=3, draws=300, preset="calibrated", seed=9, inputs=None)
    fte = a.frames()["fte"]
    assert (fte["fte_p10"] <= fte["fte_p50"]).all() and (fte["fte_p50"] <= fte["fte_p90"]).all()
    assert a.frames()["fte"].equals(b.frames()["fte"])
    gap = a.frames()["gap"]
    assert (gap["gap_per_week_p10"] <= gap["gap_per_week_p90"]).all()
    assert (gap["gp_fte_available_p10"] <= gap["gp_fte_available_p90"]).all()
    plan = (Recruits("international", "gp", 2.0),)
    hired = supply_report(version, SUB_ICB, years=3, draws=300, preset="calibrated", seed=9, recruits=plan)
    assert hired.summary.recruitment_cost == pytest.approx(2 * 3 * 25_000)
    more = hired.frames()["fte"].query("role == 'gp' and year == 3")["fte_expected"].iloc[0]
    assert more > fte.query("role == 'gp' and year == 3")["fte_expected"].iloc[0]
    unknown = supply_report(version, SUB_ICB, years=2, draws=10, recruits=(Recruits("returner", "gp", 1.0),))
    assert unknown.summary.recruitment_cost is None


def test_bad_requests_name_the_field(aged):
    version, _ = aged
    for kwargs, word in [({"years": 11}, "years"), ({"draws": 0}, "draws"), ({"preset": "hee"}, "preset")]:
        with pytest.raises(ValueError, match=word):
            supply_report(version, SUB_ICB, **kwargs)
