"""Turn reference defaults plus the loaded data into calibrated model parameters.

- need categories and the GP share of each come from the practice-level appointments;
- the need adjustment is fitted on those practices (log-linear in IMD and QOF morbidity);
- the volume scale makes England's modelled appointments a year equal the published
  national series over its latest 12 months;
- the sub-ICB layer scales each practice so its sub-ICB's modelled year equals that sub-ICB's
  total over the same 12 months (``subicb_factors``; the ``subicb_calibration`` lever);
- the DNA rate is the national DNA share over the same 12 months;
- the throughput capacity standard (booked appointments per FTE-week by staff group, England
  and per ICB) is fitted on the same 12 months (``services.standards``).
Every choice is written to ``report`` so outputs can say what they rest on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.model import calibration as model_calibration
from gpworkforce.model.calibration import NeedFit, fit_need, standardise, volume_scale
from gpworkforce.model.demand import age_sex_expected, need_index
from gpworkforce.model.engine import Parameters
from gpworkforce.model.skillmix import delivery_weight
from gpworkforce.nomenclature import NEED_CODES, ROLE_BY_CODE, ROLE_CODES
from gpworkforce.reference import Reference
from gpworkforce.services.national import COVARIATES, NationalData
from gpworkforce.services.standards import ThroughputCalibration, fit_national_throughput

Array = NDArray[np.float64]
GP_ROLES = np.array([c in ("gp", "gp_locum_trainee") for c in ROLE_CODES])
CLINICAL = np.array([ROLE_BY_CODE[c].clinical for c in ROLE_CODES])


@dataclass(frozen=True)
class SubIcbLayer:
    """Per-practice sub-ICB factor [p], each practice's area [p] in ``target`` [g] (the published
    12-month totals; -1 = none) and the sentence saying what it did."""

    factor: Array
    area: NDArray[np.intp]
    target: Array
    note: str


@dataclass(frozen=True)
class Calibration:
    """Calibrated parameters, standardised covariates for every practice, and the audit trail."""

    params: Parameters
    z: Array  # [p, k]
    fit: NeedFit | None
    month_share: float  # share of a year's appointments falling in the practice-level month
    report: dict[str, object] = field(default_factory=dict)
    throughput: ThroughputCalibration | None = None
    subicb: SubIcbLayer | None = None  # sub-ICB layer (None without 12 months of the series)


def category_mix(appointments: pd.DataFrame, ref: Reference) -> tuple[Array, Array, dict[str, object]]:
    """Category shares [c] and GP share [c] from practice appointments (reference if none)."""
    if appointments.empty:
        return ref.category_share, ref.gp_share, {"category_mix": "reference (GPAD October 2025)"}
    a = appointments
    mapped = a[a["category"].isin(NEED_CODES)]
    total = a["appointments"].sum()
    by_cat = mapped.groupby("category")["appointments"].sum().reindex(list(NEED_CODES), fill_value=0)
    known = mapped[mapped["hcp_type"].isin(["gp", "other"])]
    gp = (
        known[known["hcp_type"] == "gp"]
        .groupby("category")["appointments"]
        .sum()
        .reindex(list(NEED_CODES), fill_value=0)
    )
    all_known = known.groupby("category")["appointments"].sum().reindex(list(NEED_CODES), fill_value=0)
    share = by_cat.to_numpy(dtype=float)
    share = share / share.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        gp_share = np.where(all_known > 0, gp / all_known, ref.gp_share)
    spread = 1.0 - mapped["appointments"].sum() / total
    return (
        share,
        np.asarray(gp_share, dtype=float),
        {
            "category_mix": "loaded practice-level appointments",
            "uncategorised_share_spread_pro_rata": float(spread),
        },
    )


def annual_volume(series: pd.DataFrame) -> tuple[float | None, list[str], float | None]:
    """England appointments over the latest 12 months of the national series, and its DNA rate."""
    if series.empty:
        return None, [], None
    by_month = series.groupby("month")["appointments"].sum().sort_index()
    if len(by_month) < 12:
        return None, list(by_month.index), None
    months = list(by_month.index[-12:])
    last = series[series["month"].isin(months)]
    dna = float(last.loc[last["status"] == "dna", "appointments"].sum() / last["appointments"].sum())
    return float(by_month.iloc[-12:].sum()), months, dna


def month_share_of_year(series: pd.DataFrame, month: str | None) -> float:
    """Share of a year's national appointments that fall in ``month`` (1/12 if unknown)."""
    if series.empty or month is None:
        return 1.0 / 12.0
    by_month = series.groupby("month")["appointments"].sum().sort_index()
    if month not in by_month.index:
        return 1.0 / 12.0
    i = list(by_month.index).index(month)
    window = by_month.iloc[i - 11 : i + 1] if i >= 11 else by_month.iloc[:12]
    return float(by_month[month] / window.sum())


def calibrate(nd: NationalData, ref: Reference, fit_mask: NDArray[np.bool_] | None = None) -> Calibration:
    """Calibrate parameters on ``nd``; ``fit_mask`` limits which practices fit the need model."""
    share, gp_share, report = category_mix(nd.appointments, ref)
    z, mean, sd = standardise(nd.covariates)
    expected = age_sex_expected(nd.patients, ref.rates)
    fit: NeedFit | None = None
    observed = nd.observed_month
    usable = np.isfinite(observed) & (observed > 0) & (expected > 0)
    if fit_mask is not None:
        usable &= fit_mask
    coefficients = np.zeros(len(COVARIATES))
    if usable.sum() >= ref.general["need_fit_min_practices"]:
        fit = fit_need(np.where(usable, observed, 0.0), np.where(usable, expected, 0.0), z)
        coefficients = fit.coefficients
        report["need_fit"] = {
            "practices": int(usable.sum()),
            "kept_after_trimming": int(fit.kept.sum()),
            "r_squared_log": fit.r_squared,
            "coefficients_per_sd": dict(zip(COVARIATES, map(float, coefficients), strict=True)),
            "covariate_mean": dict(zip(COVARIATES, map(float, mean), strict=True)),
            "covariate_sd": dict(zip(COVARIATES, map(float, sd), strict=True)),
        }
    else:
        report["need_fit"] = (
            f"not fitted (fewer than {ref.general['need_fit_min_practices']:.0f} practices with appointment data): "
            "need index = 1"
        )
    need = need_index(z, coefficients)
    modelled = float((expected * need).sum())
    volume, months, dna = annual_volume(nd.subicb_series)
    m_share = month_share_of_year(nd.subicb_series, nd.periods.get("appointments"))
    if volume is not None:
        scale = volume_scale(volume, modelled)
        report["volume"] = {
            "source": "national sub-ICB series",
            "months": f"{months[0]}..{months[-1]}",
            "appointments_per_year": volume,
        }
    elif fit is not None:
        scale = float(np.exp(fit.intercept) / m_share)
        report["volume"] = {"source": "practice-level month scaled to a year", "month_share": m_share}
    else:
        scale = 1.0
        report["volume"] = {"source": "reference rates unscaled (QResearch 2008)"}
    dna_rate = dna if dna is not None else ref.general["dna_rate"]
    report["dna_rate"] = dna_rate
    report["scale"] = scale
    report["rate_per_patient_year"] = scale * modelled / max(float(nd.patients.sum()), 1.0)

    other = (~GP_ROLES & CLINICAL).astype(float)
    delivery = delivery_weight(ref.skills, ref.general["base_delivery_weight"], other)
    params = Parameters(
        rates=ref.rates,
        scale=scale,
        need_coefficients=coefficients,
        category_share=share,
        gp_share=gp_share,
        skills=ref.skills * other[:, None],
        delivery_weight=delivery,
        hours_per_fte=ref.general["hours_per_fte"],
        weeks_worked=ref.weeks_worked,
        patient_facing=ref.patient_facing,
        minutes=np.where(ref.minutes > 0, ref.minutes, 1.0),
        hourly_cost=ref.hourly_cost,
        dna_rate=dna_rate,
        gp_roles=GP_ROLES,
        clinical=CLINICAL,
    )
    throughput = fit_national_throughput(nd, ref)
    if throughput is not None:
        report["throughput_per_fte_week"] = {
            "months": throughput.months,
            "gp": float(throughput.national.per_fte_week[0]),
            "other": float(throughput.national.per_fte_week[1]),
        }
    sub = subicb_factors(nd, scale * expected * need)
    if sub is not None:
        report["subicb_calibration"] = sub.note
    return Calibration(
        params=params,
        z=z,
        fit=fit,
        month_share=m_share,
        report=report,
        throughput=throughput,
        subicb=sub,
    )


def subicb_factors(nd: NationalData, predicted_year: Array, months: int = 12) -> SubIcbLayer | None:
    """Sub-ICB layer: each sub-ICB's modelled year equals its total over the series' latest ``months``.

    Practices whose sub-ICB code is not in the series (a renamed or merged sub-ICB) are pooled and
    matched to the series' codes that no practice has, so England's total stays as calibrated.
    None when the series has fewer than ``months`` months.
    """
    series = nd.subicb_series
    if series.empty or series["month"].nunique() < months:
        return None
    window = sorted(series["month"].unique())[-months:]
    published = series[series["month"].isin(window)].groupby("sub_icb_code")["appointments"].sum()
    codes = nd.practices["sub_icb_code"].astype(str).to_numpy()
    known = sorted(set(codes) & set(published.index))
    index = {c: i for i, c in enumerate(known)}
    pooled_codes = sorted(set(published.index) - set(codes))
    area = np.array([index.get(c, len(known)) for c in codes], dtype=np.intp)
    target = np.append(published.reindex(known).to_numpy(dtype=float), float(published[pooled_codes].sum()))
    if not pooled_codes:
        area[area == len(known)] = -1
    factor = model_calibration.area_factors(predicted_year, area, target)
    scaled = factor[area < len(known)]
    note = (
        f"sub-ICB calibration: {len(known)} sub-ICBs scaled to their appointments {window[0]}..{window[-1]}, "
        f"range {scaled.min():.2f}..{scaled.max():.2f}"
    )
    if pooled_codes and (area == len(known)).any():
        note += (
            f"; {int((area == len(known)).sum())} practices whose sub-ICB is not in the series matched together "
            f"to {', '.join(pooled_codes)}"
        )
    return SubIcbLayer(factor=factor, area=area, target=target, note=note)


def local_factors(nd: NationalData, cal: Calibration, ref: Reference, subicb: bool = False) -> Array:
    """Per-practice factor making the model match the practice's own month of appointments.

    1 where a practice has no appointment data; clipped to the reference's
    [local_factor_min, local_factor_max] so a month with a recording gap cannot dominate.
    With ``subicb`` the layers compose: the practice factor is relative to the sub-ICB-calibrated
    prediction and each sub-ICB is then brought back to its 12-month total, so a practice's own
    month sets its share of the sub-ICB and the series' year sets the sub-ICB's level (one month,
    October's vaccination peak for instance, does not move the sub-ICB or England).
    """
    p = cal.params
    layer = cal.subicb if subicb else None
    base = layer.factor if layer is not None else np.ones(len(cal.z))
    expected = age_sex_expected(nd.patients, p.rates)
    need = need_index(cal.z, p.need_coefficients)
    own = model_calibration.local_factors(
        nd.observed_month,
        expected,
        need * base,
        p.scale,
        cal.month_share,
        ref.general["local_factor_min"],
        ref.general["local_factor_max"],
    )
    combined = base * own
    if layer is None:
        return combined
    predicted = p.scale * expected * need * combined
    return combined * model_calibration.area_factors(predicted, layer.area, layer.target)
