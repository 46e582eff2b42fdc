"""Readers on the real NHS / ONS files in ../shared/data: the totals the data README documents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gpworkforce.ingest import IngestError, read_appointments, read_patients, read_pcn_workforce
from gpworkforce.ingest.appointments import CATEGORY_CODES
from gpworkforce.ingest.snapshot_build import SHARED_FILES
from gpworkforce.nomenclature import (
    AGE_BANDS,
    APPT_MODES,
    APPT_STATUSES,
    BOOKING_INTERVALS,
    HCP_TYPES,
    ROLE_CODES,
    SEXES,
    UNALLOCATED_PCN,
)

pytestmark = pytest.mark.shared_data

Real = Callable[[str], Any]


def test_patients(real: Real) -> None:
    result = real("patients")
    frame = result.frame
    assert result.period == "2026-07"
    assert result.rows_read == 326_241
    assert frame["practice_code"].nunique() == 6_139
    assert frame["patients"].sum() == 63_436_508
    by_sex = frame.groupby("sex")["patients"].sum()
    assert by_sex["female"] == 31_734_049 and by_sex["male"] == 31_702_459
    assert set(frame["age_band"]) == set(AGE_BANDS) and set(frame["sex"]) == set(SEXES)
    over_65 = frame[frame["age_band"].isin(AGE_BANDS[13:])]["patients"].sum() / frame["patients"].sum()
    assert round(over_65, 3) == 0.185
    assert any("63,436,508" in n for n in result.notes)


def test_registration_mapping(real: Real) -> None:
    result = real("mapping")
    frame = result.frame
    assert result.period == "2026-07"
    assert len(frame) == frame["practice_code"].nunique() == 6_139
    assert frame["pcn_code"].nunique() == 1_299
    assert frame["sub_icb_code"].nunique() == 106
    assert frame["icb_code"].nunique() == 36
    assert frame["region_code"].nunique() == 7
    assert (frame["pcn_code"] == UNALLOCATED_PCN).sum() == 52
    assert set(frame["practice_code"]) == set(real("patients").frame["practice_code"])


def test_gpad_mapping(real: Real) -> None:
    result = real("gpad_mapping")
    assert result.period == "2025-10"
    assert result.rows_read == 6_193
    assert len(result.frame) == 6_153
    assert result.frame["icb_code"].nunique() == 42


def test_practice_crosstab(real: Real) -> None:
    result = real("appointments")
    frame = result.frame
    assert result.period == "2025-10"
    assert frame["practice_code"].nunique() == 2_101
    assert frame["appointments"].sum() == 15_069_663
    status = frame.groupby("status")["appointments"].sum()
    assert status.to_dict() == {"attended": 13_235_900, "dna": 737_616, "unknown": 1_096_147}
    hcp = frame.groupby("hcp_type")["appointments"].sum()
    assert hcp.to_dict() == {"gp": 6_187_557, "other": 8_568_677, "unknown": 313_429}
    mode = frame.groupby("mode")["appointments"].sum()
    assert (mode["face_to_face"], mode["telephone"], mode["video_online"], mode["home_visit"]) == (
        9_913_441,
        3_342_848,
        1_291_979,
        159_059,
    )
    assert frame.loc[frame["interval"] == "same_day", "appointments"].sum() == 5_692_273
    assert set(frame["hcp_type"]) == set(HCP_TYPES)
    assert set(frame["mode"]) == set(APPT_MODES)
    assert set(frame["category"]) == set(CATEGORY_CODES)
    assert set(frame["interval"]) == set(BOOKING_INTERVALS)
    assert set(frame["status"]) == set(APPT_STATUSES)
    assert round(status["dna"] / (status["attended"] + status["dna"]), 4) == 0.0528


def test_subicb_series(real: Real) -> None:
    result = real("subicb_appointments")
    frame = result.frame
    assert result.period == "2023-06..2025-11"
    assert frame["month"].nunique() == 30
    assert frame["sub_icb_code"].nunique() == 106
    by_month = frame.groupby("month")["appointments"].sum()
    assert by_month["2025-11"] == 31_098_559
    assert by_month["2025-10"] == 39_285_410
    nov = frame[frame["month"] == "2025-11"].groupby("status")["appointments"].sum()
    assert round(nov["dna"] / (nov["attended"] + nov["dna"]), 4) == 0.0466
    assert set(frame["mode"]) == set(APPT_MODES) and set(frame["interval"]) == set(BOOKING_INTERVALS)


def test_pcn_workforce(real: Real) -> None:
    result = real("pcn_workforce")
    frame = result.frame
    assert result.period == "2026-06"
    assert result.rows_read == 39_940
    assert frame["pcn_code"].nunique() == 1_271
    assert round(frame["fte"].sum(), 1) == 31_253.3
    roles = frame.groupby("staff_role")["fte"].sum()
    assert round(roles["Pharmacists"], 1) == 5_725.1
    assert round(roles["Care Coordinators"], 1) == 5_055.5
    assert round(roles["Social Prescribing Link Workers"], 1) == 2_642.4
    assert set(frame["role"]) <= set(ROLE_CODES)
    assert any("32,545 distinct people" in n for n in result.notes)


def test_heec_recent_table(real: Real) -> None:
    years = real("heec_recent")
    assert sorted(years) == [2023, 2024, 2025]
    expected = {  # README table: GP (EXTGL), locum/trainee = GP total - EXTGL, nurse, DPC, admin FTE
        2023: (26_627, 35_412, 16_473, 15_717, 73_541),
        2024: (26_625, 35_936, 16_661, 16_548, 75_216),
        2025: (27_077, 36_724, 16_575, 17_043, 75_967),
    }
    for year, (gp, all_gp, nurse, dpc, admin) in expected.items():
        fte = years[year].frame.groupby("staff")["fte"].sum()
        assert years[year].period == f"FY{year}"
        assert round(fte["gp"]) == gp
        assert round(fte["gp"] + fte["gp_locum_trainee"]) == all_gp
        assert (round(fte["nurse"]), round(fte["dpc"]), round(fte["admin"])) == (nurse, dpc, admin)
    assert any("10 months" in n for n in years[2025].notes)
    assert any("third-party" in n for n in years[2024].notes)


def test_heec_history_table(real: Real) -> None:
    years = real("heec_history")
    gp = [round(years[y].frame.query("staff == 'gp'")["fte"].sum()) for y in range(2016, 2025)]
    assert gp == [27_372, 27_960, 27_629, 27_062, 26_863, 26_926, 26_927, 26_726, 26_561]
    assert years[2016].frame["headcount"].notna().sum() > 0


def test_imd_qof_ons(real: Real) -> None:
    imd = real("imd")
    assert imd.period == "IMD2025" and len(imd.frame) == 6_143
    assert (imd.frame["imd_score"].min(), imd.frame["imd_score"].max()) == (3.922, 65.449)
    qof = real("qof")
    assert qof.period == "2024-25"
    assert qof.frame["practice_code"].nunique() == 6_188 and qof.frame["group_code"].nunique() == 21
    ons = real("population_projection")
    totals = ons.frame.groupby("year")["population"].sum()
    assert totals[2022] == 57_112_542 and totals[2026] == 59_638_662 and totals[2035] == 62_412_168
    female_2022 = ons.frame.query("year == 2022 and sex == 'female'")["population"].sum()
    assert female_2022 == 29_126_510
    old = ons.frame.query("year == 2026 and age_band in ['65_69', '70_74', '75_79', '80_84', '85_89', '90_94', '95+']")
    assert round(old["population"].sum() / totals[2026], 4) == 0.1911


def test_ons_single_year_file_gives_the_same_bands(shared_data: Path, real: Real) -> None:
    from gpworkforce.ingest import read_population_projection

    single = read_population_projection(shared_data / "ons-npp-2022based-england-pop-single-age-sex_2022-2122.csv.gz")
    assert single.frame.equals(real("population_projection").frame)


def test_real_file_of_the_wrong_kind(shared_data: Path) -> None:
    with pytest.raises(IngestError) as info:
        read_patients(shared_data / SHARED_FILES["mapping"].file)
    assert str(info.value).startswith(
        "gp-reg-pat-prac-map_2026-07.csv.gz: row 1, column ORG_TYPE: this looks like a practice mapping file"
    )
    with pytest.raises(IngestError) as info:
        read_pcn_workforce(shared_data / SHARED_FILES["qof"].file)
    assert "looks like a QOF prevalence file" in str(info.value) and info.value.row == 1
    with pytest.raises(IngestError) as info:
        read_appointments(shared_data / SHARED_FILES["patients"].file)
    assert "looks like a registered patients" in str(info.value)
