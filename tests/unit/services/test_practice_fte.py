"""Unit: practice FTE from a small workforce frame, its labels and the per-organisation counts.

Three practices in one sub-ICB, lists 1,000 / 2,000 / 3,000. Nurses: A 1.0, B NA (row absent),
C 3.0 -> per 1,000 1.0 and 1.0, so B gets 2 * 1.0 = 2.0. DPC: A 0 (published), B 4.0, C NA ->
per 1,000 0.0 and 2.0, median 1.0, so C gets 3.0. GP rows for all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.reference import load_reference
from gpworkforce.services.practice_fte import (
    estimate_counts_note,
    estimated_shown,
    practice_fte,
    source_labels,
)

PRACTICES = pd.DataFrame({"practice_code": ["A", "B", "C"], "sub_icb_code": ["S1"] * 3, "icb_code": ["I1"] * 3})
LISTS = np.array([1000.0, 2000.0, 3000.0])
WORKFORCE = pd.DataFrame(
    {
        "practice_code": ["A", "A", "A", "B", "B", "C", "C", "C"],
        "staff": ["gp", "nurse", "dpc", "gp", "dpc", "gp", "nurse", "dpc"],
        "fte": [1.0, 1.0, 0.0, 2.0, 4.0, 3.0, 3.0, np.nan],
        "headcount": np.nan,
    }
)


def test_missing_groups_estimated_split_and_labelled() -> None:
    ref = load_reference()
    out = practice_fte(WORKFORCE, PRACTICES, LISTS, ref)
    nurse = out.fte[:, [ROLE_CODES.index("anp"), ROLE_CODES.index("practice_nurse")]].sum(axis=1)
    np.testing.assert_allclose(nurse, [1.0, 2.0, 3.0])
    dpc_mix = ref.staff_mix[ref.staff_groups.index("dpc")]
    np.testing.assert_allclose(
        out.fte[:, ROLE_CODES.index("pharmacist")], np.array([0.0, 4.0, 3.0]) * dpc_mix[ROLE_CODES.index("pharmacist")]
    )
    labels = source_labels(out.source, out.estimated, ref.staff_groups)
    # locum/trainee GPs and admin are absent everywhere: known nowhere, so not estimated
    assert list(labels) == ["workforce", "workforce; nurse estimated", "workforce; DPC estimated"]
    note = estimate_counts_note(out.estimated, ref.staff_groups)
    assert note is not None and "1 practice estimated nurse FTE, 1 practice estimated DPC FTE" in note


def test_a_corrected_role_clears_its_groups_estimate_flag() -> None:
    ref = load_reference()
    out = practice_fte(WORKFORCE, PRACTICES, LISTS, ref)
    overridden = np.zeros((3, len(ROLE_CODES)), dtype=bool)
    overridden[1, ROLE_CODES.index("anp")] = True  # B's ANPs corrected: its nurse figure is the user's
    shown = estimated_shown(out.estimated, overridden, ref.staff_mix)
    assert not shown[1, ref.staff_groups.index("nurse")] and shown[2, ref.staff_groups.index("dpc")]
    assert estimate_counts_note(np.zeros_like(shown), ref.staff_groups) is None


def test_no_workforce_table_means_no_fte_and_every_practice_an_estimate() -> None:
    out = practice_fte(WORKFORCE.iloc[0:0], PRACTICES, LISTS, load_reference())
    assert (out.fte == 0).all() and list(out.source) == ["estimate"] * 3 and not out.estimated.any()


def test_detailed_roles_replace_the_national_dpc_and_nurse_split() -> None:
    """A's published roles: nurses 0.25 ANP + 0.75 practice nurse; DPC 0 (no split possible).
    B: DPC 1.0 HCA + 2.0 pharmacist + 1.0 paramedic of its 4.0 -> shares 1/4, 2/4, 1/4.
    C has no detailed row: England's mix, and its source stays ``workforce``."""
    from gpworkforce.services.practice_fte import FTE_SOURCE_DETAILED

    ref = load_reference()
    roles = pd.DataFrame(
        {
            "practice_code": ["A", "A", "A", "B", "B", "B", "B"],
            "staff_group": ["nurse", "nurse", "dpc", "dpc", "dpc", "dpc", "dpc"],
            "role": [
                "advanced_nurse_practitioner",
                "practice_nurse",
                "hca",
                "hca",
                "pharmacist",
                "paramedic",
                "dpc_all",
            ],
            "fte": [0.25, 0.75, 0.0, 1.0, 2.0, 1.0, 4.0],
            "headcount": np.nan,
        }
    )
    out = practice_fte(WORKFORCE, PRACTICES, LISTS, ref, roles)
    col = ROLE_CODES.index
    assert out.fte[0, col("anp")] == 0.25 and out.fte[0, col("practice_nurse")] == 0.75
    np.testing.assert_allclose(out.fte[1, [col("hca"), col("pharmacist"), col("paramedic")]], [1.0, 2.0, 1.0])
    plain = practice_fte(WORKFORCE, PRACTICES, LISTS, ref)
    np.testing.assert_allclose(out.fte[2], plain.fte[2])  # C: no detailed roles, England's mix
    np.testing.assert_allclose(out.fte.sum(axis=1), plain.fte.sum(axis=1))  # FTE moved between roles only
    assert list(out.source) == [FTE_SOURCE_DETAILED, FTE_SOURCE_DETAILED, "workforce"]
    assert out.detailed is not None and out.detailed[1, ref.staff_groups.index("dpc")]
    assert not out.detailed[0, ref.staff_groups.index("dpc")]  # a published 0 total: nothing to split
