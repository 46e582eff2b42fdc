"""Data-quality flags in words: "Check the data: 18,180 patients per GP FTE ..." beside figures so
extreme that the inputs are more likely wrong than the practice unusual (thresholds and their
reasons in reference/general.csv; the tests in ``model/quality.py``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.quality import extreme_gap_share, extreme_patients_per_gp_fte
from gpworkforce.reference import Reference

Array = NDArray[np.float64]


def check_texts(ref: Reference, patients_per_gp_fte: Array, gap_share: Array) -> NDArray[np.str_]:
    """Per row: "" or ``Check the data: ...`` naming each extreme figure and the limit it passed."""
    g = ref.general
    most = g["quality_max_patients_per_gp_fte"]
    low, high = g["quality_min_gap_share"], g["quality_max_gap_share"]
    ppf = np.atleast_1d(np.asarray(patients_per_gp_fte, dtype=float))
    share = np.atleast_1d(np.asarray(gap_share, dtype=float))
    ppf_flag = extreme_patients_per_gp_fte(ppf, most)
    gap_flag = extreme_gap_share(share, low, high)
    out = []
    for p, s, pf, gf in zip(ppf, share, ppf_flag, gap_flag, strict=True):
        parts = []
        if pf:
            parts.append(f"{p:,.0f} patients per GP FTE (more than {most:,.0f}; GP FTE may be missing or mis-recorded)")
        if gf and s < low:
            parts.append(
                f"gap {s:.0%} of demand (capacity more than {1 - low:.0f} times demand; FTE may be recorded "
                "against the wrong practice, or appointments not recorded)"
            )
        elif gf:
            parts.append(f"gap {s:.0%} of demand (above {high:.0%}; staff may be missing from the workforce figures)")
        out.append("Check the data: " + "; ".join(parts) if parts else "")
    return np.asarray(out, dtype=object).astype(str)
