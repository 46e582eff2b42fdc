"""Which calibration layers a run used for one organisation, in words, for the pages.

Why: the figures rest on up to three layers (``services.calibrate``): England's volume (always),
each sub-ICB's published 12-month total (the ``subicb_calibration`` lever, where the national
series has 12 months) and each practice's own month of appointments (the ``local_calibration``
lever, only where that practice's month is loaded). A planner must see which of them shaped the
numbers in front of them, and for which practices the practice layer could not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from gpworkforce.scenario import Scenario
from gpworkforce.services.organisations import resolve
from gpworkforce.services.versions import DataVersion

#: Practices without their own appointments listed by code up to this many (then only counted).
LIST_LIMIT: Final = 12


@dataclass(frozen=True)
class Layer:
    """One calibration layer: ``key`` (england, subicb, practice), label, state and what it did."""

    key: str
    label: str
    state: str  # applied | partly applied | off | not available
    detail: str


@dataclass(frozen=True)
class CalibrationLayers:
    """The layers behind an organisation's figures, and the practices the practice layer reached."""

    layers: tuple[Layer, ...]
    practices: int
    practices_with_own: int  # practices with their own appointments loaded
    without_own: tuple[str, ...]  # codes of practices without (at most LIST_LIMIT)

    def state(self, key: str) -> str:
        return next(layer.state for layer in self.layers if layer.key == key)


def _month_name(period: str | None) -> str:
    if not period or len(period) != 7:
        return str(period or "")
    return np.datetime64(period, "M").astype(object).strftime("%B %Y")


def _span(months: str) -> str:
    """``2024-12..2025-11`` -> ``December 2024 to November 2025`` (other text unchanged)."""
    first, sep, last = months.partition("..")
    return f"{_month_name(first)} to {_month_name(last)}" if sep else months


def calibration_layers(version: DataVersion, org_code: str, scenario: Scenario | None = None) -> CalibrationLayers:
    """The layers ``scenario`` applies to the practices of ``org_code`` (memoised per version)."""
    scenario = scenario or Scenario()
    org = resolve(version, org_code)
    key = ("calibration-layers", org.code, scenario.subicb_calibration, scenario.local_calibration)
    return version.memoised("derived", key, lambda: _build(version, org.code, org.rows, scenario))


def _build(version: DataVersion, code: str, rows: np.ndarray, scenario: Scenario) -> CalibrationLayers:
    nd, cal = version.data, version.calibration
    one = len(rows) == 1
    vol = cal.report.get("volume", {})
    if isinstance(vol, dict) and vol.get("source") == "national sub-ICB series":
        england = Layer(
            "england",
            "England's volume",
            "applied",
            f"appointment rates scaled so England's modelled year equals {vol['appointments_per_year']:,.0f} "
            f"appointments ({_span(str(vol['months']))}, NHS England Appointments in General Practice)",
        )
    else:
        england = Layer("england", "England's volume", "not available", "no national series loaded: reference rates")

    layer = cal.subicb
    if layer is None:
        subicb = Layer("subicb", "Sub-ICB level", "not available", "the national series holds fewer than 12 months")
    elif not scenario.subicb_calibration:
        subicb = Layer("subicb", "Sub-ICB level", "off", "switched off in this scenario")
    else:
        months = sorted(nd.subicb_series["month"].unique())[-12:]
        factors = layer.factor[rows]
        areas = layer.area[rows]
        scale = (
            f"factor {factors[0]:.2f}"
            if one or np.ptp(factors) < 0.005
            else f"factors {factors.min():.2f} to {factors.max():.2f}"
        )
        pooled_area = len(layer.target) - 1  # practices whose sub-ICB code the series lacks
        count = len(np.unique(areas[(areas >= 0) & (areas < pooled_area)]))
        pooled = int((areas == pooled_area).sum())
        whose = (
            "its sub-ICB's appointments"
            if one
            else "their sub-ICB's appointments"
            if count == 1
            else f"the appointments of their {count:,} sub-ICBs"
        )
        unmatched = (
            f"; {pooled:,} practice{'s' if pooled != 1 else ''} whose sub-ICB code is not in the series matched "
            "together to the series' codes no practice has"
            if pooled
            else ""
        )
        subicb = Layer(
            "subicb",
            "Sub-ICB level",
            "applied",
            f"scaled to {whose} {_month_name(months[0])} to {_month_name(months[-1])} ({scale}){unmatched}",
        )

    observed = nd.observed_month[rows]
    has_own = np.isfinite(observed) & (observed > 0)
    own = int(has_own.sum())
    codes = nd.practices["practice_code"].astype(str).to_numpy()[rows]
    without = tuple(str(c) for c in codes[~has_own][:LIST_LIMIT])
    month = _month_name(nd.periods.get("appointments"))
    label = "Practice's own appointments" if one else "Each practice's own appointments"
    if not scenario.local_calibration:
        practice = Layer("practice", label, "off", "switched off in this scenario")
    elif own == 0:
        practice = Layer(
            "practice",
            label,
            "not available",
            ("no appointments for this practice" if one else "no appointments for any of these practices")
            + f" in the loaded practice-level file ({month})",
        )
    elif own == len(rows):
        practice = Layer(
            "practice",
            label,
            "applied",
            ("scaled to its own appointments in " if one else f"all {own:,} practices scaled to their own ")
            + ("" if one else "appointments in ")
            + month,
        )
    else:
        practice = Layer(
            "practice",
            label,
            "partly applied",
            f"{own:,} of {len(rows):,} practices scaled to their own appointments in {month}; "
            f"not available for {len(rows) - own:,} (no practice-level appointments loaded for them)",
        )
    return CalibrationLayers((england, subicb, practice), len(rows), own, without)
