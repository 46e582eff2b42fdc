"""Register figures against a small register worked by hand (issue 12: turnover, vacancy rate
and leavers by reason equal hand-computed values)."""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.register import month_ends, register_state

ROLES = ("gp", "nurse", "hca", "pharmacist", "admin")
REASONS = ("retirement", "other", "unknown")
NAT = np.datetime64("NaT", "D")

# role, fte, start, end, reason
RECORDS = [
    ("gp", 1.0, "2020-01-01", None, None),
    ("gp", 0.8, "2021-06-01", "2025-03-31", "retirement"),
    ("nurse", 0.6, "2024-11-15", None, None),
    ("hca", 1.0, "2025-02-10", "2025-08-15", "other"),
    ("pharmacist", 0.5, "2025-05-01", None, None),
    ("admin", 1.0, "2019-01-01", "2025-12-31", "unknown"),  # last day = month end: a December leaver
]
# role, fte, opened, closed
VACANCIES = [("gp", 1.0, "2025-04-01", "2025-09-30"), ("nurse", 0.4, "2025-10-01", None)]


def _dates(values: list[str | None]) -> np.ndarray:
    return np.array([NAT if v is None else np.datetime64(v, "D") for v in values], dtype="datetime64[D]")


def _state():
    n = len(RECORDS)
    return register_state(
        month_end=month_ends("2025-01", "2025-12"),
        n_groups=1,
        n_roles=len(ROLES),
        n_reasons=len(REASONS),
        group=np.zeros(n, dtype=np.intp),
        role=np.array([ROLES.index(r[0]) for r in RECORDS], dtype=np.intp),
        fte=np.array([r[1] for r in RECORDS]),
        start=_dates([r[2] for r in RECORDS]),
        end=_dates([r[3] for r in RECORDS]),
        reason=np.array([REASONS.index(r[4]) if r[4] else -1 for r in RECORDS], dtype=np.intp),
        vac_group=np.zeros(2, dtype=np.intp),
        vac_role=np.array([ROLES.index(v[0]) for v in VACANCIES], dtype=np.intp),
        vac_fte=np.array([v[1] for v in VACANCIES]),
        vac_opened=_dates([v[2] for v in VACANCIES]),
        vac_closed=_dates([v[3] for v in VACANCIES]),
    )


def test_month_ends_are_last_days() -> None:
    ends = month_ends("2024-01", "2024-03")
    assert [str(d) for d in ends] == ["2024-01-31", "2024-02-29", "2024-03-31"]


def test_headcount_fte_joiners_and_leavers_by_reason_by_hand() -> None:
    s = _state()
    jan, jun, dec = 0, 5, 11
    # 31 Jan 2025: GP 1.0, GP 0.8, nurse 0.6, admin 1.0
    assert s.headcount[0, jan].sum() == 4
    assert s.fte[0, jan].sum() == pytest.approx(3.4)
    # 30 Jun 2025: GP 1.0, nurse 0.6, HCA 1.0, pharmacist 0.5, admin 1.0
    assert s.headcount[0, jun].tolist() == [1, 1, 1, 1, 1]
    assert s.fte[0, jun].sum() == pytest.approx(4.1)
    # 31 Dec 2025: the admin's last day was 31 December, so they are not in post
    assert s.headcount[0, dec].tolist() == [1, 1, 0, 1, 0]
    assert s.joiners[0].sum(axis=1).tolist() == [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert s.leavers[0, 2].tolist() == [1, 0, 0]  # March: retirement
    assert s.leavers[0, 7].tolist() == [0, 1, 0]  # August: other
    assert s.leavers[0, dec].tolist() == [0, 0, 1]  # December: unknown
    assert s.leavers[0].sum() == 3


def test_stock_flow_identity() -> None:
    s = _state()
    total = s.headcount[0].sum(axis=1)
    flows = s.joiners[0].sum(axis=1)[1:] - s.leavers[0].sum(axis=1)[1:]
    assert (total[1:] - total[:-1] == flows).all()


def test_vacancy_rate_by_hand() -> None:
    s = _state()
    # March: no vacancy open -> 0 (a real zero, FTE in post exists)
    assert s.vacancy_rate[0, 2] == 0.0
    # 30 June: 1.0 GP vacant / (4.1 in post + 1.0 vacant)
    assert s.vacancy_rate[0, 5] == pytest.approx(1.0 / 5.1)
    # 30 September: the GP vacancy closed that day, so nothing is open
    assert s.vacancy_rate[0, 8] == 0.0
    # 31 December: 0.4 nurse vacant / (GP 1.0 + nurse 0.6 + pharmacist 0.5 + 0.4)
    assert s.vacancy_rate[0, 11] == pytest.approx(0.4 / 2.5)
    assert s.vacant_fte[0, 11, ROLES.index("nurse")] == pytest.approx(0.4)


def test_twelve_month_turnover_by_hand() -> None:
    s = _state()
    # year to 31 Dec 2025: 3 leavers; headcount 4 on 31 Dec 2024 and 3 on 31 Dec 2025
    assert s.leavers_12m[0, 11] == 3
    assert s.turnover_12m[0, 11] == pytest.approx(3 / 3.5)
    # year to 30 June 2025: 1 leaver (March); headcount 4 on 30 June 2024 (GPs, admin; the nurse
    # started in November) ... 3 then, 5 now
    assert s.leavers_12m[0, 5] == 1
    assert s.turnover_12m[0, 5] == pytest.approx(1 / ((3 + 5) / 2))


def test_empty_group_gives_nan_rates_not_zero() -> None:
    s = register_state(
        month_end=month_ends("2025-01", "2025-02"),
        n_groups=2,
        n_roles=1,
        n_reasons=3,
        group=np.array([0], dtype=np.intp),
        role=np.array([0], dtype=np.intp),
        fte=np.array([1.0]),
        start=_dates(["2024-01-01"]),
        end=_dates([None]),
        reason=np.array([-1], dtype=np.intp),
        vac_group=np.zeros(0, dtype=np.intp),
        vac_role=np.zeros(0, dtype=np.intp),
        vac_fte=np.zeros(0),
        vac_opened=_dates([]),
        vac_closed=_dates([]),
    )
    assert np.isnan(s.vacancy_rate[1]).all() and np.isnan(s.turnover_12m[1]).all()
    assert s.turnover_12m[0, 0] == 0.0
