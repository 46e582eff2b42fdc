"""Monthly figures from staff registers: one employer's trend and an organisation's table
(the register FTE capacity takes is in :mod:`gpworkforce.services.register_fte`).

The formulas are :func:`gpworkforce.model.register.register_state` (docs/model.md, "Staff
register"). Figures are staff-level for a small practice, so every function here needs a
signed-in user in scope (:mod:`gpworkforce.services.register`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpworkforce.model.register import month_ends, register_state
from gpworkforce.nomenclature import LEAVING_REASONS, ROLE_CODES
from gpworkforce.reference import register_roles
from gpworkforce.services.audit import as_utc
from gpworkforce.services.register import Actor, check_register_access
from gpworkforce.services.register_fte import current_month
from gpworkforce.services.register_io import check_org_access, org_employers
from gpworkforce.services.versions import DataVersion
from gpworkforce.store.register import StaffRecord, Vacancy

__all__ = [
    "MonthFigures",
    "OrgRegisterStatus",
    "current_month",
    "employer_trend",
    "org_register_status",
]


@dataclass(frozen=True)
class MonthFigures:
    """One employer's register at one month end. ``None`` where there is no register or a rate
    has no denominator (never 0 for "unknown")."""

    employer: str
    month: str  # YYYY-MM
    has_register: bool
    headcount: int | None
    fte: float | None
    fte_by_role: dict[str, float]
    headcount_by_role: dict[str, int]
    fte_by_staff_group: dict[str, float]
    joiners: int | None
    leavers: int | None
    leavers_by_reason: dict[str, int]
    vacant_fte: float | None
    vacancy_rate: float | None
    leavers_12m: int | None
    turnover_12m: float | None
    last_updated: datetime | None
    updated_this_month: bool


@dataclass(frozen=True)
class OrgRegisterStatus:
    """The register dashboard of an organisation: one row per employer and which have not updated."""

    org_code: str
    month: str
    rows: list[MonthFigures]
    not_updated: list[str]  # employers with a register not changed in the month, and practices with none

    def frame(self) -> pd.DataFrame:
        """The rows as a table (the CLI's and downloads' columns)."""
        return pd.DataFrame(
            [
                {
                    "employer": r.employer, "month": r.month, "has_register": r.has_register,
                    "headcount": r.headcount, "fte": r.fte, "joiners": r.joiners, "leavers": r.leavers,
                    **{f"leavers_{k}": r.leavers_by_reason.get(k) if r.has_register else None
                       for k in LEAVING_REASONS},
                    "vacant_fte": r.vacant_fte, "vacancy_rate": r.vacancy_rate, "leavers_12m": r.leavers_12m,
                    "turnover_12m": r.turnover_12m,
                    "last_updated": r.last_updated.isoformat(timespec="seconds") if r.last_updated else None,
                    "updated_this_month": r.updated_this_month,
                }
                for r in self.rows
            ]
        )  # fmt: skip


def _dates(values: Sequence[date | None]) -> np.ndarray:
    return np.array([np.datetime64("NaT", "D") if v is None else np.datetime64(v, "D") for v in values],
                    dtype="datetime64[D]")  # fmt: skip


def _load(session: Session, employers: Sequence[str]) -> tuple[list[StaffRecord], list[Vacancy]]:
    staff = list(session.scalars(select(StaffRecord).where(StaffRecord.employer.in_(list(employers)))))
    vacancies = list(session.scalars(select(Vacancy).where(Vacancy.employer.in_(list(employers)))))
    return staff, vacancies


def _last_updated(staff: Sequence[StaffRecord], vacancies: Sequence[Vacancy]) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    pairs = [(r.employer, r.updated_at) for r in staff] + [(v.employer, v.updated_at) for v in vacancies]
    for employer, stamp in pairs:
        when = as_utc(stamp)
        if employer not in out or when > out[employer]:
            out[employer] = when
    return out


def _figures(session: Session, employers: Sequence[str], first: str, last: str) -> list[list[MonthFigures]]:
    """[employer][month] figures for ``first``..``last`` (``YYYY-MM``)."""
    staff, vacancies = _load(session, employers)
    index = {e: i for i, e in enumerate(employers)}
    roles = pd.Index(ROLE_CODES)
    reasons = pd.Index(LEAVING_REASONS)
    ends = month_ends(first, last)
    s = register_state(
        month_end=ends, n_groups=len(employers), n_roles=len(roles), n_reasons=len(reasons),
        group=np.array([index[r.employer] for r in staff], dtype=np.intp),
        role=roles.get_indexer(pd.Index([r.role for r in staff], dtype=object)).astype(np.intp),
        fte=np.array([r.fte for r in staff], dtype=float),
        start=_dates([r.start_date for r in staff]), end=_dates([r.end_date for r in staff]),
        reason=reasons.get_indexer(pd.Index([r.leaving_reason for r in staff], dtype=object)).astype(np.intp),
        vac_group=np.array([index[v.employer] for v in vacancies], dtype=np.intp),
        vac_role=roles.get_indexer(pd.Index([v.role for v in vacancies], dtype=object)).astype(np.intp),
        vac_fte=np.array([v.fte for v in vacancies], dtype=float),
        vac_opened=_dates([v.opened for v in vacancies]), vac_closed=_dates([v.closed for v in vacancies]),
    )  # fmt: skip
    groups = register_roles().set_index("role")["nhs_staff_group"]
    updated = _last_updated(staff, vacancies)
    has = set(updated)
    out: list[list[MonthFigures]] = []
    for g, employer in enumerate(employers):
        row: list[MonthFigures] = []
        for m, end in enumerate(ends):
            month = str(end)[:7]
            first_day = datetime.fromisoformat(f"{month}-01").replace(tzinfo=UTC)
            when = updated.get(employer)
            if employer not in has:
                row.append(MonthFigures(employer, month, False, None, None, {}, {}, {}, None, None, {}, None, None,
                                        None, None, None, False))  # fmt: skip
                continue
            fte_r = {c: float(s.fte[g, m, i]) for i, c in enumerate(ROLE_CODES) if s.headcount[g, m, i]}
            by_group: dict[str, float] = {}
            for code, value in fte_r.items():
                by_group[str(groups[code])] = by_group.get(str(groups[code]), 0.0) + value
            rate, turnover = float(s.vacancy_rate[g, m]), float(s.turnover_12m[g, m])
            row.append(
                MonthFigures(
                    employer=employer, month=month, has_register=True,
                    headcount=int(s.headcount[g, m].sum()), fte=round(float(s.fte[g, m].sum()), 4),
                    fte_by_role=fte_r,
                    headcount_by_role={c: int(s.headcount[g, m, i]) for i, c in enumerate(ROLE_CODES)
                                       if s.headcount[g, m, i]},
                    fte_by_staff_group=by_group, joiners=int(s.joiners[g, m].sum()),
                    leavers=int(s.leavers[g, m].sum()),
                    leavers_by_reason={k: int(s.leavers[g, m, i]) for i, k in enumerate(LEAVING_REASONS)},
                    vacant_fte=round(float(s.vacant_fte[g, m].sum()), 4),
                    vacancy_rate=None if np.isnan(rate) else rate, leavers_12m=int(s.leavers_12m[g, m]),
                    turnover_12m=None if np.isnan(turnover) else turnover, last_updated=when,
                    updated_this_month=when is not None and when >= first_day,
                )
            )  # fmt: skip
        out.append(row)
    return out


def employer_trend(
    session: Session, user: Actor | None, employer: str, version: DataVersion, first: str, last: str | None = None
) -> list[MonthFigures]:
    """One employer's figures for each month ``first``..``last`` (default this month), for trend charts."""
    code = check_register_access(user, employer, version)
    return _figures(session, [code], first, last or current_month())[0]


def org_register_status(
    session: Session, user: Actor | None, org_code: str, version: DataVersion, month: str | None = None
) -> OrgRegisterStatus:
    """Every employer in the organisation at ``month`` (default this month): the PCN/ICB dashboard.

    ``not_updated`` lists the employers whose register nobody changed in that month (practices
    with no register at all included), for chasing.
    """
    code = check_org_access(user, org_code, version)
    chosen = month or current_month()
    datetime.strptime(chosen, "%Y-%m")  # ValueError for a malformed month
    employers = org_employers(session, version, code)
    rows = [r[0] for r in _figures(session, list(employers), chosen, chosen)] if employers else []
    return OrgRegisterStatus(code, chosen, rows, [r.employer for r in rows if not r.updated_this_month])
