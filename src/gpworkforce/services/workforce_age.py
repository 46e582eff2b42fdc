"""Staff headcount by age band per practice, for retirement risk and supply projections.

The one place other services (retirement RAG, supply) ask "how old is this practice's
workforce": the NHS detailed practice CSV's age bands (``workforce_age``: GPs, qualified
permanent GPs, nurses, DPC, admin), else its GP-only part (``gp_age``, stored by every import
of that file since issue 11), else nothing: "no age data", never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from gpworkforce import store
from gpworkforce.frames import DETAILED_STAFF_GROUPS

NO_AGE_DATA = "no age data"


@dataclass(frozen=True)
class PracticeAgeBands:
    """Headcount (and FTE where published) by practice and age band for one staff group.

    ``frame``: practice_code, age_band (``frames.WORKFORCE_AGE_BANDS``), headcount, fte (NaN
    where not published; NA/ND cells are absent rows). ``source``: "published (detailed)
    YYYY-MM" or :data:`NO_AGE_DATA`; practices absent from ``frame`` have no age data.
    """

    staff_group: str
    period: str | None
    source: str
    frame: pd.DataFrame


def practice_age_bands(engine: Engine, staff_group: str = "gp", period: str | None = None) -> PracticeAgeBands:
    """Age bands of ``staff_group`` (gp, gp_qualified, nurse, dpc, admin) per practice, latest month
    unless ``period`` (``YYYY-MM``) is given."""
    if staff_group not in DETAILED_STAFF_GROUPS:
        raise ValueError(f"staff group must be one of {', '.join(DETAILED_STAFF_GROUPS)}, not {staff_group!r}")
    empty = pd.DataFrame(
        {
            "practice_code": pd.Series(dtype=str),
            "age_band": pd.Series(dtype=str),
            "headcount": pd.Series(dtype="float64"),
            "fte": pd.Series(dtype="float64"),
        }
    )
    with store.session_scope(engine) as s:
        periods = store.list_periods(s, "workforce_age")
        if periods and (period is None or period in periods):
            frame, got = store.load_frame(s, "workforce_age", period)
            part = frame[frame["staff_group"] == staff_group].drop(columns="staff_group").reset_index(drop=True)
            return PracticeAgeBands(staff_group, got, f"published (detailed) {got}", part)
        gp_periods = store.list_periods(s, "gp_age") if staff_group == "gp" else []
        if gp_periods and (period is None or period in gp_periods):
            frame, got = store.load_frame(s, "gp_age", period)
            return PracticeAgeBands("gp", got, f"published (detailed) {got}", frame.assign(fte=float("nan")))
    return PracticeAgeBands(staff_group, None, NO_AGE_DATA, empty)
