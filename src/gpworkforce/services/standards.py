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
    WEEKS,
    ThroughputFit,
    fit_throughput,
    practice_group_factor,
    role_factor,
    safe_slots_per_fte_week,
    split_group_rates,
    split_unknown,
    usable_fit,
    uses_area_fit,
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
    """Throughput by group [g] for England and by ICB [i, g] over ``months``, which ICB fits are
    used [i, g] (and why not, by ICB), each practice's ICB [p] (-1 = none) and its slot factor
    [p, r]; the share of appointments with an unknown HCP type (shared pro rata), series sub-ICBs
    not in the mapping, and mapped sub-ICBs the series lacks (their practices take their ICB's rate)."""

    months: str
    national: ThroughputFit
    icb_codes: pd.Index
    icb: ThroughputFit
    icb_usable: NDArray[np.bool_]
    icb_unusable_why: dict[str, str]
    icb_of_practice: NDArray[np.intp]
    uses_icb: NDArray[np.bool_]  # [p, g] the practice takes its ICB's rate (else England's)
    practice_factor: Array
    unknown_share: float
    unmapped_sub_icbs: tuple[str, ...]
    unfitted_sub_icbs: tuple[str, ...]
    unfitted_of_practice: NDArray[np.intp]  # [p] index into unfitted_sub_icbs, -1 = fitted
    gp_role_rates: Array  # [2] qualified GPs, locums and GPs in training: fitted across sub-ICBs (a check)
    gp_role_areas: int


def reference_slots(ref: Reference) -> Array:
    """Slots per FTE-week by role [r] at the reference parameters (0 for non-clinical roles)."""
    minutes = np.where(ref.minutes > 0, ref.minutes, 1.0)
    per = capacity_per_fte_week(ref.general["hours_per_fte"], ref.weeks_worked, ref.patient_facing, minutes)
    return np.where(GROUP_OF_ROLE >= 0, per, 0.0)


def fit_national_throughput(nd: NationalData, ref: Reference) -> ThroughputCalibration | None:
    """Throughput by group from the latest 12 months of the national sub-ICB series against FTE:
    England, and each ICB from its sub-ICBs in the series against the FTE of their practices (like
    with like); each practice's slot factor from its ICB's fit where usable, else England's. None
    without 12 months of series."""
    series = nd.subicb_series
    if series.empty or series["month"].nunique() < 12:
        return None
    months = sorted(series["month"].unique())[-12:]
    last = series[series["month"].isin(months)]
    wide = last.pivot_table(index="sub_icb_code", columns="hcp_type", values="appointments", aggfunc="sum")
    wide = wide.reindex(columns=["gp", "other", "unknown"], fill_value=0.0).fillna(0.0)
    practices = nd.practices
    icb_of_sub = practices.drop_duplicates("sub_icb_code").set_index("sub_icb_code")["icb_code"]
    icb = icb_of_sub.reindex(wide.index)
    gp, other = split_unknown(wide["gp"].to_numpy(), wide["other"].to_numpy(), wide["unknown"].to_numpy())
    delivered = pd.DataFrame({"gp": gp, "other": other}, index=wide.index)
    slots = reference_slots(ref)
    fte = nd.fte
    national = fit_throughput(delivered.sum().to_numpy(), fte.sum(axis=0), slots, GROUP_OF_ROLE)
    codes = pd.Index(sorted(practices["icb_code"].astype(str).unique()), name="icb_code")
    by_icb = delivered[icb.notna().to_numpy()].groupby(icb.dropna().to_numpy()).sum().reindex(codes)
    in_series = practices["sub_icb_code"].isin(wide.index).to_numpy()
    fte_by_icb = pd.DataFrame(fte[in_series]).groupby(practices["icb_code"].to_numpy()[in_series]).sum()
    per_icb = fit_throughput(by_icb.to_numpy(), fte_by_icb.reindex(codes).fillna(0.0).to_numpy(), slots, GROUP_OF_ROLE)
    min_fte = ref.general["throughput_icb_min_fte"]
    usable = usable_fit(per_icb.factor, per_icb.fte, min_fte)
    icb_of_practice = codes.get_indexer(practices["icb_code"].astype(str)).astype(np.intp)
    factor = role_factor(practice_group_factor(per_icb.factor, usable, national.factor, icb_of_practice), GROUP_OF_ROLE)
    total = float(wide.to_numpy().sum())
    gp_roles = [ROLE_CODES.index("gp"), ROLE_CODES.index("gp_locum_trainee")]
    fte_by_sub = pd.DataFrame(fte[:, gp_roles]).groupby(practices["sub_icb_code"].to_numpy()).sum()
    fte_by_sub = fte_by_sub.reindex(delivered.index).dropna()
    sub_codes = practices["sub_icb_code"].astype(str)
    lacking = pd.Index(sorted(sub_codes[~in_series].unique()))
    return ThroughputCalibration(
        months=f"{months[0]}..{months[-1]}",
        national=national,
        icb_codes=codes,
        icb=per_icb,
        icb_usable=usable,
        icb_unusable_why=_unusable_why(codes, per_icb, usable, min_fte),
        icb_of_practice=icb_of_practice,
        uses_icb=uses_area_fit(usable, icb_of_practice),
        practice_factor=factor,
        unknown_share=float(wide["unknown"].sum()) / total if total else 0.0,
        unmapped_sub_icbs=tuple(str(c) for c in wide.index[icb.isna().to_numpy()]),
        unfitted_sub_icbs=tuple(lacking),
        unfitted_of_practice=lacking.get_indexer(sub_codes).astype(np.intp),
        gp_role_rates=split_group_rates(
            delivered.loc[fte_by_sub.index, "gp"].to_numpy() / WEEKS, fte_by_sub.to_numpy()
        ),
        gp_role_areas=len(fte_by_sub),
    )


def _unusable_why(codes: pd.Index, fit: ThroughputFit, usable: NDArray[np.bool_], min_fte: float) -> dict[str, str]:
    """Why each ICB's fit is not used, by group (only ICBs with an unusable group)."""
    out: dict[str, str] = {}
    for i, j in zip(*np.nonzero(~usable), strict=True):
        group = THROUGHPUT_GROUP_LABELS[THROUGHPUT_GROUPS[j]]
        if not np.isfinite(fit.delivered_week[i, j]):
            why = "no appointments in the series"
        elif not fit.fte[i, j] >= min_fte:
            why = f"{fit.fte[i, j]:.0f} FTE, under {min_fte:g}"
        else:
            why = "no positive rate"
        out[codes[i]] = "; ".join(filter(None, [out.get(codes[i], ""), f"{group}: {why}"]))
    return out


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
    return throughput.practice_factor, [
        f"capacity standard: throughput (default is reference) - booked appointments a week per FTE that each "
        f"staff group delivered, {throughput.months} (NHS England Appointments in General Practice, national "
        "sub-ICB series, HCP type against FTE), each practice at its own ICB's rate (the ICB's sub-ICBs in the "
        f"series against the FTE of their practices); England's rate: {_rates(throughput.national.per_fte_week)}",
        f"{throughput.unknown_share:.1%} of appointments had an unknown HCP type and are shared between GPs and "
        "other staff pro rata",
        "within other clinical staff, roles keep their relative slots per FTE-week from reference/roles.csv, "
        "all scaled by one factor so the group's capacity equals what it delivered",
        gp_roles_note(throughput, ref),
    ]


def gp_roles_note(throughput: ThroughputCalibration, ref: Reference) -> str:
    """Locums and GPs in training against qualified GPs: the reference ratio the run uses beside the
    ratio fitted across sub-ICBs (the data record only "GP", so the fit is a check)."""
    slots = reference_slots(ref)
    ref_ratio = slots[ROLE_CODES.index("gp_locum_trainee")] / slots[ROLE_CODES.index("gp")]
    qualified, others = throughput.gp_role_rates
    fitted = f"{others / qualified:.2f}" if qualified > 0 else "not estimable"
    return (
        f"locums and GPs in training offer {ref_ratio:.2f} of a qualified GP's slots per FTE-week (registrar "
        f"parameters, reference/roles.csv), scaled with the GP group; fitted across {throughput.gp_role_areas} "
        f"sub-ICBs ({throughput.months}) GP appointments give {qualified:.1f} a week per qualified GP FTE and "
        f"{others:.1f} per locum/trainee FTE (ratio {fitted}; the areas' mix varies little, so this is a wide check)"
    )


def _rates(per_fte_week: Array) -> str:
    return ", ".join(
        f"{THROUGHPUT_GROUP_LABELS[g]} {per_fte_week[j]:.1f}"
        for j, g in enumerate(THROUGHPUT_GROUPS)
        if np.isfinite(per_fte_week[j])
    )


def throughput_area_notes(
    throughput: ThroughputCalibration | None, mask: NDArray[np.bool_], icb_code: str | None
) -> list[str]:
    """Which ICB rates the throughput standard used for the practices in ``mask``: the ICB's own
    (``icb_code``, a report inside one ICB) or a summary of all of them (England, a region), with
    the practices that take England's rate instead counted, and why."""
    if throughput is None:
        return []
    t, out = throughput, []
    icb = t.icb_of_practice
    if icb_code is not None and icb_code in t.icb_codes:
        i = t.icb_codes.get_loc(icb_code)
        how = "used for this organisation's practices" if t.icb_usable[i].all() else "fitted"
        out.append(f"ICB {icb_code}'s own rate, {how}: {_rates(t.icb.per_fte_week[i])}")
        if icb_code in t.icb_unusable_why:
            out.append(
                f"England's rate is used instead where ICB {icb_code}'s fit is not usable "
                f"({t.icb_unusable_why[icb_code]})"
            )
    else:
        here = np.unique(icb[mask & (icb >= 0)])
        used = t.icb.per_fte_week[here[t.icb_usable[here].all(axis=1)]]
        ranges = ", ".join(
            f"{THROUGHPUT_GROUP_LABELS[g]} {used[:, j].min():.1f}-{used[:, j].max():.1f}"
            for j, g in enumerate(THROUGHPUT_GROUPS)
            if len(used)
        )
        out.append(
            f"ICB rates were used per practice: the own rates of {len(used)} of the {len(here)} ICBs here, "
            f"booked appointments per FTE-week ({ranges})"
        )
        falls = mask[:, None] & ~t.uses_icb
        if falls.any():
            icbs = sorted({str(t.icb_codes[i]) if i >= 0 else "none" for i in icb[falls.any(axis=1)]})
            counts = ", ".join(
                f"{THROUGHPUT_GROUP_LABELS[g]} {int(falls[:, j].sum()):,}" for j, g in enumerate(THROUGHPUT_GROUPS)
            )
            why = "; ".join(f"{c}: {t.icb_unusable_why.get(c, 'no ICB')}" for c in icbs)
            out.append(f"practices taking England's rate instead (their ICB's fit is not usable): {counts} ({why})")
        else:
            out.append("every practice here takes its own ICB's rate (no ICB falls back to England's)")
    lacking = t.unfitted_of_practice[mask]
    lacking = lacking[lacking >= 0]
    if len(lacking):
        n = np.bincount(lacking, minlength=len(t.unfitted_sub_icbs))
        listed = ", ".join(f"{c} ({n[k]} practices)" for k, c in enumerate(t.unfitted_sub_icbs) if n[k])
        out.append(
            f"sub-ICB(s) {listed} not in the series (a boundary change): their practices take their ICB's "
            "rate, fitted on its other sub-ICBs"
        )
    if t.unmapped_sub_icbs and icb_code is None:
        out.append(
            f"series sub-ICB(s) {', '.join(t.unmapped_sub_icbs)} are not in the latest mapping: their appointments "
            "count in England's rate but in no ICB's"
        )
    return out
