"""Retirement risk per practice and role: who is 55+ / 60+, who is expected to leave, and RAG.

Shares leaving come from the supply model's flows (:mod:`gpworkforce.model.supply`): one
person in each age band is projected with the band hazard and ageing, so
``leave_share(n)[b]`` is the expected share of today's heads in band b gone within n years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.supply import SupplyParameters, project_expected

Array = NDArray[np.float64]

#: RAG codes (NO_DATA where a practice has no age data: never guessed).
NO_DATA, GREEN, AMBER, RED = -1, 0, 1, 2


def band_exit_shares(params: SupplyParameters, years: int, with_leavers: bool = True) -> Array:
    """Expected share [r, b] of heads in each band at the start who have left within ``years``.

    Retirements only when ``with_leavers`` is False. Uses the hazard, not a preset's cohort schedule.
    """
    n_r, n_b = params.hazard.shape
    plain = SupplyParameters(
        hazard=params.hazard,
        leaver_rate=params.leaver_rate if with_leavers else np.zeros(n_r),
        ageing=params.ageing,
        fte_drift=np.zeros(n_r),
        cohort_share=np.zeros(n_r),
        cohort_bands=np.zeros((n_r, n_b), dtype=bool),
        cohort_years=0,
    )
    # one person per starting band: axes [b0, r, b]
    start = np.zeros((n_b, n_r, n_b))
    start[np.arange(n_b), :, np.arange(n_b)] = 1.0
    left = project_expected(start, plain, years)
    gone = left.retirements.sum(axis=0) + (left.leavers.sum(axis=0) if with_leavers else 0.0)
    return np.asarray(gone.sum(axis=-1).T, dtype=np.float64)  # [r, b0]


@dataclass(frozen=True)
class RetirementRisk:
    """Per practice and role [p, r]: heads and FTE aged 55+ and 60+, their shares of the role's
    total, the expected share of FTE leaving within 2 and 5 years, and the RAG code with the
    rule that decided it (flags [p, r, k] in :data:`RULES` order)."""

    heads: Array
    fte: Array
    heads_55: Array
    heads_60: Array
    fte_55: Array
    fte_60: Array
    share_fte_55: Array
    leave_2: Array
    leave_5: Array
    rag: NDArray[np.int8]
    flags: NDArray[np.bool_]


#: Rules, in the order of ``RetirementRisk.flags``: (name, colour it sets).
RULES = (
    ("single_handed_60", RED),
    ("share_55_red", RED),
    ("leave_5_red", RED),
    ("share_55_amber", AMBER),
    ("leave_5_amber", AMBER),
)


def retirement_risk(
    heads: Array,
    fte_per_head: Array,
    has_data: NDArray[np.bool_],
    band_55: NDArray[np.bool_],
    band_60: NDArray[np.bool_],
    leave_2_band: Array,
    leave_5_band: Array,
    red_share_55: float,
    amber_share_55: float,
    red_leave_5: float,
    amber_leave_5: float,
) -> RetirementRisk:
    """RAG of heads [p, r, b] with FTE per head [p, r] (the same for every age: the workforce
    table has no FTE by age), has_data [p, r]; bands 55+/60+ as masks [b]; leave_n_band [r, b].

    Red: a single-handed role holder (one head) aged 60+, or a 55+ share of FTE >= red_share_55, or
    an expected share of FTE leaving within 5 years >= red_leave_5; amber at the amber thresholds;
    green otherwise; NO_DATA where has_data is False.
    """
    heads = np.asarray(heads, dtype=np.float64)
    total = heads.sum(axis=-1)
    fte_band = heads * fte_per_head[..., None]
    fte = fte_band.sum(axis=-1)
    h55, h60 = heads[..., band_55].sum(axis=-1), heads[..., band_60].sum(axis=-1)
    f55, f60 = fte_band[..., band_55].sum(axis=-1), fte_band[..., band_60].sum(axis=-1)
    safe = np.where(fte > 0, fte, 1.0)
    share55 = np.where(fte > 0, f55 / safe, 0.0)
    leave2 = np.where(fte > 0, (fte_band * leave_2_band).sum(axis=-1) / safe, 0.0)
    leave5 = np.where(fte > 0, (fte_band * leave_5_band).sum(axis=-1) / safe, 0.0)
    flags = np.stack(
        [
            (np.round(total) == 1) & (h60 >= 1),
            share55 >= red_share_55,
            leave5 >= red_leave_5,
            share55 >= amber_share_55,
            leave5 >= amber_leave_5,
        ],
        axis=-1,
    )
    flags &= (has_data & (total > 0))[..., None]
    red = flags[..., :3].any(axis=-1)
    amber = flags[..., 3:].any(axis=-1)
    rag = np.where(red, RED, np.where(amber, AMBER, GREEN)).astype(np.int8)
    rag = np.where(has_data, rag, NO_DATA).astype(np.int8)
    return RetirementRisk(total, fte, h55, h60, f55, f60, share55, leave2, leave5, rag, flags)
