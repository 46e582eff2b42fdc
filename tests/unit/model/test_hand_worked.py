"""Unit: a small synthetic practice worked by hand, matched to the appointment.

Practice: 100 girls aged 0-4 (10 appointments/person-year) and 200 men aged 70-74 (21).
  demand   = 100*10 + 200*21 = 5,200 a year = 100 a week
  by need  = acute 60%, planned clinic 40%  -> 60 and 40 a week
  GP work  = acute 50% of 60 + clinic 25% of 40 = 30 + 10 = 40 a week; nurse 60 a week
  GP slots = 1 FTE * 37.5 h * (52/52) * 0.5 facing * 60/15 = 75 a week
  nurse    = 0.5 FTE * 37.5 h * 0.8 * 60/20 = 45 a week
  gap      = GP 40 - 75 = -35; nurse 60 - 45 = +15; total -20
With half of the transferable GP work shifted (nurse can take 20% of acute, 50% of clinic):
  moved    = 0.5 * (0.2*30 + 0.5*10) = 5.5 a week -> GP 34.5, nurse 65.5
With DNAs cut from 5% to 2.5%: booked = 5,200 * 0.95 / 0.975 = 5,066.67 a year.
"""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.engine import Levers, ModelInputs, run
from tests.unit.model.helpers import GP, NURSE, small_practice, two_role_parameters


def _inputs() -> ModelInputs:
    patients, fte = small_practice()
    return ModelInputs(patients=patients, covariates=np.zeros((1, 0)), fte=fte)


def test_baseline_matches_hand_calculation() -> None:
    res = run(_inputs(), two_role_parameters())
    assert res.booked_year[0] == pytest.approx(5200.0)
    assert res.demand_week[0, GP] == pytest.approx(40.0)
    assert res.demand_week[0, NURSE] == pytest.approx(60.0)
    assert res.capacity_week[0, GP] == pytest.approx(75.0)
    assert res.capacity_week[0, NURSE] == pytest.approx(45.0)
    assert res.gap_week[0, GP] == pytest.approx(-35.0)
    assert res.gap_week[0, NURSE] == pytest.approx(15.0)
    assert res.total_gap_week[0] == pytest.approx(-20.0)
    assert res.unassigned_week[0] == pytest.approx(0.0)


def test_shift_moves_the_hand_worked_amount() -> None:
    res = run(_inputs(), two_role_parameters(), Levers(shift_share=0.5))
    assert res.shifted_week[0] == pytest.approx(5.5)
    assert res.demand_week[0, GP] == pytest.approx(34.5)
    assert res.demand_week[0, NURSE] == pytest.approx(65.5)
    # the team's nurse could take 0.2*30 + 0.5*10 = 11 GP appointments a week: all of it moves at 100%
    assert run(_inputs(), two_role_parameters(), Levers(shift_share=1.0)).shifted_week[0] == pytest.approx(11.0)


def test_dna_lever_shrinks_bookings() -> None:
    res = run(_inputs(), two_role_parameters(), Levers(dna_target=0.025))
    assert res.booked_year[0] == pytest.approx(5200 * 0.95 / 0.975)


def test_growth_and_added_fte() -> None:
    growth = np.full((20, 2), 1.1)
    added = np.zeros_like(_inputs().fte)
    added[0, NURSE] = 0.5
    res = run(_inputs(), two_role_parameters(), Levers(growth=growth, added_fte=added))
    assert res.booked_year[0] == pytest.approx(5720.0)
    assert res.capacity_week[0, NURSE] == pytest.approx(90.0)
    # the run returns the projected patients: 300 * 1.1 = 330, 110 girls aged 0-4
    assert res.list_size[0] == pytest.approx(330.0)
    assert res.patients[0].sum() == pytest.approx(330.0) and res.patients[0, 0, 0] == pytest.approx(110.0)
    assert run(_inputs(), two_role_parameters()).list_size[0] == 300.0


def test_no_nurse_leaves_other_work_unassigned() -> None:
    patients, fte = small_practice()
    fte[0, NURSE] = 0.0
    res = run(ModelInputs(patients, np.zeros((1, 0)), fte), two_role_parameters())
    assert res.unassigned_week[0] == pytest.approx(60.0)
    assert res.total_gap_week[0] == pytest.approx(40.0 + 60.0 - 75.0)
