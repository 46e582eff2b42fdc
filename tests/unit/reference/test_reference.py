"""Unit: reference parameters carry a source for every number, and user overrides are checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gpworkforce.frames import WORKFORCE_STAFF
from gpworkforce.model.skillmix import transferable_share
from gpworkforce.nomenclature import AGE_BANDS, NEED_CODES, ROLE_BY_CODE, ROLE_CODES, SEXES
from gpworkforce.reference import ReferenceError, load_reference


def test_every_number_has_a_source() -> None:
    ref = load_reference()
    for name, table in ref.tables.items():
        if "source" in table.columns:
            assert (table["source"].str.strip() != "").all(), f"{name} has a row without a source"


def test_tables_cover_every_band_role_and_category() -> None:
    ref = load_reference()
    assert ref.rates.shape == (len(AGE_BANDS), len(SEXES)) and (ref.rates > 0).all()
    clinical = np.array([ROLE_BY_CODE[r].clinical for r in ROLE_CODES])
    assert (ref.minutes[clinical] > 0).all() and (ref.patient_facing[clinical] > 0).all()
    assert ref.skills.shape == (len(ROLE_CODES), len(NEED_CODES))
    assert ref.category_share.sum() == pytest.approx(1.0)


def test_default_skills_stay_within_published_transferable_range() -> None:
    """With every role on the team, the share of GP work others could take is 16-35%
    (Making Time in General Practice 2015: 16%; Wessex 2017: 35%)."""
    ref = load_reference()
    gp = np.array([r in ("gp", "gp_locum_trainee") for r in ROLE_CODES])
    other = (~gp).astype(float)
    share = transferable_share(ref.skills * other[:, None], other)
    weights = ref.category_share * ref.gp_share
    overall = float((share * weights).sum() / weights.sum())
    assert (
        ref.general["gp_share_of_demand_transferable_low"]
        <= overall
        <= ref.general["gp_share_of_demand_transferable_high"]
    )


def test_staff_groups_split_into_roles_by_a_mix_that_adds_up_to_one() -> None:
    ref = load_reference()
    assert set(ref.staff_groups) == set(WORKFORCE_STAFF)
    np.testing.assert_allclose(ref.staff_mix.sum(axis=1), 1.0)
    dpc = ref.staff_mix[ref.staff_groups.index("dpc")]
    nurse = ref.staff_mix[ref.staff_groups.index("nurse")]
    # 1,249 of 13,565 DPC FTE pharmacists (Sept 2019); 3,300 of 16,040 nurse FTE ANPs (Sept 2018)
    assert dpc[ROLE_CODES.index("pharmacist")] == pytest.approx(1249 / 13565, abs=5e-5)
    assert nurse[ROLE_CODES.index("anp")] == pytest.approx(3300 / 16040, abs=5e-5)
    # every role a staff group is split into belongs to that NHS staff group
    for staff, row in zip(ref.staff_groups, ref.staff_mix, strict=True):
        for r in np.flatnonzero(row):
            assert ROLE_BY_CODE[ROLE_CODES[r]].staff_group == ("gp" if staff.startswith("gp") else staff)


def test_staff_mix_override_may_add_roles_but_must_add_up(tmp_path: Path) -> None:
    good = tmp_path / "mix.csv"
    good.write_text("staff,role,share\ndpc,pharmacist,0.1\ndpc,hca,0.6\ndpc,nursing_associate,0.3\n")
    ref = load_reference([good])
    dpc = ref.staff_mix[ref.staff_groups.index("dpc")]
    assert dpc[ROLE_CODES.index("nursing_associate")] == 0.3 and dpc[ROLE_CODES.index("hca")] == 0.6
    bad = tmp_path / "half.csv"
    bad.write_text("staff,role,share\ndpc,pharmacist,0.5\n")
    with pytest.raises(ReferenceError, match=r"half.csv.*column share.*'dpc' add up to 1.4079"):
        load_reference([bad])
    unknown = tmp_path / "who.csv"
    unknown.write_text("staff,role,share\nvets,hca,1\n")
    with pytest.raises(ReferenceError, match="row 2, column staff"):
        load_reference([unknown])


def test_override_replaces_the_matching_rows(tmp_path: Path) -> None:
    path = tmp_path / "my_roles.csv"
    path.write_text("role,parameter,value\ngp,minutes,10\npharmacist,patient_facing_share,0.6\n")
    ref = load_reference([path])
    assert ref.minutes[ROLE_CODES.index("gp")] == 10
    assert ref.patient_facing[ROLE_CODES.index("pharmacist")] == 0.6
    row = ref.tables["roles"].query("role == 'gp' and parameter == 'minutes'")
    assert "my_roles.csv" in row["source"].iloc[0]
    assert ref.overrides == ("roles: my_roles.csv",)


@pytest.mark.parametrize(
    "text, where",
    [
        ("role,parameter,value\nwizard,minutes,10\n", "row 2, column role"),
        ("role,parameter,value\ngp,minutes,ten\n", "row 2, column value"),
        ("role,parameter,value\ngp,minutes,5\ngp,minutes,-1\n", "row 3, column value"),
        ("role,parameter,value\ngp,speed,5\n", "row 2, column parameter"),
        ("foo,bar\n1,2\n", "row 1"),
        ("role,category,value\nanp,acute,1.5\n", "must be between 0 and 1"),
    ],
)
def test_bad_override_names_file_row_and_column(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "override.csv"
    path.write_text(text)
    with pytest.raises(ReferenceError) as err:
        load_reference([path])
    assert "override.csv" in str(err.value) or "skills" in str(err.value)
    assert where in str(err.value)


def test_weights_and_thresholds_formerly_in_services_are_sourced_reference_parameters() -> None:
    ref = load_reference()
    general = ref.tables["general"].set_index("parameter")
    for name in ("base_delivery_weight", "local_factor_min", "local_factor_max", "need_fit_min_practices"):
        assert general.loc[name, "source"].strip(), name
    assert ref.general["local_factor_min"] < 1.0 < ref.general["local_factor_max"]
    # the base weight only fills gaps: below every skills share a role is actually given
    assert 0 < ref.general["base_delivery_weight"] < ref.skills[ref.skills > 0].min()


def test_general_override_changes_the_base_delivery_weight(tmp_path: Path) -> None:
    path = tmp_path / "general.csv"
    path.write_text("parameter,value\nbase_delivery_weight,0.005\n")
    assert load_reference([path]).general["base_delivery_weight"] == 0.005
