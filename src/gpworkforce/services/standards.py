"""Capacity standards: the throughput fit from the national series, and the per-role slot factor
and notes for the standard a scenario chooses (reference, throughput or safe).

The fit is made once per data version (with the calibration). Booked appointments (attended,
DNA and unknown status) are used, because capacity is compared with booked demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.model.capacity import capacity_per_fte_week
from gpworkforce.model.throughput import (
    ThroughputFit,
    fit_throughput,
    role_factor,
    safe_slots_per_fte_week,
    split_unknown,
)
from gpworkforce.nomenclature import ROLE_BY_CODE, ROLE_CODES
from gpworkforce.reference import Reference
from gpworkforce.services.national import DataMissingError, NationalData

Array = NDArray[np.float64]

#: Staff groups of the appointments data's HCP types, in fit order; -1 = not appointment capacity.
THROUGHPUT_GROUPS: Final = ("gp", "other")
THROUGHPUT_GROUP_LABELS: Final = {"gp": "GPs (incl. locums and trainees)", "other": "other practice clinical staff"}
GROUP_OF_ROLE: Final[NDArray[np.intp]] = np.array(
    [0 if c in ("gp", "gp_locum_trainee") else (1 if ROLE_BY_CODE[c].clinical else -1) for c in ROLE_CODES],
    dtype=np.intp,
)
STANDARD_LABELS: Final = {
    "reference": "at the reference standard (today's slot parameters, reference/roles.csv)",
    "throughput": "at today's throughput (appointments each staff group delivered per FTE-week)",
    "safe": "at safe-working limits (GPs 25 contacts a day; other roles at the reference standard)",
}


@dataclass(frozen=True)
class ThroughputCalibration:
    """Throughput by group [g] for England and by ICB [i, g] over ``months``; the share of
    appointments with an unknown HCP type (shared pro rata) and series sub-ICBs not in the mapping."""

    months: str
    national: ThroughputFit
    icb_codes: pd.Index
    icb: ThroughputFit
    unknown_share: float
    unmapped_sub_icbs: int


def reference_slots(ref: Reference) -> Array:
    """Slots per FTE-week by role [r] at the reference parameters (0 for non-clinical roles)."""
    minutes = np.where(ref.minutes > 0, ref.minutes, 1.0)
    per = capacity_per_fte_week(ref.general["hours_per_fte"], ref.weeks_worked, ref.patient_facing, minutes)
    return np.where(GROUP_OF_ROLE >= 0, per, 0.0)


def fit_national_throughput(nd: NationalData, ref: Reference) -> ThroughputCalibration | None:
    """Throughput by group from the latest 12 months of the national sub-ICB series against FTE
    (England, and per ICB through the mapping's sub-ICBs); None without 12 months of series."""
    series = nd.subicb_series
    if series.empty or series["month"].nunique() < 12:
        return None
    months = sorted(series["month"].unique())[-12:]
    last = series[series["month"].isin(months)]
    wide = last.pivot_table(index="sub_icb_code", columns="hcp_type", values="appointments", aggfunc="sum")
    wide = wide.reindex(columns=["gp", "other", "unknown"], fill_value=0.0).fillna(0.0)
    icb_of_sub = nd.practices.drop_duplicates("sub_icb_code").set_index("sub_icb_code")["icb_code"]
    icb = icb_of_sub.reindex(wide.index)
    gp, other = split_unknown(wide["gp"].to_numpy(), wide["other"].to_numpy(), wide["unknown"].to_numpy())
    delivered = pd.DataFrame({"gp": gp, "other": other}, index=wide.index)
    slots = reference_slots(ref)
    fte = nd.fte
    national = fit_throughput(delivered.sum().to_numpy(), fte.sum(axis=0), slots, GROUP_OF_ROLE)
    by_icb = delivered[icb.notna().to_numpy()].groupby(icb.dropna().to_numpy()).sum()
    fte_by_icb = pd.DataFrame(fte).groupby(nd.practices["icb_code"].to_numpy()).sum().reindex(by_icb.index)
    per_icb = fit_throughput(by_icb.to_numpy(), fte_by_icb.fillna(0.0).to_numpy(), slots, GROUP_OF_ROLE)
    total = float(wide.to_numpy().sum())
    return ThroughputCalibration(
        months=f"{months[0]}..{months[-1]}",
        national=national,
        icb_codes=pd.Index(by_icb.index, name="icb_code"),
        icb=per_icb,
        unknown_share=float(wide["unknown"].sum()) / total if total else 0.0,
        unmapped_sub_icbs=int(icb.isna().sum()),
    )


def slot_factor(
    standard: str, ref: Reference, throughput: ThroughputCalibration | None
) -> tuple[Array | None, list[str]]:
    """Per-role multiplier of the reference slots [r] for ``standard`` and the notes saying what
    it rests on (None for the reference standard). Raises DataMissingError for throughput
    without the national series."""
    if standard == "reference":
        return None, [
            f"capacity standard: reference (the default) - {STANDARD_LABELS['reference']}; "
            "also available: --capacity-standard throughput|safe"
        ]
    if standard == "safe":
        slots = reference_slots(ref)
        limit = np.full(len(ROLE_CODES), np.nan)
        limit[GROUP_OF_ROLE == 0] = ref.general["gp_safe_contacts_per_day"]
        safe = safe_slots_per_fte_week(slots, limit, ref.general["working_days_per_full_time_week"], ref.weeks_worked)
        factor = np.where(slots > 0, safe / np.where(slots > 0, slots, 1.0), 1.0)
        gp = safe[ROLE_CODES.index("gp")]
        days = ref.general["working_days_per_full_time_week"]
        return factor, [
            f"capacity standard: safe (default is reference) - GPs at {ref.general['gp_safe_contacts_per_day']:g} "
            f"patient contacts a working day x {days:g} days a full-time week x weeks worked/52 = {gp:.1f} "
            "per GP FTE-week (BMA / European Union of General Practitioners recommendation, second-hand via "
            "GP World 2023); other roles have no sourced safe limit and stay at the reference slots",
        ]
    if throughput is None:
        raise DataMissingError(
            "the throughput capacity standard needs 12 months of the national sub-ICB appointments series; "
            "import it (gpworkforce import) or choose --capacity-standard reference"
        )
    nat = throughput.national
    rates = ", ".join(
        f"{THROUGHPUT_GROUP_LABELS[g]} {nat.per_fte_week[i]:.1f}" for i, g in enumerate(THROUGHPUT_GROUPS)
    )
    return role_factor(nat.factor, GROUP_OF_ROLE), [
        f"capacity standard: throughput (default is reference) - booked appointments a week per FTE that each "
        f"staff group delivered in England, {throughput.months} (NHS England Appointments in General Practice, "
        f"national sub-ICB series, HCP type against FTE): {rates}",
        f"{throughput.unknown_share:.1%} of appointments had an unknown HCP type and are shared between GPs and "
        "other staff pro rata",
        "within other clinical staff, roles keep their relative slots per FTE-week from reference/roles.csv, "
        "all scaled by one factor so the group's capacity equals what it delivered",
    ]


def icb_throughput_note(throughput: ThroughputCalibration | None, icb_code: str | None) -> list[str]:
    """The ICB's own fitted throughput beside England's, for reports inside one ICB."""
    if throughput is None or icb_code is None or icb_code not in throughput.icb_codes:
        return []
    per = throughput.icb.per_fte_week[list(throughput.icb_codes).index(icb_code)]
    parts = ", ".join(
        f"{THROUGHPUT_GROUP_LABELS[g]} {per[j]:.1f}" for j, g in enumerate(THROUGHPUT_GROUPS) if np.isfinite(per[j])
    )
    out = [f"this ICB's own throughput ({throughput.months}), booked appointments per FTE-week: {parts}"]
    if throughput.unmapped_sub_icbs:
        out.append(
            f"{throughput.unmapped_sub_icbs} sub-ICB code(s) of the series are not in the latest mapping "
            "and are left out of the ICB fits (England's fit counts them)"
        )
    return out
