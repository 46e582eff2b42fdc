"""Monthly state of a staff register, derived from the records' dates alone (issue 12).

Pure numpy, vectorised over records x months; no loop over people. Conventions (docs/model.md,
"Staff register"):

- a month is measured at its last day ``E``; a record is *in post* at ``E`` when
  ``start <= E`` and it has not ended by ``E`` (``end`` is the last day worked, so someone
  whose last day is 31 January is a January leaver and not in post at the end of January);
- *joiners* in a month started in it, *leavers* ended in it (by leaving reason), so
  ``in_post[m] = in_post[m-1] + joiners[m] - leavers[m]`` holds exactly;
- *vacancy rate* = vacant FTE / (FTE in post + vacant FTE), NHS Digital's definition in the
  NHS Vacancy Statistics (vacancies as a share of the planned workforce, staff in post plus
  vacancies); a vacancy is open at ``E`` when ``opened <= E`` and it has not closed by ``E``;
- *12-month turnover* at month ``m`` = leavers in the 12 months ending at ``E_m`` / the average
  of the headcount in post at the start (``E_{m-12}``) and the end (``E_m``) of that period,
  NHS Digital's leaver rate (NHS Workforce Statistics: leavers divided by the average of staff
  in post at the beginning and end of the period, headcount).

Rates are NaN where their denominator is zero: a missing figure is never shown as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Dates = NDArray[np.datetime64]
Ints = NDArray[np.intp]
Floats = NDArray[np.float64]

#: Stands for "no end date" in comparisons (far after any month a register covers).
OPEN_END = np.datetime64("9999-12-31", "D")


@dataclass(frozen=True)
class RegisterState:
    """A register's monthly figures per group (employer) ``g``, month ``m``, role ``r``, reason ``k``."""

    month_end: Dates  # [m] last day of each month
    headcount: Ints  # [g, m, r] in post at month end
    fte: Floats  # [g, m, r] FTE in post at month end
    joiners: Ints  # [g, m, r] started in the month
    leavers: Ints  # [g, m, k] ended in the month, by leaving reason
    vacant_fte: Floats  # [g, m, r] FTE of open vacancies at month end
    vacancy_rate: Floats  # [g, m] vacant / (in post + vacant) FTE; NaN when both are 0
    leavers_12m: Ints  # [g, m] leavers in the 12 months ending at the month end
    turnover_12m: Floats  # [g, m] leavers_12m / mean(headcount 12 months before, headcount now)


def month_ends(first_month: str, last_month: str) -> Dates:
    """Last days of the months ``first_month`` .. ``last_month`` (``YYYY-MM``), in order."""
    months = np.arange(np.datetime64(first_month, "M"), np.datetime64(last_month, "M") + 1)
    return ((months + 1).astype("datetime64[D]") - 1).astype("datetime64[D]")


def _days(values: Dates) -> Dates:
    return np.where(np.isnat(values), OPEN_END, values).astype("datetime64[D]")


def in_post_at(start: Dates, end: Dates, at: Dates) -> NDArray[np.bool_]:
    """[n, t] True where record ``n`` is in post at the end of day ``at[t]``."""
    s, e = _days(start)[:, None], _days(end)[:, None]
    return (s <= at[None, :]) & ~(e <= at[None, :])


def _between(dates: Dates, after: Dates, upto: Dates) -> NDArray[np.bool_]:
    """[n, t] True where ``after[t] < dates[n] <= upto[t]`` (NaT never is)."""
    d = _days(dates)[:, None]
    return (d > after[None, :]) & (d <= upto[None, :]) & ~np.isnat(dates)[:, None]


def _sum_by(mask: NDArray[np.bool_], weight: Floats, group: Ints, cat: Ints, shape: tuple[int, int, int]) -> Floats:
    """out[g, t, c] = sum over records of weight where mask; records with cat < 0 are skipped."""
    out = np.zeros(shape)
    keep = cat >= 0
    if keep.any():
        m = mask[keep].astype(float) * weight[keep][:, None]
        t = np.arange(mask.shape[1])[None, :]
        np.add.at(out, (group[keep][:, None], t, cat[keep][:, None]), m)
    return out


def register_state(
    *,
    month_end: Dates,
    n_groups: int,
    n_roles: int,
    n_reasons: int,
    group: Ints,
    role: Ints,
    fte: Floats,
    start: Dates,
    end: Dates,
    reason: Ints,
    vac_group: Ints,
    vac_role: Ints,
    vac_fte: Floats,
    vac_opened: Dates,
    vac_closed: Dates,
) -> RegisterState:
    """Monthly figures of every group at once from staff records [n] and vacancies [v].

    ``group``/``role``/``reason`` are indices (``reason`` -1 where there is none: an ended
    record always has one, ``unknown`` at worst, so leavers by reason add up to all leavers);
    ``end``/``vac_closed`` NaT when open. Dates are ``datetime64[D]``.
    """
    e = month_end.astype("datetime64[D]")
    prev = (e.astype("datetime64[M]").astype("datetime64[D]") - 1).astype("datetime64[D]")
    year_before = ((e.astype("datetime64[M]") - 11).astype("datetime64[D]") - 1).astype("datetime64[D]")
    n_m = len(e)
    ones = np.ones(len(start))
    post = in_post_at(start, end, e)
    shape_r = (n_groups, n_m, n_roles)
    headcount = _sum_by(post, ones, group, role, shape_r)
    fte_in_post = _sum_by(post, fte.astype(float), group, role, shape_r)
    joiners = _sum_by(_between(start, prev, e), ones, group, role, shape_r)
    left = _between(end, prev, e)
    leavers = _sum_by(left, ones, group, reason, (n_groups, n_m, n_reasons))
    every = np.zeros(len(start), dtype=np.intp)
    leavers_12m = _sum_by(_between(end, year_before, e), ones, group, every, (n_groups, n_m, 1))[:, :, 0]
    at_start = _sum_by(in_post_at(start, end, year_before), ones, group, every, (n_groups, n_m, 1))[:, :, 0]
    at_end = headcount.sum(axis=2)
    vacant = _sum_by(in_post_at(vac_opened, vac_closed, e), vac_fte.astype(float), vac_group, vac_role, shape_r)
    vac_total, fte_total = vacant.sum(axis=2), fte_in_post.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        planned = fte_total + vac_total
        vacancy_rate = np.where(planned > 0, vac_total / np.where(planned > 0, planned, 1.0), np.nan)
        average = (at_start + at_end) / 2.0
        turnover = np.where(average > 0, leavers_12m / np.where(average > 0, average, 1.0), np.nan)
    return RegisterState(
        month_end=e,
        headcount=headcount.round().astype(np.intp),
        fte=fte_in_post,
        joiners=joiners.round().astype(np.intp),
        leavers=leavers.round().astype(np.intp),
        vacant_fte=vacant,
        vacancy_rate=vacancy_rate,
        leavers_12m=leavers_12m.round().astype(np.intp),
        turnover_12m=turnover,
    )


def age_at(birth_year: Floats, on: Dates) -> Floats:
    """Age in whole years reached in the calendar year of ``on`` (NaN without a birth year)."""
    years = on.astype("datetime64[Y]").astype(np.int64) + 1970
    return np.where(np.isnan(birth_year), np.nan, years - birth_year)
