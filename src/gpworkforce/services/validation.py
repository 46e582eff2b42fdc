"""Back-tests that can fail: every prediction is judged on appointments its fit never used.

1. Out of region, practices: for each region with practice-level appointments, the need model
   is fitted on the practices of the other regions and judged on that region's practices
   (leave one region out). The calibration layers are also out of time: England's volume and
   each sub-ICB's level come from the national series' 12 months *before* the judged month,
   and the judged month's share of a year from the same month a year earlier.
2. Out of time, sub-ICBs: each of the series' last months is predicted from the months before
   it only (England's level as above), every sub-ICB of England.
3. Out of region, sub-ICBs: the level and need fitted on the practice-level month predict the
   same month for the sub-ICBs outside the regions that month covers.

Every check puts the model beside the same baselines: list size alone, age-sex alone and last
year's share. What cannot be validated with the data loaded (the practice's own previous month
when only one practice month is loaded) is listed with n = 0 and says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from gpworkforce import store
from gpworkforce.model.backtest import (
    median_ratio,
    need_model_prediction,
    own_month_prediction,
    persistence,
    rate_per_patient,
    spread,
)
from gpworkforce.model.calibration import accuracy, area_factors, fit_need, standardise
from gpworkforce.model.demand import age_sex_expected, need_index
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.versions import Workspace
from gpworkforce.store.aggregates import load_totals

Array = NDArray[np.float64]
OUT_OF_TIME_MONTHS = 3  # the series' last months judged out of time
WINDOW = 12


class ValidationRow(BaseModel):
    """One predictor judged on one check: correlation, median absolute % error, total ratio."""

    model_config = ConfigDict(frozen=True)

    check: str
    predictor: str
    n: int
    r: float | None = None
    median_ape: float | None = None
    total_ratio: float | None = None
    note: str = ""


class ValidationReport(BaseModel):
    """The back-test rows and what the data allowed."""

    model_config = ConfigDict(frozen=True)

    appointments_month: str | None
    practices_with_appointments: int
    regions_with_appointments: list[str]
    judged_months: list[str]
    rows: list[ValidationRow]
    need_adjustment_helps: bool
    notes: list[str]


def _row(check: str, predictor: str, predicted: Array, observed: Array, note: str = "") -> ValidationRow:
    ok = np.isfinite(predicted) & np.isfinite(observed) & (observed > 0)
    if ok.sum() < 3:
        return ValidationRow(check=check, predictor=predictor, n=int(ok.sum()), note=note)
    a = accuracy(predicted[ok], observed[ok])
    return ValidationRow(
        check=check,
        predictor=predictor,
        n=int(a["n"]),
        r=a["correlation"],
        median_ape=a["median_ape"],
        total_ratio=a["total_ratio"],
        note=note,
    )


def _subicb_of_practices(ctx: Workspace, period: str | None) -> NDArray[np.object_]:
    """Practice -> sub-ICB code from the mapping of the appointments month if loaded, else the latest
    (so practices match the series' codes of that time)."""
    nd = ctx.version().data
    current = pd.Series(nd.practices["sub_icb_code"].to_numpy(), index=nd.practices["practice_code"])
    with store.session_scope(ctx.engine) as s:
        periods = store.list_periods(s, "mapping")
        if period in periods:
            frame, _ = store.load_frame(s, "mapping", period)
            old = frame.drop_duplicates("practice_code").set_index("practice_code")["sub_icb_code"]
            current = old.reindex(current.index).fillna(current)
    return current.astype(str).to_numpy()


class _Series:
    """The national sub-ICB series as a [sub-ICB x month] table with the out-of-time levels."""

    def __init__(self, series: pd.DataFrame) -> None:
        self.table = series.pivot_table(
            index="sub_icb_code", columns="month", values="appointments", aggfunc="sum", fill_value=0.0
        ).sort_index(axis=1)
        self.months = list(self.table.columns)
        self.england = self.table.sum()

    def usable(self, month: str) -> bool:
        """True when the 12 months before ``month`` and the 12 before the same month a year earlier exist."""
        return month in self.months and self.months.index(month) >= 2 * WINDOW

    def window(self, month: str) -> list[str]:
        i = self.months.index(month)
        return self.months[i - WINDOW : i]

    def england_level(self, month: str) -> float:
        """England's appointments expected in ``month`` from earlier months only: the 12 months before
        it times the share the same month had of its own 12-month year a year earlier."""
        year_ago = self.months[self.months.index(month) - WINDOW]
        share = self.england[year_ago] / self.england[self.window(year_ago)].sum()
        return float(self.england[self.window(month)].sum() * share)


def validate(ctx: Workspace) -> ValidationReport:
    """Run the back-tests on the loaded data."""
    nd, ref = ctx.version().data, ctx.reference
    if nd.appointments.empty:
        raise DataMissingError("validation needs practice-level appointments: gpworkforce import appointments FILE")
    month = nd.periods.get("appointments")
    z, _, _ = standardise(nd.covariates)
    expected = age_sex_expected(nd.patients, ref.rates)
    observed = nd.observed_month
    patients = nd.patients.sum(axis=(1, 2))
    has = np.isfinite(observed) & (observed > 0) & (expected > 0)
    region = nd.practices["region_name"].astype(str).to_numpy()
    subicb = _subicb_of_practices(ctx, month)
    regions = sorted(set(region[has]))
    series = _Series(nd.subicb_series) if not nd.subicb_series.empty else None
    rows: list[ValidationRow] = []
    notes: list[str] = []

    # 1. practices, leave one region out (and the calibration layers out of time)
    layered = series is not None and month is not None and series.usable(month)
    area_of = np.full(len(observed), -1, dtype=np.intp)
    preds = {
        k: np.full(len(observed), np.nan)
        for k in ("list", "age_sex", "need_level", "age_sex_eng", "pop_eng", "age_sex_sub", "pop_sub")
    }
    if layered:
        assert series is not None and month is not None
        level = series.england_level(month)
        window = series.window(month)
        published = series.table[window].sum(axis=1)
        codes = list(published.index)
        area = np.array([codes.index(c) if c in codes else -1 for c in subicb], dtype=np.intp)
        area_of = area
        target = published.to_numpy(dtype=float)
    for held in regions:
        test = has & (region == held)
        train = has & (region != held)
        fit = fit_need(np.where(train, observed, 0.0), np.where(train, expected, 0.0), z)
        kept = train & fit.kept
        preds["list"][test] = rate_per_patient(observed[kept], patients[kept]) * patients[test]
        preds["age_sex"][test] = median_ratio(observed[kept], expected[kept]) * expected[test]
        preds["need_level"][test] = need_model_prediction(fit.intercept, fit.coefficients, expected[test], z[test])
        if layered:
            for name, weight in (("age_sex", expected), ("pop", expected * need_index(z, fit.coefficients))):
                england = spread(level, weight)
                sub = england * area_factors(spread(target.sum(), weight), area, target)
                preds[f"{name}_eng"][test] = england[test]
                preds[f"{name}_sub"][test] = sub[test]
    check = f"out-of-region practices ({month}, leave one of {len(regions)} regions out)"
    rows += [
        _row(check, "list size alone (level from the other regions)", preds["list"][has], observed[has]),
        _row(check, "age-sex alone (level from the other regions)", preds["age_sex"][has], observed[has]),
        _row(check, "age-sex + need (level from the other regions)", preds["need_level"][has], observed[has]),
    ]
    if layered:
        rows += [
            _row(check, "age-sex + England volume", preds["age_sex_eng"][has], observed[has]),
            _row(check, "population (age-sex + need) + England volume", preds["pop_eng"][has], observed[has]),
            _row(check, "age-sex + sub-ICB calibration (no need)", preds["age_sex_sub"][has], observed[has]),
            _row(check, "population + sub-ICB calibration", preds["pop_sub"][has], observed[has]),
        ]
        notes.append(
            f"practice calibration layers use the national series {window[0]}..{window[-1]} only "
            f"(the 12 months before {month}) and {month}'s share of a year from a year earlier"
        )
    if month is not None:
        rows += _own_earlier_months(ctx, check, month, series, preds["pop_sub"] if layered else None, area_of, has)

    # 2. sub-ICBs out of time
    judged: list[str] = []
    if series is not None:
        judged = [m for m in series.months[-OUT_OF_TIME_MONTHS:] if series.usable(m)]
        rows += _subicbs_out_of_time(series, judged, subicb, patients, expected, z, has, observed)
        if judged:
            notes.append(
                f"sub-ICBs out of time: each of {', '.join(judged)} predicted from the series before it; "
                f"the need shape comes from the practice-level month ({month})"
            )

    # 3. sub-ICBs outside the practice-level regions, same month
    if series is not None and month in series.months:
        fit = fit_need(np.where(has, observed, 0.0), np.where(has, expected, 0.0), z)
        kept = has & fit.kept
        by = pd.Series(subicb)
        outside = sorted(set(series.table.index) - set(subicb[has]))
        obs = series.table[month].reindex(outside).to_numpy(dtype=float)
        check3 = f"out-of-region sub-ICBs ({month}, {len(outside)} outside the practice-level regions)"
        for name, pred in (
            ("list size alone", rate_per_patient(observed[kept], patients[kept]) * patients),
            ("age-sex alone", median_ratio(observed[kept], expected[kept]) * expected),
            ("age-sex + need", need_model_prediction(fit.intercept, fit.coefficients, expected, z)),
        ):
            total = pd.Series(pred).groupby(by).sum().reindex(outside).to_numpy(dtype=float)
            rows.append(_row(check3, f"{name} (level from the practice-level regions)", total, obs))

    helps = _need_helps(rows)
    notes.append(
        "the need adjustment "
        + ("improves" if helps else "does not improve")
        + " held-out practice accuracy (median APE, population + sub-ICB against age-sex + sub-ICB)"
    )
    return ValidationReport(
        appointments_month=month,
        practices_with_appointments=int(has.sum()),
        regions_with_appointments=regions,
        judged_months=judged,
        rows=rows,
        need_adjustment_helps=helps,
        notes=notes,
    )


def _need_helps(rows: list[ValidationRow]) -> bool:
    by = {r.predictor: r for r in rows if r.check.startswith("out-of-region practices")}
    with_need = by.get("population + sub-ICB calibration")
    without = by.get("age-sex + sub-ICB calibration (no need)")
    if with_need is None or without is None or with_need.median_ape is None or without.median_ape is None:
        return False
    return with_need.median_ape < without.median_ape


def _subicbs_out_of_time(
    series: _Series,
    judged: list[str],
    subicb: NDArray[np.object_],
    patients: Array,
    expected: Array,
    z: Array,
    has: NDArray[np.bool_],
    observed: Array,
) -> list[ValidationRow]:
    """Each judged month's sub-ICB totals predicted from the months before it, pooled over months."""
    if not judged:
        return []
    codes = list(series.table.index)
    fit = fit_need(np.where(has, observed, 0.0), np.where(has, expected, 0.0), z)
    by = pd.Series(subicb)

    def per_subicb(weight: Array) -> Array:
        return np.asarray(pd.Series(weight).groupby(by).sum().reindex(codes).fillna(0.0), dtype=np.float64)

    weights = {
        "list size alone": per_subicb(patients),
        "age-sex alone": per_subicb(expected),
        "population (age-sex + need)": per_subicb(expected * need_index(z, fit.coefficients)),
    }
    pred: dict[str, list[Array]] = {k: [] for k in (*weights, "last year's share", "previous month's share")}
    pred["population + sub-ICB calibration"] = []
    obs: list[Array] = []
    for m in judged:
        level = series.england_level(m)
        i = series.months.index(m)
        for name, w in weights.items():
            pred[name].append(spread(level, w))
        table = series.table
        pred["last year's share"].append(spread(level, table[series.months[i - WINDOW]].to_numpy(dtype=float)))
        pred["previous month's share"].append(spread(level, table[series.months[i - 1]].to_numpy(dtype=float)))
        pred["population + sub-ICB calibration"].append(
            spread(level, table[series.window(m)].sum(axis=1).to_numpy(dtype=float))
        )
        obs.append(table[m].to_numpy(dtype=float))
    check = f"out-of-time sub-ICBs ({judged[0]}..{judged[-1]}, each from the months before it)"
    observed_all = np.concatenate(obs)
    notes = {"population + sub-ICB calibration": "at sub-ICB level this is the sub-ICB's share of the last 12 months"}
    return [
        _row(check, name, np.concatenate(values), observed_all, notes.get(name, "")) for name, values in pred.items()
    ]


def _earlier_month(month: str, months_back: int) -> str:
    return str(pd.Period(month, freq="M") - months_back)


def _own_earlier_months(
    ctx: Workspace,
    check: str,
    month: str,
    series: _Series | None,
    pop_sub: Array | None,
    area: NDArray[np.intp],
    has: NDArray[np.bool_],
) -> list[ValidationRow]:
    """Rows that need an earlier practice-level month: the practice layer (its own previous month)
    and persistence (the previous month's and last year's appointments scaled by England's change).

    Judged on the same practices as the other rows; a row the loaded months cannot fill has n = 0
    and says which month it needs."""
    nd, ref = ctx.version().data, ctx.reference
    codes = nd.practices["practice_code"]
    observed = nd.observed_month
    with store.session_scope(ctx.engine) as s:
        loaded = set(store.list_periods(s, "appointments"))
        earlier: dict[int, Array] = {}
        for back in (1, WINDOW):
            period = _earlier_month(month, back)
            if period in loaded:
                totals, _ = load_totals(s, "appointments", ["practice_code"], period=period)
                by = totals.set_index("practice_code")["appointments"].astype(float)
                earlier[back] = np.asarray(by.reindex(codes), dtype=np.float64)
    empty = np.full(int(has.sum()), np.nan)

    def missing(back: int) -> str:
        return (
            f"needs the practice-level month {_earlier_month(month, back)} loaded "
            f"(gpworkforce import appointments FILE); loaded: {', '.join(sorted(loaded)) or 'none'}"
        )

    def level(m: str) -> float | None:
        if series is None or m not in series.months:
            return None
        return float(series.england[m])

    rows: list[ValidationRow] = []
    for back, name in ((1, "previous month's appointments"), (WINDOW, "last year's appointments")):
        then = _earlier_month(month, back)
        now_level = series.england_level(month) if series is not None and series.usable(month) else None
        then_level = level(then)
        predictor = f"{name} ({then}) x England's change"
        if back not in earlier:
            rows.append(_row(check, predictor, empty, observed[has], missing(back)))
        elif now_level is None or then_level is None:
            rows.append(_row(check, predictor, empty, observed[has], f"needs the national series for {then}"))
        else:
            pred = persistence(earlier[back], now_level, then_level)
            rows.append(_row(check, predictor, pred[has], observed[has], "England's change from the series before"))
    own = "population + sub-ICB + practice's own previous month"
    if 1 not in earlier:
        rows.append(_row(check, own, empty, observed[has], missing(1)))
    elif pop_sub is None:
        rows.append(_row(check, own, empty, observed[has], "needs 24 months of the national series before the month"))
    else:
        pred = own_month_prediction(
            pop_sub, earlier[1], area, ref.general["local_factor_min"], ref.general["local_factor_max"]
        )
        with_own = has & np.isfinite(earlier[1]) & (earlier[1] > 0)
        rows.append(
            _row(
                check,
                own,
                pred[has],
                observed[has],
                f"{int(with_own.sum())} of {int(has.sum())} practices have {_earlier_month(month, 1)}; "
                "the others keep population + sub-ICB",
            )
        )
    return rows
