"""Practice FTE by role from the workforce table: published where it has a value, estimated
where it says NA or omits the practice, and split from staff groups into roles by a mix.

A missing record is not an empty practice: counting it as 0 FTE made whole staff groups
vanish (226 practices' nurses in the 2024/25 table). The estimate, the role mix and where
each figure came from are all kept, so every output can say which numbers are estimates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.model.workforce import estimate_missing_staff, split_staff_groups, split_staff_groups_by_practice
from gpworkforce.nomenclature import ROLE_BY_CODE, ROLE_CODES
from gpworkforce.reference import Reference

Array = NDArray[np.float64]

#: Where a practice's FTE came from; shown beside every capacity figure.
FTE_SOURCE_WORKFORCE = "workforce"
FTE_SOURCE_ESTIMATE = "estimate"
FTE_SOURCE_OVERRIDE = "user correction"
#: A practice whose nurse and DPC roles come from the NHS detailed CSV, not England's mix.
FTE_SOURCE_DETAILED = "workforce, roles published (detailed)"
#: Role of the NHS detailed CSV (``workforce_roles``) -> the model role its FTE counts as. Every
#: published nurse and DPC role is listed, so the shares of a practice add up to 1.
DETAILED_MODEL_ROLE: dict[str, str] = {
    "advanced_nurse_practitioner": "anp",
    **dict.fromkeys(
        (
            "practice_nurse",
            "enhanced_practice_nurse",
            "nurse_specialist",
            "extended_role_nurse",
            "trainee_nurse",
            "nurse_dispenser",
            "nurse_partner",
            "nurse_other",
        ),
        "practice_nurse",
    ),
    "hca": "hca",
    "pharmacist": "pharmacist",
    "advanced_pharmacist": "pharmacist",
    "pharmacy_technician": "pharmacy_technician",
    "trainee_pharmacy_technician": "pharmacy_technician",
    "physiotherapist": "physiotherapist",
    "advanced_physiotherapist": "physiotherapist",
    "paramedic": "paramedic",
    "advanced_paramedic": "paramedic",
    "physician_associate": "physician_associate",
    "nursing_associate": "nursing_associate",
    "trainee_nursing_associate": "nursing_associate",
    "social_prescribing_link_worker": "social_prescriber",
    "gp_assistant": "gp_assistant",
    "health_and_wellbeing_worker": "health_coach",
    **dict.fromkeys(
        (
            "talking_therapist",
            "trainee_talking_therapist",
            "psychological_wellbeing_practitioner",
            "trainee_psychological_wellbeing_practitioner",
            "counsellor",
        ),
        "mental_health",
    ),
    **dict.fromkeys(
        (
            "dispenser",
            "phlebotomist",
            "podiatrist",
            "advanced_podiatrist",
            "dietitian",
            "advanced_dietitian",
            "occupational_therapist",
            "advanced_occupational_therapist",
            "osteopath",
            "therapist_other",
            "dpc_apprentice",
            "dpc_other",
        ),
        "other_dpc",
    ),
}
#: The practice's own staff register (issue 12; services.register_fte), instead of the national table.
FTE_SOURCE_REGISTER = "register"
#: How a missing staff group is estimated (said wherever estimates are counted).
ESTIMATE_METHOD = (
    "NA or missing in the workforce table; estimated as the median FTE per 1,000 registered patients of "
    "the practices in the same sub-ICB that have a value, else the ICB's, else England's"
)
STAFF_LABELS = {
    "gp": "GP",
    "gp_locum_trainee": "GP locum/trainee",
    "nurse": "nurse",
    "dpc": "DPC",
    "admin": "admin",
}
#: Areas an estimate is taken from, narrowest first (England is the last resort).
ESTIMATE_AREAS = ("sub_icb_code", "icb_code")


@dataclass(frozen=True)
class PracticeFte:
    """Practice-employed FTE by role and where it came from."""

    fte: Array  # [p, r]
    source: NDArray[np.str_]  # [p] workforce (some group published) | estimate (none)
    estimated: NDArray[np.bool_]  # [p, s] staff group estimated (order of ``Reference.staff_groups``)
    detailed: NDArray[np.bool_] | None = None  # [p, s] roles of the group from the NHS detailed CSV


def practice_mix(
    roles: pd.DataFrame, order: pd.Index, staff_groups: tuple[str, ...], mix: Array
) -> tuple[Array, NDArray[np.bool_]]:
    """Each practice's role mix [p, s, r]: its own published shares of nurse and DPC roles where the
    detailed CSV has a positive total for the group, else England's ``mix`` [s, r]; and where [p, s]."""
    own = np.broadcast_to(mix, (len(order), *mix.shape)).copy()
    used = np.zeros((len(order), len(staff_groups)), dtype=bool)
    valid = roles[roles["role"].isin(list(DETAILED_MODEL_ROLE)) & roles["fte"].notna()]
    if valid.empty:
        return own, used
    pos = order.get_indexer(pd.Index(valid["practice_code"]))
    grp = pd.Index(staff_groups).get_indexer(pd.Index(valid["staff_group"]))
    rol = pd.Index(ROLE_CODES).get_indexer(pd.Index(valid["role"].map(DETAILED_MODEL_ROLE)))
    ok = (pos >= 0) & (grp >= 0) & (rol >= 0)
    fte = np.zeros_like(own)
    np.add.at(fte, (pos[ok], grp[ok], rol[ok]), valid["fte"].to_numpy(dtype=float)[ok])
    total = fte.sum(axis=2)
    used = total > 0
    own[used] = fte[used] / total[used][:, None]
    return own, used


def practice_fte(
    workforce: pd.DataFrame,
    practices: pd.DataFrame,
    list_size: Array,
    ref: Reference,
    roles: pd.DataFrame | None = None,
) -> PracticeFte:
    """FTE by role [p, r] for ``practices`` (model order) from the canonical workforce frame; with
    ``roles`` (``workforce_roles``, the NHS detailed CSV) each practice's nurse and DPC FTE is split
    by its own published roles instead of England's mix."""
    order = pd.Index(practices["practice_code"])
    groups = pd.Index(ref.staff_groups)
    fte_s = np.zeros((len(order), len(groups)))
    known = np.zeros(fte_s.shape, dtype=bool)
    if workforce.empty:
        return PracticeFte(split_staff_groups(fte_s, ref.staff_mix), np.full(len(order), FTE_SOURCE_ESTIMATE), known)
    wf = workforce.dropna(subset=["fte"])
    pos = order.get_indexer(pd.Index(wf["practice_code"]))
    grp = groups.get_indexer(pd.Index(wf["staff"]))
    ok = (pos >= 0) & (grp >= 0)
    np.add.at(fte_s, (pos[ok], grp[ok]), wf["fte"].to_numpy(dtype=float)[ok])
    known[pos[ok], grp[ok]] = True
    areas = [pd.factorize(practices[col].replace("", np.nan), sort=True)[0].astype(np.intp) for col in ESTIMATE_AREAS]
    filled, estimated = estimate_missing_staff(fte_s, known, list_size, areas)
    source = np.where(known.any(axis=1), FTE_SOURCE_WORKFORCE, FTE_SOURCE_ESTIMATE).astype(str)
    if roles is None or roles.empty:
        return PracticeFte(split_staff_groups(filled, ref.staff_mix), source, estimated)
    mix, used = practice_mix(roles, order, ref.staff_groups, ref.staff_mix)
    source = np.where(used.any(axis=1) & (source == FTE_SOURCE_WORKFORCE), FTE_SOURCE_DETAILED, source).astype(str)
    return PracticeFte(split_staff_groups_by_practice(filled, mix), source, estimated, used)


def estimated_shown(estimated: NDArray[np.bool_], overridden: NDArray[np.bool_], mix: Array) -> NDArray[np.bool_]:
    """Estimated staff groups [p, s] that no user correction has replaced (any of its roles)."""
    corrected = (overridden.astype(float) @ (mix.T > 0).astype(float)) > 0
    return estimated & ~corrected


def source_labels(
    source: NDArray[np.str_], estimated: NDArray[np.bool_], staff_groups: tuple[str, ...]
) -> NDArray[np.str_]:
    """Per practice: its source and which staff groups are estimated, e.g. ``workforce; nurse, DPC
    estimated`` (a practice with no record at all is just ``estimate``)."""
    listed = np.full(len(source), "", dtype=object)
    for i, staff in enumerate(staff_groups):
        name = STAFF_LABELS.get(staff, staff)
        listed = np.where(estimated[:, i], np.where(listed == "", name, listed + ", " + name), listed)
    plain = (listed == "") | (source == FTE_SOURCE_ESTIMATE)
    return np.where(plain, source, source.astype(object) + "; " + listed + " estimated").astype(str)


def estimate_counts_note(estimated: NDArray[np.bool_], staff_groups: tuple[str, ...]) -> str | None:
    """``N practices in this organisation have estimated nurse FTE, ...`` or None if none do."""
    counts = estimated.sum(axis=0)
    parts = [
        f"{int(n):,} {'practice' if n == 1 else 'practices'} estimated {STAFF_LABELS.get(s, s)} FTE"
        for s, n in zip(staff_groups, counts, strict=True)
        if n
    ]
    if not parts:
        return None
    return f"In this organisation {', '.join(parts)} ({ESTIMATE_METHOD})"


def mix_note(ref: Reference) -> str | None:
    """How staff groups with more than one role are split (an estimate from England's mix)."""
    parts = []
    for staff, row in zip(ref.staff_groups, ref.staff_mix, strict=True):
        roles = [ROLE_CODES[int(r)] for r in np.flatnonzero(row > 0)]
        if len(roles) > 1:
            shares = ", ".join(f"{row[ROLE_CODES.index(c)]:.1%} {ROLE_BY_CODE[c].label.lower()}" for c in roles)
            parts.append(f"{STAFF_LABELS.get(staff, staff)} FTE as {shares}")
    if not parts:
        return None
    return (
        "practice staff groups are split into roles by England's national mix (an estimate; sources in "
        f"reference/staff_role_mix.csv): {'; '.join(parts)}"
    )
