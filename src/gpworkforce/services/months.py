"""Calendar months for the demand reports: which month was asked for, its working days (England
and Wales bank holidays), the seasonal profile fitted on the national sub-ICB series, and the
projection year the month implies. The formulas are in ``model.months``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gpworkforce.ingest.periods import MONTH
from gpworkforce.model import months as model_months
from gpworkforce.reference.bank_holidays import YEARS, load_bank_holidays
from gpworkforce.scenario import Scenario
from gpworkforce.services.versions import DataVersion

Array = NDArray[np.float64]


@dataclass(frozen=True)
class SeasonalProfile:
    """Seasonal factor by calendar month (January first) and the months it was fitted on."""

    factors: Array  # [12] appointments per working day relative to the year's average
    fitted_on: str | None  # "2023-06..2025-11 (30 months)", None when there was no series


@dataclass(frozen=True)
class MonthShare:
    """One calendar month's working days, seasonal factor and share of its year's appointments."""

    month: str  # YYYY-MM
    working_days: int
    factor: float
    share: float  # of the calendar year's appointments


def parse_month(text: str) -> str:
    """``YYYY-MM`` checked: a real month inside the years the bank-holiday table covers."""
    value = text.strip()
    if not MONTH.fullmatch(value):
        raise ValueError(f"month must be YYYY-MM (e.g. 2026-11), got {text!r}")
    if int(value[:4]) not in YEARS:
        raise ValueError(f"month {value}: bank holidays are known for {YEARS[0]}-{YEARS[-1]} only")
    return value


def seasonal_profile(version: DataVersion) -> SeasonalProfile:
    """The profile fitted on every month of the national series (flat when none is loaded)."""

    def build() -> SeasonalProfile:
        series = version.data.subicb_series
        if series.empty:
            return SeasonalProfile(np.ones(model_months.MONTHS_PER_YEAR), None)
        by_month = series.groupby("month")["appointments"].sum().sort_index()
        months = np.array(by_month.index.to_list(), dtype="datetime64[M]")
        days = model_months.working_days(months, load_bank_holidays())
        try:
            factors = model_months.fit_seasonal_factors(months, by_month.to_numpy(dtype=float), days)
        except ValueError:  # fewer than 12 calendar months: working days only
            return SeasonalProfile(np.ones(model_months.MONTHS_PER_YEAR), None)
        span = f"{by_month.index[0]}..{by_month.index[-1]} ({len(by_month)} months)"
        return SeasonalProfile(factors, span)

    return version.memoised("derived", "seasonal-profile", build)


def month_share(version: DataVersion, month: str) -> MonthShare:
    """Working days, factor and share of its calendar year for ``month`` (``YYYY-MM``)."""
    month = parse_month(month)
    year, m = int(month[:4]), int(month[5:])
    days = model_months.working_days(model_months.year_months(year), load_bank_holidays())
    factors = seasonal_profile(version).factors
    share = model_months.month_shares(days, factors)[m - 1]
    return MonthShare(month, int(days[m - 1]), float(factors[m - 1]), float(share))


def appointments_in_month(yearly: Array | float, share: MonthShare) -> Array:
    """Expected appointments in the month from ``yearly`` appointments of its year."""
    return np.asarray(yearly, dtype=float) * share.share


def scenario_for_month(version: DataVersion, scenario: Scenario, month: str) -> Scenario:
    """The scenario whose yearly demand the month is taken from.

    A month after the base year projects to the month's year unless the scenario names a year;
    a month in or before the base year takes the base year's demand (no back-projection). A
    year that is neither the month's nor the base year is refused.
    """
    year = int(parse_month(month)[:4])
    base = version.base_year
    if scenario.year is None:
        return scenario.model_copy(update={"year": year}) if year > base else scenario
    if scenario.year != year and not (year <= base and scenario.year == base):
        raise ValueError(f"month {month} is not in the projection year {scenario.year}")
    return scenario


def month_notes(version: DataVersion, share: MonthShare, year: int) -> list[str]:
    """What ``appointments_in_month`` and ``appointments_per_month`` mean, for the notes."""
    profile = seasonal_profile(version)
    season = (
        f"seasonal factor {share.factor:.3f} (appointments per working day against the year's average, "
        f"fitted on the national sub-ICB series {profile.fitted_on} with a linear trend)"
        if profile.fitted_on
        else "no national series loaded: working days only (seasonal factor 1)"
    )
    before = (
        f"; the month is before the patients file's year, so it takes {year}'s demand"
        if int(share.month[:4]) < year
        else ""
    )
    return [
        f"appointments_in_month: {year}'s appointments x this month's share of its calendar year "
        f"({share.share:.2%}): {share.working_days} working days (England and Wales bank holidays, GOV.UK) "
        f"and {season}; the 12 months of a year add up to the year{before}",
        "appointments_per_month: the year's appointments / 12 (an average month)",
    ]
