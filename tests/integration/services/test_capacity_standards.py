"""Integration: the capacity standards on the national database (the shipped snapshot).

The delivered appointments are recomputed here from the national sub-ICB series, apart from
the service's own fit, so a fit that picked the wrong months, statuses or HCP types fails.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from gpworkforce.nomenclature import ROLE_BY_CODE, ROLE_CODES
from gpworkforce.scenario import Scenario
from gpworkforce.services.capacity import capacity_report, gap_report
from gpworkforce.services.children import by_level_report
from gpworkforce.services.organisations import resolve
from gpworkforce.services.scenario_run import run_scenario
from gpworkforce.services.standards import GROUP_OF_ROLE, fit_national_throughput, throughput_area_notes
from gpworkforce.services.versions import Workspace

THROUGHPUT = Scenario(capacity_standard="throughput")
IS_GP = np.array([c in ("gp", "gp_locum_trainee") for c in ROLE_CODES])
IS_OTHER = np.array([ROLE_BY_CODE[c].clinical for c in ROLE_CODES]) & ~IS_GP


def _delivered_booked_per_week(ctx: Workspace) -> dict[str, float]:
    """Booked appointments a week by GPs and by other staff over the series' latest 12 months,
    unknown HCP type shared pro rata."""
    series = ctx.version().data.subicb_series
    months = sorted(series["month"].unique())[-12:]
    last = series[series["month"].isin(months)]
    by_type = last.groupby("hcp_type")["appointments"].sum()
    gp, other, unknown = (float(by_type.get(t, 0.0)) for t in ("gp", "other", "unknown"))
    share = gp / (gp + other)
    return {"gp": (gp + unknown * share) / 52.0, "other": (other + unknown * (1 - share)) / 52.0}


def test_england_capacity_at_throughput_matches_delivered_appointments_by_staff_group(ctx: Workspace) -> None:
    delivered = _delivered_booked_per_week(ctx)
    report = capacity_report(ctx.version(), "england", THROUGHPUT)
    roles = report.frames()["roles"]
    is_gp = roles["role"].isin(["gp", "gp_locum_trainee"])
    clinical = roles["capacity_per_week"] > 0
    modelled = {
        "gp": float(roles.loc[is_gp, "capacity_per_week"].sum()),
        "other": float(roles.loc[~is_gp & clinical, "capacity_per_week"].sum()),
    }
    # each practice at its own ICB's rate: England is the sum of the ICBs, within 5% of what
    # England delivered (the one series sub-ICB outside the mapping, 1.2%, is in no ICB's fit)
    for group in ("gp", "other"):
        assert modelled[group] == pytest.approx(delivered[group], rel=0.05), group
    assert report.summary.capacity_standard == "throughput"
    assert any("capacity standard: throughput" in n and "2024-12..2025-11" in n for n in report.notes)
    assert any(
        n.startswith("ICB rates were used per practice: the own rates of 36 of the 36 ICBs here") for n in report.notes
    )
    assert any(n.startswith("every practice here takes its own ICB's rate") for n in report.notes)
    # the reference standard is a different number (GP slots 77.3 per FTE-week, not ~87)
    reference = capacity_report(ctx.version(), "england").frames()["roles"]
    assert reference.loc[is_gp, "capacity_per_week"].sum() < 0.95 * delivered["gp"]


def test_throughput_per_fte_week_is_stated_and_plausible(ctx: Workspace) -> None:
    t = ctx.version().calibration.throughput
    assert t is not None
    assert t.months == "2024-12..2025-11"
    gp, other = t.national.per_fte_week
    assert 70 < gp < 110  # the 84.7 before unknown-HCP appointments were shared out
    assert 40 < other < 100
    # every ICB of the mapping has its own fit; they add up to England but for the one series
    # sub-ICB (D4U1Y, 1.2% of appointments) whose code is not in the latest mapping
    assert len(t.icb_codes) == ctx.version().data.practices["icb_code"].nunique()
    assert t.unmapped_sub_icbs == ("D4U1Y",)
    assert t.unfitted_sub_icbs == ("U2G6B",)  # its 41 practices take S0E4D's rate
    assert t.icb_usable.all() and t.uses_icb.all()
    share = t.icb.delivered_week.sum(axis=0) / t.national.delivered_week
    assert ((share > 0.98) & (share < 1.0)).all()


def test_safe_standard_gives_25_contacts_a_working_day_for_gps(ctx: Workspace) -> None:
    roles = capacity_report(ctx.version(), "QHM", Scenario(capacity_standard="safe")).frames()["roles"]
    slots = roles.set_index("role")["slots_per_fte_week"]
    assert slots["gp"] == pytest.approx(25 * 5 * 43 / 52)
    reference = capacity_report(ctx.version(), "QHM").frames()["roles"].set_index("role")["slots_per_fte_week"]
    assert slots["practice_nurse"] == pytest.approx(reference["practice_nurse"])


def test_gap_and_by_level_reports_state_the_standard(ctx: Workspace) -> None:
    version = ctx.version()
    default = gap_report(version, "QHM")
    assert default.summary.capacity_standard == "reference"
    assert any(n.startswith("capacity standard: reference (the default)") for n in default.notes)
    chosen = gap_report(version, "QHM", Scenario(capacity_standard="throughput"))
    assert chosen.summary.capacity_standard == "throughput"
    assert any(n.startswith("ICB QHM's own rate, used for this organisation's practices") for n in chosen.notes)
    assert chosen.summary.capacity_per_week != pytest.approx(default.summary.capacity_per_week)
    kids = by_level_report(version, "QHM", "sub_icb", Scenario(capacity_standard="safe"))
    assert any(n.startswith("capacity standard: safe") for n in kids.notes)


def _delivered_by_icb(ctx: Workspace) -> pd.DataFrame:
    """Booked appointments a week by ICB (rows) and group (gp, other) over the latest 12 months,
    recomputed from the series: sub-ICBs to ICBs through the practices' mapping, unknown HCP type
    shared pro rata within each sub-ICB."""
    nd = ctx.version().data
    series = nd.subicb_series
    last = series[series["month"].isin(sorted(series["month"].unique())[-12:])]
    wide = last.pivot_table(index="sub_icb_code", columns="hcp_type", values="appointments", aggfunc="sum")
    wide = wide.reindex(columns=["gp", "other", "unknown"]).fillna(0.0)
    share = wide["gp"] / (wide["gp"] + wide["other"])
    out = pd.DataFrame(
        {"gp": wide["gp"] + wide["unknown"] * share, "other": wide["other"] + wide["unknown"] * (1 - share)}
    )
    icb = nd.practices.drop_duplicates("sub_icb_code").set_index("sub_icb_code")["icb_code"]
    out = out[out.index.isin(icb.index)]
    return out.groupby(icb.reindex(out.index).to_numpy()).sum() / 52.0


def test_each_icbs_capacity_at_its_own_throughput_matches_its_delivered_appointments(ctx: Workspace) -> None:
    """For every ICB with a usable fit, its practices' capacity by group at throughput equals what
    the ICB delivered within 5% (over the practices of its sub-ICBs the series has: S0E4D's U2G6B,
    new since the series, takes S0E4D's rate but has no appointments of its own in it)."""
    version = ctx.version()
    nd, t = version.data, version.calibration.throughput
    assert t is not None
    delivered = _delivered_by_icb(ctx)
    res, _ = run_scenario(version, resolve(version, "england"), THROUGHPUT)
    in_series = nd.practices["sub_icb_code"].isin(nd.subicb_series["sub_icb_code"].unique()).to_numpy()
    capacity = (
        pd.DataFrame(
            {"gp": res.capacity_week[:, IS_GP].sum(axis=1), "other": res.capacity_week[:, IS_OTHER].sum(axis=1)}
        )[in_series]
        .groupby(nd.practices["icb_code"].to_numpy()[in_series])
        .sum()
    )
    usable = pd.DataFrame(t.icb_usable, index=t.icb_codes, columns=["gp", "other"])
    checked = 0
    for code in delivered.index:
        for group in ("gp", "other"):
            if usable.loc[code, group]:
                assert capacity.loc[code, group] == pytest.approx(delivered.loc[code, group], rel=0.05), (code, group)
                checked += 1
    assert checked == 2 * len(t.icb_codes) == 2 * 36
    # England's capacity by group is the sum of the ICBs' delivered, plus U2G6B's practices at S0E4D's rate
    u2g6b = (nd.practices["sub_icb_code"] == "U2G6B").to_numpy()
    for group, roles in (("gp", IS_GP), ("other", IS_OTHER)):
        england = res.capacity_week[:, roles].sum()
        assert england == pytest.approx(delivered[group].sum() + res.capacity_week[u2g6b][:, roles].sum(), rel=1e-6)
    # one ICB through the report itself: QHM (all its sub-ICBs in the series)
    roles = capacity_report(version, "QHM", THROUGHPUT).frames()["roles"].set_index("role")["capacity_per_week"]
    assert roles[IS_GP[[ROLE_CODES.index(r) for r in roles.index]]].sum() == pytest.approx(
        delivered.loc["QHM", "gp"], rel=0.05
    )


def test_icbs_without_a_usable_fit_fall_back_to_englands_rate_and_the_notes_say_so(ctx: Workspace) -> None:
    # with a 1,000-FTE minimum, ICBs with fewer GP FTE (or other clinical FTE) than that in their
    # fitted sub-ICBs lose that group's fit: their practices take England's factor for it
    version = ctx.version()
    ref = replace(version.reference, general={**version.reference.general, "throughput_icb_min_fte": 1000.0})
    t = fit_national_throughput(version.data, ref)
    assert t is not None
    small = t.icb.fte < 1000.0  # [i, g]
    assert small[:, 0].any() and not small[:, 0].all()
    np.testing.assert_array_equal(t.icb_usable, ~small)
    falls = small[t.icb_of_practice]  # [p, g]
    gp_role = ROLE_CODES.index("gp")
    expected = np.where(falls[:, 0], t.national.factor[0], t.icb.factor[t.icb_of_practice, 0])
    np.testing.assert_allclose(t.practice_factor[:, gp_role], expected)
    assert (GROUP_OF_ROLE[gp_role], t.uses_icb.sum()) == (0, (~falls).sum())
    everyone = np.ones(len(t.icb_of_practice), dtype=bool)
    notes = throughput_area_notes(t, everyone, None)
    said = next(n for n in notes if n.startswith("practices taking England's rate instead"))
    assert f"GPs (incl. locums and trainees) {int(falls[:, 0].sum()):,}," in said
    first = str(t.icb_codes[np.flatnonzero(small[:, 0])[0]])
    assert f"{first}: GPs (incl. locums and trainees): " in said and "under 1000" in said
    own = throughput_area_notes(t, everyone, first)
    assert any(n.startswith(f"England's rate is used instead where ICB {first}'s fit is not usable") for n in own)
