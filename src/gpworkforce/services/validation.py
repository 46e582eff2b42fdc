"""Back-tests that can fail: fit on one part of the data, check on another.

1. Practices: the need model is fitted on practices in four fifths of the sub-ICBs and
   judged on the practices of the fifth left out (five folds), against simpler models.
2. Sub-ICBs: fitted on every practice in the practice-level month (London, East of
   England, South East, South West), the model predicts the same month for all 106
   sub-ICBs of England and is checked against the national sub-ICB series, including the
   Midlands and North which contributed nothing to the fit.
3. Local calibration, out of time: each sub-ICB's share of England a year earlier
   corrects the prediction, judged on the later month.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gpworkforce import store
from gpworkforce.model.backtest import median_ratio, need_model_prediction, rate_per_patient, share_calibrated
from gpworkforce.model.calibration import accuracy, fit_need, standardise
from gpworkforce.model.demand import age_sex_expected
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.versions import Workspace

FOLDS = 5


def _subicb_of_practices(ctx: Workspace, period: str | None) -> pd.Series:
    """Practice -> sub-ICB code from the mapping of the appointments month if loaded, else the latest."""
    nd = ctx.version().data
    current = pd.Series(nd.practices["sub_icb_code"].to_numpy(), index=nd.practices["practice_code"])
    with store.session_scope(ctx.engine) as s:
        periods = store.list_periods(s, "mapping")
        if period in periods:
            frame, _ = store.load_frame(s, "mapping", period)
            old = frame.drop_duplicates("practice_code").set_index("practice_code")["sub_icb_code"]
            current = old.reindex(current.index).fillna(current)
    return current


def validate(ctx: Workspace, seed: int = 0) -> dict[str, Any]:
    """Run the back-tests on the loaded data and return their figures."""
    nd, ref = ctx.version().data, ctx.reference
    if nd.appointments.empty:
        raise DataMissingError("validation needs practice-level appointments: gpworkforce import appointments FILE")
    month = nd.periods.get("appointments")
    z, _, _ = standardise(nd.covariates)
    expected = age_sex_expected(nd.patients, ref.rates)
    observed = nd.observed_month
    patients = nd.patients.sum(axis=(1, 2))
    has = np.isfinite(observed) & (observed > 0) & (expected > 0)
    subicb = _subicb_of_practices(ctx, month).to_numpy()
    out: dict[str, Any] = {
        "data": {
            "appointments_month": month,
            "practices_with_appointments": int(has.sum()),
            "sub_icbs_in_fit": len(set(subicb[has])),
        }
    }

    # 1. practices left out by sub-ICB
    rng = np.random.default_rng(seed)
    groups = np.array(sorted(set(subicb[has])))
    folds = np.array_split(rng.permutation(groups), FOLDS)
    preds = {k: np.full(len(observed), np.nan) for k in ("list_size", "age_sex", "age_sex_need")}
    for held in folds:
        test = has & np.isin(subicb, held)
        train = has & ~test
        fit = fit_need(np.where(train, observed, 0.0), np.where(train, expected, 0.0), z)
        kept = train & fit.kept
        preds["list_size"][test] = rate_per_patient(observed[kept], patients[kept]) * patients[test]
        preds["age_sex"][test] = median_ratio(observed[kept], expected[kept]) * expected[test]
        preds["age_sex_need"][test] = need_model_prediction(fit.intercept, fit.coefficients, expected[test], z[test])
    out["practices_left_out"] = {k: accuracy(v[has], observed[has]) for k, v in preds.items()}

    # 2. all sub-ICBs of England from a fit on the practice-level month only
    fit = fit_need(np.where(has, observed, 0.0), np.where(has, expected, 0.0), z)
    predicted = need_model_prediction(fit.intercept, fit.coefficients, expected, z)
    out["need_model"] = {
        "coefficients_per_sd": dict(zip(("imd_score", "ltc_prevalence"), map(float, fit.coefficients), strict=True)),
        "r_squared_log": fit.r_squared,
        "practices_kept": int(fit.kept.sum()),
    }
    series = nd.subicb_series
    if series.empty or month not in set(series["month"]):
        out["sub_icbs"] = "national sub-ICB series for the appointments month not loaded"
        return out
    obs_sub = series[series["month"] == month].groupby("sub_icb_code")["appointments"].sum()
    pred_sub = pd.Series(predicted).groupby(subicb).sum()
    joined = pd.DataFrame({"observed": obs_sub, "predicted": pred_sub}).dropna()
    fitted_subs = set(subicb[has])
    outside = joined[~joined.index.isin(fitted_subs)]
    out["sub_icbs"] = {
        "sub_icbs_compared": len(joined),
        "england_observed": float(obs_sub.sum()),
        "england_predicted": float(predicted.sum()),
        "england_ratio": float(predicted.sum() / obs_sub.sum()),
        "all": accuracy(joined["predicted"].to_numpy(), joined["observed"].to_numpy()),
        "not_in_fit": accuracy(outside["predicted"].to_numpy(), outside["observed"].to_numpy()),
        "unmatched_sub_icbs": sorted(set(obs_sub.index) - set(joined.index)),
    }

    # 3. local calibration out of time: last year's share of England corrects each sub-ICB
    year_before = f"{int(str(month)[:4]) - 1}{str(month)[4:]}"
    if year_before in set(series["month"]):
        prev = series[series["month"] == year_before].groupby("sub_icb_code")["appointments"].sum()
        j = joined.join(prev.rename("previous"), how="inner")
        calibrated = share_calibrated(j["predicted"].to_numpy(), j["previous"].to_numpy())
        out["sub_icbs_local_calibration"] = {
            "calibrated_on": year_before,
            "checked_on": month,
            "without": accuracy(j["predicted"].to_numpy(), j["observed"].to_numpy()),
            "with": accuracy(calibrated, j["observed"].to_numpy()),
        }
    return out
