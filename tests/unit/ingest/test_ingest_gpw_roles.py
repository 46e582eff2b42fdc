"""Roles and age bands of the detailed GP workforce CSV, on files GENERATED from the definitions workbook.

Every one of the workbook's fields is in the header (generate_detailed_csv), with chosen
values for one practice, NA/ND codes in places, and 0 elsewhere.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from generate_detailed_csv import DETAILED_WORKBOOK, OLD_WORKBOOK, field_names, write_detailed_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpworkforce.ingest import IngestError, read_gpw_detailed, read_workforce_all
from gpworkforce.ingest.workforce_detailed import DETAILED_ROLES, ROLE_COLUMNS

pytestmark = pytest.mark.shared_data

NAME = "General Practice – November 2025 Practice Level - Detailed.csv"

CHOSEN: dict[str, str | int | float] = {
    "TOTAL_GP_FTE": 9.0,
    "TOTAL_GP_HC": 12,
    "TOTAL_GP_EXTGL_FTE": 5.5,
    "TOTAL_GP_SEN_PTNR_FTE": 1.0,
    "TOTAL_GP_PTNR_PROV_FTE": 2.0,
    "TOTAL_GP_PTNR_PROV_HC": 3,
    "TOTAL_GP_SAL_BY_PRAC_FTE": 1.5,
    "TOTAL_GP_SAL_BY_PRAC_HC": 2,
    "TOTAL_GP_RET_FTE": 0.5,
    "TOTAL_GP_TRN_GR_ST1_FTE": 1.0,
    "TOTAL_GP_TRN_GR_ST3_FTE": 1.0,
    "TOTAL_GP_TRN_GR_ST4_FTE": "NA",
    "TOTAL_GP_LOCUM_VAC_FTE": 0.4,
    "TOTAL_GP_LOCUM_ABS_FTE": 0.3,
    "TOTAL_GP_LOCUM_OTH_FTE": "NA",
    "TOTAL_GP_LOCUM_OTH_HC": "NA",
    "TOTAL_NURSES_FTE": 3.2,
    "TOTAL_N_PRAC_NURSE_FTE": 2.0,
    "TOTAL_N_ADV_NURSE_PRAC_FTE": 1.2,
    "TOTAL_N_ADV_NURSE_PRAC_HC": 2,
    "TOTAL_DPC_FTE": 4.0,
    "TOTAL_DPC_HCA_FTE": 1.6,
    "TOTAL_DPC_PHARMA_FTE": 0.8,
    "TOTAL_DPC_PARAMED_FTE": "ND",
    "TOTAL_DPC_NURSE_ASSOC_FTE": 0.6,
    "TOTAL_DPC_PHYSICIAN_ASSOC_FTE": 1.0,
    "TOTAL_ADMIN_FTE": 10,
    "TOTAL_GP_HC_55TO59": 2,
    "TOTAL_GP_HC_60TO64": 1,
    "TOTAL_GP_HC_UNKNOWN_AGE": "NA",
    "TOTAL_NURSES_HC_UNDER25": 1,
    "TOTAL_NURSES_HC_60TO64": 2,
    "TOTAL_NURSES_FTE_60TO64": 1.4,
    "TOTAL_NURSES_HC_70PLUS": "NA",
}


def _detailed(shared: Path, tmp: Path, values: dict[str, str | int | float], **kw: tuple[str, ...]) -> Path:
    header = field_names(shared / DETAILED_WORKBOOK)
    return write_detailed_csv(tmp / NAME, header, {"A00001": values, "A00002": {}}, **kw)


def _role(frame, code: str, role: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    row = frame[(frame["practice_code"] == code) & (frame["role"] == role)]
    assert len(row) == 1, role
    return float(row["fte"].iloc[0]), float(row["headcount"].iloc[0])


def test_every_field_of_the_workbook_is_in_the_generated_header(shared_data: Path) -> None:
    header = field_names(shared_data / DETAILED_WORKBOOK)
    assert len(header) == 805 and header[0] == "PRAC_CODE" and "TOTAL_GP_HC_55TO59" in header


def test_roles_kept_with_headcount_beside_fte(shared_data: Path, tmp_path: Path) -> None:
    _workforce, _gp_age, roles, ages = read_gpw_detailed(_detailed(shared_data, tmp_path, CHOSEN))
    assert (roles.kind, ages.kind, roles.period) == ("workforce_roles", "workforce_age", "2025-11")
    frame = roles.frame
    assert _role(frame, "A00001", "gp_partner") == (2.0, 3.0)
    assert _role(frame, "A00001", "gp_senior_partner")[0] == 1.0
    assert _role(frame, "A00001", "gp_salaried") == (1.5, 2.0)
    assert _role(frame, "A00001", "gp_retainer")[0] == 0.5
    assert _role(frame, "A00001", "gp_registrar")[0] == 2.0  # ST1 + ST3; ST4 is NA, not counted as 0
    assert _role(frame, "A00001", "gp_locum_vacancy")[0] == 0.4
    assert _role(frame, "A00001", "gp_locum_absence")[0] == 0.3
    assert _role(frame, "A00001", "advanced_nurse_practitioner") == (1.2, 2.0)
    assert _role(frame, "A00001", "practice_nurse")[0] == 2.0
    assert _role(frame, "A00001", "hca")[0] == 1.6
    assert _role(frame, "A00001", "pharmacist")[0] == 0.8
    assert _role(frame, "A00001", "nursing_associate")[0] == 0.6
    assert _role(frame, "A00001", "physician_associate")[0] == 1.0
    # NA in both measures: the role is left out for that practice, never a zero
    assert frame[(frame["practice_code"] == "A00001") & (frame["role"] == "gp_locum_other")].empty
    # ND FTE beside a valid (0) headcount: FTE missing, headcount kept
    para = frame[(frame["practice_code"] == "A00001") & (frame["role"] == "paramedic")]
    assert math.isnan(float(para["fte"].iloc[0])) and float(para["headcount"].iloc[0]) == 0.0
    first = list(frame.loc[frame["practice_code"] == "A00001", "role"])
    assert first == [r for r in DETAILED_ROLES if r in set(first)]
    assert set(frame["staff_group"]) == {"gp", "nurse", "dpc", "admin"}


def test_age_bands_of_gps_and_nurses(shared_data: Path, tmp_path: Path) -> None:
    _, gp_age, _, ages = read_gpw_detailed(_detailed(shared_data, tmp_path, CHOSEN))
    a = ages.frame[ages.frame["practice_code"] == "A00001"].set_index(["staff_group", "age_band"])
    assert a.loc[("gp", "55_59"), "headcount"] == 2 and a.loc[("gp", "60_64"), "headcount"] == 1
    assert a.loc[("nurse", "under_25"), "headcount"] == 1
    assert tuple(a.loc[("nurse", "60_64"), ["headcount", "fte"]]) == (2.0, 1.4)
    assert ("nurse", "70_plus") in a.index and math.isnan(a.loc[("nurse", "70_plus"), "headcount"])
    assert math.isnan(a.loc[("gp", "unknown"), "headcount"]) and a.loc[("gp", "unknown"), "fte"] == 0.0
    g = gp_age.frame[gp_age.frame["practice_code"] == "A00001"]
    assert "unknown" not in set(g["age_band"])  # NA: left out of the GP age profile, not zero


def test_missing_gp_age_band_column_is_refused_naming_file_and_column(shared_data: Path, tmp_path: Path) -> None:
    path = _detailed(shared_data, tmp_path, CHOSEN, drop=("TOTAL_GP_HC_55TO59",))
    with pytest.raises(IngestError) as err:
        read_workforce_all(path)
    assert NAME in str(err.value) and "TOTAL_GP_HC_55TO59" in str(err.value)


def test_old_2019_layout_still_read(shared_data: Path, tmp_path: Path) -> None:
    header = field_names(shared_data / OLD_WORKBOOK)
    values = {"TOTAL_GP_FTE": 4, "TOTAL_GP_EXRL_FTE": 3, "TOTAL_GP_REG_ST1_4_FTE": 1.0, "TOTAL_GP_HC_50TO54": 2}
    path = write_detailed_csv(tmp_path / "General Practice September 2019 Practice Level.csv", header, {"B1": values})
    _workforce, _gp_age, roles, ages = read_gpw_detailed(path)
    assert roles.period == "2019-09"
    assert _role(roles.frame, "B1", "gp_registrar")[0] == 1.0
    assert _role(roles.frame, "B1", "gp_qualified_permanent")[0] == 3.0
    assert set(ages.frame["staff_group"]) >= {"gp", "gp_qualified", "nurse", "dpc", "admin"}


_STEMS = [(role, stems[0]) for role, _, stems in ROLE_COLUMNS if len(stems) == 1]
_cell = st.one_of(st.sampled_from(["NA", "ND"]), st.integers(0, 40).map(lambda n: n / 4))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.tuples(st.sampled_from(_STEMS), _cell, _cell), min_size=1, max_size=12, unique_by=lambda t: t[0])
)
def test_single_column_roles_round_trip(shared_data: Path, tmp_path: Path, picks: list) -> None:  # type: ignore[type-arg]
    """Any values (or NA/ND) written to a role's columns come back as that role's FTE and headcount."""
    values: dict[str, str | int | float] = {}
    header = set(field_names(shared_data / DETAILED_WORKBOOK))
    picks = [p for p in picks if f"{p[0][1]}_FTE" in header]  # 2019-only roles are not in this layout
    for (_, stem), fte, hc in picks:
        values[f"{stem}_FTE"], values[f"{stem}_HC"] = fte, hc
    frame = read_gpw_detailed(_detailed(shared_data, tmp_path, values))[2].frame
    mine = frame[frame["practice_code"] == "A00001"].set_index("role")
    for (role, _), fte, hc in picks:
        if isinstance(fte, str) and isinstance(hc, str):
            assert role not in mine.index
            continue
        got = mine.loc[role]
        assert math.isnan(got["fte"]) if isinstance(fte, str) else got["fte"] == fte, role
        assert math.isnan(got["headcount"]) if isinstance(hc, str) else got["headcount"] == hc, role
