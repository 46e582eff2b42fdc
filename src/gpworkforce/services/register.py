"""The staff register: add, edit and end staff records, open, fill and withdraw vacancies.

Who may: signed-in users whose scope holds the employer, as for FTE corrections (a practice
manager their practice only; a PCN lead the PCN and its practices; an ICB analyst the ICB's;
an admin any). Anonymous callers (``user=None``) get :class:`PermissionDenied`; the command
line's operator, who holds the database itself, acts as :data:`LOCAL_OPERATOR`.
Every change is validated by the importer's rules (:mod:`gpworkforce.ingest.register`) and
written to the audit log in the caller's session: the functions never commit, so a change and
its audit entry are saved together or not at all. Import and export are in
:mod:`gpworkforce.services.register_io`, monthly figures in :mod:`gpworkforce.services.register_state`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpworkforce.ingest.register import check_staff_cells, check_vacancy_cells
from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.reference import register_roles
from gpworkforce.services.access import Principal, Scope
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.audit import UserLike, as_utc, record_audit
from gpworkforce.services.scopes import practice_parents
from gpworkforce.services.versions import DataVersion
from gpworkforce.store.register import StaffRecord, Vacancy

__all__ = [
    "AUDIT_ENTITY",
    "LOCAL_OPERATOR",
    "InvalidRegisterEntry",
    "LocalOperator",
    "RecordNotFound",
    "RegisterUser",
    "StaffView",
    "UnknownEmployer",
    "VacancyView",
    "add_staff",
    "check_register_access",
    "edit_staff",
    "end_staff",
    "fill_vacancy",
    "list_staff",
    "list_vacancies",
    "open_vacancy",
    "withdraw_vacancy",
]

#: Audit entity of every register change; the entry's key is the employer code, so scoped
#: readers filter entries by their practices (``audit.audit_entries(..., keys=...)``).
AUDIT_ENTITY: Final = "register"
STAFF_FIELDS: Final = (
    "role", "contract_type", "fte", "birth_year", "age_band", "start_date", "end_date", "leaving_reason", "local_ref",
)  # fmt: skip
VACANCY_FIELDS: Final = ("role", "fte", "opened", "closed", "outcome", "local_ref")


class RegisterUser(Principal, UserLike, Protocol):
    """A signed-in user as the register reads them (a ``User`` row or a ``SignedInUser``)."""


@dataclass(frozen=True)
class LocalOperator:
    """Whoever runs the command line on the server: holds the database, so any scope; audited
    with no user (as ``gpworkforce user add`` is), unless ``--as EMAIL`` names an account."""

    label: str = "command line"


LOCAL_OPERATOR: Final = LocalOperator()
Actor = RegisterUser | LocalOperator


class UnknownEmployer(LookupError):
    """No practice with registered patients, nor PCN, has this code."""


class InvalidRegisterEntry(ValueError):
    """Values that cannot be saved; ``errors`` maps the field to a message to show beside it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class RecordNotFound(LookupError):
    """No staff record or vacancy with this id at this employer (also said for one out of scope)."""


@dataclass(frozen=True)
class StaffView:
    """One staff record as pages and files show it (no names are ever stored)."""

    id: int
    employer: str
    role: str
    role_label: str
    staff_group: str
    contract_type: str
    fte: float
    birth_year: int | None
    age_band: str | None
    start_date: date
    end_date: date | None
    leaving_reason: str | None
    local_ref: str | None
    updated_at: datetime


@dataclass(frozen=True)
class VacancyView:
    """One vacancy; ``closed``/``outcome`` None while open."""

    id: int
    employer: str
    role: str
    role_label: str
    fte: float
    opened: date
    closed: date | None
    outcome: str | None
    local_ref: str | None
    updated_at: datetime


# --- Access ---------------------------------------------------------------------------------


def _employer_kind(version: DataVersion, code: str) -> str | None:
    """``practice`` or ``pcn`` for a known employer code, else None."""
    mapping = practice_parents(version)
    if code in mapping:
        return "practice"
    pcns = version.memoised("derived", "register-pcn-codes", lambda: frozenset(p[0] for p in mapping.values() if p[0]))
    return "pcn" if code in pcns else None


def check_register_access(user: Actor | None, employer: str, version: DataVersion) -> str:
    """The employer code, normalised, if ``user`` may read and change its register.

    Scope is checked before existence, so a non-admin learns nothing about codes outside their
    scope (:class:`PermissionDenied`); an admin or the operator gets :class:`UnknownEmployer`.
    A practice manager has their own practice only (not its PCN); PCN and ICB users their
    practices and the PCNs wholly inside their scope.
    """
    code = employer.strip().upper()
    if user is None:
        raise PermissionDenied("Sign in to see or change a staff register")
    if not isinstance(user, LocalOperator):
        scope = Scope.for_user(user)
        mapping = practice_parents(version)
        kind = _employer_kind(version, code)
        allowed = scope.is_all or (
            not user.disabled
            and (
                scope.allows(code, mapping)
                if kind == "practice"
                else (kind == "pcn" and scope.level != "practice" and scope.contains_org(code, mapping))
            )
        )
        if not allowed:
            raise PermissionDenied(
                f"{code} is outside your organisation, so you cannot see or change its staff register"
            )
    if _employer_kind(version, code) is None:
        raise UnknownEmployer(f"{code} is not a practice or PCN in the loaded national data")
    return code


def audit_user(user: Actor) -> UserLike | None:
    """Who the audit entry names: the account, or nobody for the command-line operator."""
    return None if isinstance(user, LocalOperator) else user


def updated_by_key(user: Actor) -> str:
    """What ``created_by``/``updated_by`` hold: ``user:<id>`` (never an email address) or ``cli``."""
    return "cli" if isinstance(user, LocalOperator) else f"user:{user.id}"


# --- Reading --------------------------------------------------------------------------------


def _staff_group(role: str) -> str:
    table = register_roles()
    return str(table.set_index("role").at[role, "nhs_staff_group"]) if role in set(table["role"]) else ""


def staff_view(row: StaffRecord) -> StaffView:
    """A stored record as a typed, session-free view."""
    return StaffView(
        id=row.id, employer=row.employer, role=row.role,
        role_label=ROLE_BY_CODE[row.role].label if row.role in ROLE_BY_CODE else row.role,
        staff_group=_staff_group(row.role), contract_type=row.contract_type, fte=row.fte,
        birth_year=row.birth_year, age_band=row.age_band, start_date=row.start_date, end_date=row.end_date,
        leaving_reason=row.leaving_reason, local_ref=row.local_ref, updated_at=as_utc(row.updated_at),
    )  # fmt: skip


def vacancy_view(row: Vacancy) -> VacancyView:
    """A stored vacancy as a typed, session-free view."""
    return VacancyView(
        id=row.id, employer=row.employer, role=row.role,
        role_label=ROLE_BY_CODE[row.role].label if row.role in ROLE_BY_CODE else row.role, fte=row.fte,
        opened=row.opened, closed=row.closed, outcome=row.outcome, local_ref=row.local_ref,
        updated_at=as_utc(row.updated_at),
    )  # fmt: skip


def list_staff(
    session: Session, user: Actor | None, employer: str, version: DataVersion, *, include_leavers: bool = True
) -> list[StaffView]:
    """The employer's staff records (leavers too unless ``include_leavers`` is False), by start date."""
    code = check_register_access(user, employer, version)
    query = select(StaffRecord).where(StaffRecord.employer == code)
    if not include_leavers:
        query = query.where(StaffRecord.end_date.is_(None))
    rows = session.scalars(query.order_by(StaffRecord.start_date, StaffRecord.id))
    return [staff_view(r) for r in rows]


def list_vacancies(
    session: Session, user: Actor | None, employer: str, version: DataVersion, *, open_only: bool = False
) -> list[VacancyView]:
    """The employer's vacancies (only open ones with ``open_only``), by opening date."""
    code = check_register_access(user, employer, version)
    query = select(Vacancy).where(Vacancy.employer == code)
    if open_only:
        query = query.where(Vacancy.closed.is_(None))
    return [vacancy_view(r) for r in session.scalars(query.order_by(Vacancy.opened, Vacancy.id))]


# --- Writing --------------------------------------------------------------------------------


def _snapshot(row: StaffRecord | Vacancy, fields: tuple[str, ...]) -> dict[str, Any]:
    return {"id": row.id, **{f: getattr(row, f) for f in fields}}


def _check_ref_free(session: Session, code: str, ref: str | None, own_id: int | None) -> None:
    if ref is None:
        return
    clash = session.scalar(select(StaffRecord.id).where(StaffRecord.employer == code, StaffRecord.local_ref == ref))
    if clash is not None and clash != own_id:
        raise InvalidRegisterEntry({"local_ref": f"'{ref}' is already used by another record of {code}"})


def _staff_cells(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(STAFF_FIELDS) - {"employer", "csrf_token"})
    if unknown:
        raise InvalidRegisterEntry({k: "is not a staff record field" for k in unknown})
    return {k: v for k, v in values.items() if k in STAFF_FIELDS}


def _checked_staff(code: str, cells: Mapping[str, Any]) -> dict[str, Any]:
    record, errors = check_staff_cells(dict(cells), code)
    if errors:
        raise InvalidRegisterEntry(errors)
    record.pop("employer", None)
    return record


def add_staff(
    session: Session, user: Actor | None, employer: str, values: Mapping[str, Any], version: DataVersion,
    *, ip: str | None = None,
) -> StaffView:  # fmt: skip
    """Add a staff record from form-like ``values`` (the Staff sheet's columns, text or typed).

    Raises :class:`InvalidRegisterEntry` keyed by field (e.g. ``fte``, ``birth_year``).
    """
    code = check_register_access(user, employer, version)
    assert user is not None
    record = _checked_staff(code, _staff_cells(values))
    _check_ref_free(session, code, record["local_ref"], None)
    who, now = updated_by_key(user), datetime.now(UTC)
    row = StaffRecord(employer=code, created_by=who, updated_by=who, created_at=now, updated_at=now, **record)
    session.add(row)
    session.flush()
    record_audit(session, audit_user(user), "register.staff.add", AUDIT_ENTITY, code, None,
                 _snapshot(row, STAFF_FIELDS), ip)  # fmt: skip
    return staff_view(row)


def _own_staff(session: Session, code: str, record_id: int) -> StaffRecord:
    row = session.get(StaffRecord, record_id)
    if row is None or row.employer != code:
        raise RecordNotFound(f"{code} has no staff record {record_id}")
    return row


def edit_staff(
    session: Session, user: Actor | None, employer: str, record_id: int, changes: Mapping[str, Any],
    version: DataVersion, *, ip: str | None = None,
) -> StaffView:  # fmt: skip
    """Change fields of a record (the others keep their values); the whole record is re-checked."""
    code = check_register_access(user, employer, version)
    assert user is not None
    row = _own_staff(session, code, record_id)
    before = _snapshot(row, STAFF_FIELDS)
    cells = {f: before[f] for f in STAFF_FIELDS} | _staff_cells(changes)
    record = _checked_staff(code, cells)
    _check_ref_free(session, code, record["local_ref"], row.id)
    for key, value in record.items():
        setattr(row, key, value)
    row.updated_by, row.updated_at = updated_by_key(user), datetime.now(UTC)
    session.flush()
    after = _snapshot(row, STAFF_FIELDS)
    if after != before:
        record_audit(session, audit_user(user), "register.staff.edit", AUDIT_ENTITY, code, before, after, ip)
    return staff_view(row)


def end_staff(
    session: Session, user: Actor | None, employer: str, record_id: int, end_date: date | str, reason: str,
    version: DataVersion, *, ip: str | None = None,
) -> StaffView:  # fmt: skip
    """Record a leaver: the last day worked and why (retirement, other, unknown)."""
    if not str(reason).strip():
        raise InvalidRegisterEntry({"leaving_reason": "is empty; choose retirement, other or unknown"})
    return edit_staff(
        session, user, employer, record_id, {"end_date": end_date, "leaving_reason": reason}, version, ip=ip
    )


def _checked_vacancy(code: str, cells: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(cells) - set(VACANCY_FIELDS) - {"employer", "csrf_token"})
    if unknown:
        raise InvalidRegisterEntry({k: "is not a vacancy field" for k in unknown})
    record, errors = check_vacancy_cells({k: v for k, v in cells.items() if k in VACANCY_FIELDS}, code)
    if errors:
        raise InvalidRegisterEntry(errors)
    record.pop("employer", None)
    return record


def open_vacancy(
    session: Session, user: Actor | None, employer: str, values: Mapping[str, Any], version: DataVersion,
    *, ip: str | None = None,
) -> VacancyView:  # fmt: skip
    """Open a vacancy from ``role``, ``fte``, ``opened`` (and optional ``local_ref``)."""
    code = check_register_access(user, employer, version)
    assert user is not None
    if values.get("closed") or values.get("outcome"):
        raise InvalidRegisterEntry({"closed": "a new vacancy is open; fill or withdraw it afterwards"})
    record = _checked_vacancy(code, values)
    who, now = updated_by_key(user), datetime.now(UTC)
    row = Vacancy(employer=code, created_by=who, updated_by=who, created_at=now, updated_at=now, **record)
    session.add(row)
    session.flush()
    record_audit(session, audit_user(user), "register.vacancy.open", AUDIT_ENTITY, code, None,
                 _snapshot(row, VACANCY_FIELDS), ip)  # fmt: skip
    return vacancy_view(row)


def _close_vacancy(
    session: Session, user: Actor | None, employer: str, vacancy_id: int, closed: date | str, outcome: str,
    version: DataVersion, ip: str | None,
) -> VacancyView:  # fmt: skip
    code = check_register_access(user, employer, version)
    assert user is not None
    row = session.get(Vacancy, vacancy_id)
    if row is None or row.employer != code:
        raise RecordNotFound(f"{code} has no vacancy {vacancy_id}")
    if row.closed is not None:
        raise InvalidRegisterEntry({"closed": f"the vacancy was already {row.outcome} on {row.closed:%Y-%m-%d}"})
    before = _snapshot(row, VACANCY_FIELDS)
    record = _checked_vacancy(code, {f: before[f] for f in VACANCY_FIELDS} | {"closed": closed, "outcome": outcome})
    row.closed, row.outcome = record["closed"], record["outcome"]
    row.updated_by, row.updated_at = updated_by_key(user), datetime.now(UTC)
    session.flush()
    record_audit(session, audit_user(user), f"register.vacancy.{'fill' if outcome == 'filled' else 'withdraw'}",
                 AUDIT_ENTITY, code, before, _snapshot(row, VACANCY_FIELDS), ip)  # fmt: skip
    return vacancy_view(row)


def fill_vacancy(
    session: Session, user: Actor | None, employer: str, vacancy_id: int, closed: date | str, version: DataVersion,
    *, ip: str | None = None,
) -> VacancyView:  # fmt: skip
    """Close a vacancy as filled on ``closed`` (add the new starter with :func:`add_staff`)."""
    return _close_vacancy(session, user, employer, vacancy_id, closed, "filled", version, ip)


def withdraw_vacancy(
    session: Session, user: Actor | None, employer: str, vacancy_id: int, closed: date | str, version: DataVersion,
    *, ip: str | None = None,
) -> VacancyView:  # fmt: skip
    """Close a vacancy as withdrawn on ``closed`` (the post is no longer being recruited to)."""
    return _close_vacancy(session, user, employer, vacancy_id, closed, "withdrawn", version, ip)
