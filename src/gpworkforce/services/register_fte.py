"""Practice FTE by role from staff registers, as capacity takes it (issue 12).

A practice that keeps a register takes its own-staff FTE from it instead of the national
workforce table: the register is the practice's whole list, so roles it does not list count 0
there, and the source shown is ``register``. This module needs no national data (the data
version is built from it), so it stays apart from :mod:`gpworkforce.services.register_state`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpworkforce.model.register import in_post_at, month_ends
from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.services.practice_fte import FTE_SOURCE_REGISTER
from gpworkforce.store.register import StaffRecord, Vacancy

__all__ = [
    "COLUMNS",
    "FTE_SOURCE_REGISTER",
    "PEOPLE_COLUMNS",
    "current_month",
    "register_fingerprint",
    "register_people",
    "register_role_fte",
]

COLUMNS: Final = ["practice_code", "role", "fte"]
#: Columns of :func:`register_people`.
PEOPLE_COLUMNS: Final = ["practice_code", "role", "fte", "birth_year", "age_band"]


def current_month() -> str:
    """This calendar month, ``YYYY-MM`` (UTC)."""
    return datetime.now(UTC).strftime("%Y-%m")


def register_role_fte(
    session: Session, month: str | None = None, practices: Collection[str] | None = None
) -> pd.DataFrame:
    """FTE in post by role at the end of ``month`` (default this month) of each employer with staff
    records: columns practice_code, role, fte; one row per employer and role in post, and a row
    with role "" and fte 0 for an employer whose register has no one in post (its FTE is 0, not
    missing). ``practices`` keeps only those codes (PCN employers are not practices)."""
    query = select(
        StaffRecord.employer, StaffRecord.role, StaffRecord.fte, StaffRecord.start_date, StaffRecord.end_date
    )
    rows = session.execute(query).all()
    if practices is not None:
        rows = [r for r in rows if r.employer in practices]
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.DataFrame(rows, columns=["practice_code", "role", "fte", "start", "end"])
    end = month_ends(month or current_month(), month or current_month())
    start = np.array(frame["start"].tolist(), dtype="datetime64[D]")
    stop = np.array([np.datetime64("NaT") if v is None else v for v in frame["end"]], dtype="datetime64[D]")
    frame = frame.assign(fte=np.where(in_post_at(start, stop, end)[:, 0], frame["fte"], 0.0))
    known = frame[frame["role"].isin(ROLE_CODES)]
    summed = known.groupby(["practice_code", "role"], as_index=False)["fte"].sum()
    summed = summed[summed["fte"] > 0]
    empty = sorted(set(frame["practice_code"]) - set(summed["practice_code"]))
    filler = pd.DataFrame({"practice_code": empty, "role": [""] * len(empty), "fte": [0.0] * len(empty)})
    return pd.concat([summed, filler], ignore_index=True)[COLUMNS].sort_values(COLUMNS[:2], ignore_index=True)


def register_fingerprint(session: Session) -> str:
    """A token that changes with any register change (caches key on it with the datasets')."""
    s = session.execute(
        select(func.count(StaffRecord.id), func.max(StaffRecord.updated_at), func.sum(StaffRecord.fte))
    ).one()
    v = session.execute(select(func.count(Vacancy.id), func.max(Vacancy.updated_at))).one()
    return f"{s[0]}|{s[1]}|{s[2]}|{v[0]}|{v[1]}|{current_month()}"


def register_people(session: Session, month: str | None = None) -> pd.DataFrame:
    """Each person in post at the end of ``month`` (default this month) on any register, with the
    age the register holds (birth year or age band): what retirement risk and supply take as a
    register practice's ages (:func:`gpworkforce.services.supply_inputs.practice_inputs`).
    Columns :data:`PEOPLE_COLUMNS`; ``birth_year``/``age_band`` None where not given."""
    query = select(
        StaffRecord.employer, StaffRecord.role, StaffRecord.fte, StaffRecord.birth_year, StaffRecord.age_band,
        StaffRecord.start_date, StaffRecord.end_date,
    )  # fmt: skip
    rows = session.execute(query).all()
    if not rows:
        return pd.DataFrame(columns=PEOPLE_COLUMNS)
    frame = pd.DataFrame(rows, columns=[*PEOPLE_COLUMNS, "start", "end"])
    end = month_ends(month or current_month(), month or current_month())
    start = np.array(frame["start"].tolist(), dtype="datetime64[D]")
    stop = np.array([np.datetime64("NaT") if v is None else v for v in frame["end"]], dtype="datetime64[D]")
    kept = frame[in_post_at(start, stop, end)[:, 0]]
    return kept[PEOPLE_COLUMNS].reset_index(drop=True)
