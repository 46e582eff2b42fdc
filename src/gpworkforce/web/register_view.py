"""What the staff register pages, files and API share: access checks turned into HTTP errors,
form labels and error summaries, and the rows and dashboard figures the templates show.

Access is the services' (:func:`gpworkforce.services.register.check_register_access` for one
employer, :func:`gpworkforce.services.register_io.check_org_access` for an organisation):
out of scope 403 on every page, form, file and API route; unknown code 404 (admins only: a
non-admin learns nothing about codes outside their scope).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any, Final

from fastapi import HTTPException

from gpworkforce.nomenclature import CONTRACT_TYPES, LEAVING_REASONS, ROLES
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.organisations import SupersededOrganisation, UnknownOrganisation
from gpworkforce.services.register import (
    Actor,
    RecordNotFound,
    StaffView,
    UnknownEmployer,
    VacancyView,
    check_register_access,
)
from gpworkforce.services.register_io import check_org_access
from gpworkforce.services.register_state import MonthFigures
from gpworkforce.services.versions import DataVersion

#: Register age bands offered on the forms (the NHS GP workforce bands).
AGE_BANDS: Final = (
    "under_30", "30_34", "35_39", "40_44", "45_49", "50_54", "55_59", "60_64", "65_69", "70_plus", "unknown",
)  # fmt: skip
#: Field labels, as the error summary names them.
LABELS: Final = {
    "role": "Role", "contract_type": "Contract type", "fte": "FTE", "birth_year": "Year of birth",
    "age_band": "Age band", "start_date": "Start date", "end_date": "Leaving date", "leaving_reason": "Leaving reason",
    "local_ref": "Local reference", "opened": "Date opened", "closed": "Date closed", "outcome": "Outcome",
    "employer": "Employer", "file": "File",
}  # fmt: skip
ROLE_CHOICES: Final = tuple((r.code, r.label) for r in ROLES)
CONTRACT_CHOICES: Final = tuple((c, "ARRS" if c == "arrs" else c.capitalize()) for c in CONTRACT_TYPES)
REASON_CHOICES: Final = tuple((r, r.capitalize()) for r in LEAVING_REASONS)
AGE_CHOICES: Final = tuple(
    (b, b.replace("_plus", "+").replace("_", " to ").replace("under to ", "under ")) for b in AGE_BANDS
)
#: Months of history in the trend charts (this month and the 11 before).
TREND_MONTHS: Final = 12


def checked_employer(user: Actor | None, code: str, version: DataVersion) -> str:
    """The employer code if ``user`` may see and change its register; else 403 or 404."""
    try:
        return check_register_access(user, code, version)
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except UnknownEmployer as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


def checked_org(user: Actor | None, code: str, version: DataVersion) -> str:
    """The organisation's code if ``user`` holds all of it; else 403 or 404 (410 for a superseded code)."""
    try:
        return check_org_access(user, code, version)
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except SupersededOrganisation:
        raise
    except UnknownOrganisation as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


def not_found(exc: RecordNotFound) -> HTTPException:
    """404 for a record id that is not the employer's."""
    return HTTPException(status_code=404, detail=str(exc))


def error_list(errors: dict[str, str], prefix: str) -> list[dict[str, str]]:
    """NHS.UK error summary items naming each field, linked to its input ``#{prefix}-{field}``."""
    return [
        {"text": f"{LABELS.get(k, k.replace('_', ' ').capitalize())}: {v}", "href": f"#{prefix}-{k}"}
        for k, v in errors.items()
    ]


def month_before(month: str, back: int) -> str:
    """``YYYY-MM`` ``back`` months before ``month``."""
    y, m = int(month[:4]), int(month[5:7])
    total = y * 12 + (m - 1) - back
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def staff_json(row: StaffView) -> dict[str, Any]:
    """A staff record as JSON (dates ISO 8601)."""
    return {k: _iso(v) for k, v in asdict(row).items()}


def vacancy_json(row: VacancyView) -> dict[str, Any]:
    """A vacancy as JSON (dates ISO 8601)."""
    return {k: _iso(v) for k, v in asdict(row).items()}


def figures_json(row: MonthFigures) -> dict[str, Any]:
    """One month's figures as JSON; None where unknown (never 0)."""
    return {k: _iso(v) for k, v in asdict(row).items()}


def age_text(row: StaffView, today: date | None = None) -> str:
    """ "62 (born 1964)", or the age band, or "unknown"."""
    year = (today or datetime.now(UTC).date()).year
    if row.birth_year is not None:
        return f"{year - row.birth_year} (born {row.birth_year})"
    return dict(AGE_CHOICES).get(row.age_band or "unknown", row.age_band or "unknown")


def percent(value: float | None) -> str:
    """A rate as a percentage with one decimal, or "not known" (no denominator)."""
    return "not known" if value is None else f"{value:.1%}"
