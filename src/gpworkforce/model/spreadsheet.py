"""A deliberately plain reference: the same sums, one practice at a time, as a spreadsheet would.

Used only to cross-check :func:`gpworkforce.model.engine.run` in tests and to measure how
much the vectorised engine gains in ``make bench``. Plain Python floats and loops, no numpy
on the inner path, so it is an honest picture of a cell-by-cell calculation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from gpworkforce.model.engine import Parameters

WEEKS = 52.0


def _row(values: object) -> list[float]:
    return [float(v) for v in values]  # type: ignore[attr-defined]


def gap_one_practice(
    patients: Sequence[Sequence[float]],
    covariates: Sequence[float],
    fte: Sequence[float],
    p: Parameters,
    shift_share: float = 0.0,
) -> tuple[list[float], list[float], float]:
    """(demand per role a week, capacity per role a week, unassigned a week) for one practice."""
    rates = [_row(r) for r in p.rates]
    expected = 0.0
    for a, row in enumerate(patients):
        for s, n in enumerate(row):
            expected += float(n) * rates[a][s]
    log_need = sum(float(z) * float(b) for z, b in zip(covariates, p.need_coefficients, strict=True))
    booked = p.scale * expected * math.exp(log_need)

    n_roles, n_cats = len(fte), len(p.category_share)
    per_fte = []
    for r in range(n_roles):
        if p.clinical[r]:
            per_fte.append(
                p.hours_per_fte
                * float(p.weeks_worked[r])
                / 52.0
                * float(p.patient_facing[r])
                * 60.0
                / float(p.minutes[r])
            )
        else:
            per_fte.append(0.0)
    capacity = [float(fte[r]) * per_fte[r] for r in range(n_roles)]

    demand = [0.0] * n_roles
    unassigned = 0.0
    gp_cap = sum(capacity[r] for r in range(n_roles) if p.gp_roles[r])
    first_gp = next(r for r in range(n_roles) if p.gp_roles[r])
    for c in range(n_cats):
        weekly = booked * float(p.category_share[c]) / WEEKS
        gp_work = weekly * float(p.gp_share[c])
        other_work = weekly - gp_work
        keep = 1.0
        for r in range(n_roles):
            if not p.gp_roles[r] and capacity[r] > 0:
                keep *= 1.0 - float(p.skills[r][c])
        moved = shift_share * (1.0 - keep) * gp_work
        gp_work -= moved
        for r in range(n_roles):
            if p.gp_roles[r]:
                share = capacity[r] / gp_cap if gp_cap > 0 else (1.0 if r == first_gp else 0.0)
                demand[r] += gp_work * share
        for work, weights in ((other_work, p.delivery_weight), (moved, p.skills)):
            total = sum(capacity[r] * float(weights[r][c]) for r in range(n_roles) if not p.gp_roles[r])
            if total > 0:
                for r in range(n_roles):
                    if not p.gp_roles[r]:
                        demand[r] += work * capacity[r] * float(weights[r][c]) / total
            elif work is other_work:
                unassigned += work
    return demand, capacity, unassigned


def gap_all_practices(
    patients: Sequence[Sequence[Sequence[float]]],
    covariates: Sequence[Sequence[float]],
    fte: Sequence[Sequence[float]],
    p: Parameters,
    shift_share: float = 0.0,
) -> list[tuple[list[float], list[float], float]]:
    """The per-practice loop over every practice."""
    return [gap_one_practice(patients[i], covariates[i], fte[i], p, shift_share) for i in range(len(patients))]
