"""Import a whole register file (CSV or the Excel template) and export one, all or nothing.

Import *replaces* the register of every employer the file names (staff records and vacancies,
each sheet the file has): a register file is the employer's whole list, so re-importing an
edited export is the way to make many changes at once, and nothing is ever appended twice.
Employers the file does not name are untouched. Every row is checked first
(:func:`gpworkforce.ingest.register.read_register`: file, row and column of every problem),
then scope for every employer, then the rows are written with one audit entry per employer in
one transaction: a problem anywhere writes nothing.

The web (which may not import ``ingest``) reads an upload with :func:`read_register` re-exported
here, then calls :func:`import_register` in its request's session.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.register import STAFF_COLUMNS, VACANCY_COLUMNS, RegisterFile, read_register
from gpworkforce.services.access import Scope
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.organisations import resolve
from gpworkforce.services.register import (
    AUDIT_ENTITY,
    Actor,
    LocalOperator,
    audit_user,
    check_register_access,
    updated_by_key,
)
from gpworkforce.services.scopes import scope_allows_org
from gpworkforce.services.versions import DataVersion
from gpworkforce.store.accounts import User
from gpworkforce.store.register import StaffRecord, Vacancy

__all__ = [
    "IngestError",
    "RegisterExport",
    "RegisterFile",
    "RegisterImported",
    "check_org_access",
    "export_register",
    "find_user",
    "import_register",
    "import_register_file",
    "org_employers",
    "read_register",
]


@dataclass(frozen=True)
class RegisterImported:
    """What an import did for one employer."""

    employer: str
    staff: int
    vacancies: int
    replaced_staff: int
    replaced_vacancies: int


@dataclass(frozen=True)
class RegisterExport:
    """An organisation's register as the template's frames (columns of the Staff/Vacancies sheets)."""

    org_code: str
    employers: tuple[str, ...]
    staff: pd.DataFrame
    vacancies: pd.DataFrame


def find_user(engine: Engine, email: str) -> User:
    """The account ``--as EMAIL`` names (detached copy); :class:`PermissionDenied` if none or disabled."""
    with store.session_scope(engine) as s:
        user = s.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or user.disabled:
            raise PermissionDenied(f"no enabled account {email.strip().lower()}")
        s.expunge(user)
        return user


def _count(session: Session, table: type[StaffRecord] | type[Vacancy], code: str) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(table.employer == code)) or 0)


def import_register(
    session: Session, user: Actor | None, read: RegisterFile, version: DataVersion, *, ip: str | None = None
) -> list[RegisterImported]:
    """Replace the register of every employer in ``read`` (already checked) in the caller's session.

    Scope is checked for every employer before anything is written. The caller commits once.
    A sheet the file lacks (a staff-only CSV) leaves that table of the employers untouched.
    """
    codes = [check_register_access(user, e, version) for e in read.employers]
    assert user is not None
    who, now = updated_by_key(user), datetime.now(UTC)
    replace_staff, replace_vacancies = read.has_staff, read.has_vacancies
    done: list[RegisterImported] = []
    for code in codes:
        staff = read.staff[read.staff["employer"] == code]
        vacancies = read.vacancies[read.vacancies["employer"] == code]
        old_staff = _count(session, StaffRecord, code) if replace_staff else 0
        old_vac = _count(session, Vacancy, code) if replace_vacancies else 0
        if replace_staff:
            session.execute(delete(StaffRecord).where(StaffRecord.employer == code))
            session.add_all(
                StaffRecord(created_by=who, updated_by=who, created_at=now, updated_at=now, **_record(r))
                for r in staff.to_dict("records")
            )
        if replace_vacancies:
            session.execute(delete(Vacancy).where(Vacancy.employer == code))
            session.add_all(
                Vacancy(created_by=who, updated_by=who, created_at=now, updated_at=now, **_record(r))
                for r in vacancies.to_dict("records")
            )
        session.flush()
        result = RegisterImported(code, len(staff), len(vacancies), old_staff, old_vac)
        record_import_audit(session, user, code, read.source_file, result, ip)
        done.append(result)
    return done


def _record(values: Mapping[Hashable, Any]) -> dict[str, Any]:
    """A frame row as table columns, pandas' missing markers (NaN, NaT, NA) as None."""
    return {
        str(k): (None if v is None or (not isinstance(v, str) and bool(pd.isna(v))) else v) for k, v in values.items()
    }


def record_import_audit(
    session: Session, user: Actor, code: str, source: str, result: RegisterImported, ip: str | None
) -> None:
    """One audit entry per employer imported: the file and the counts replaced and written."""
    from gpworkforce.services.audit import record_audit

    record_audit(
        session, audit_user(user), "register.import", AUDIT_ENTITY, code,
        {"staff": result.replaced_staff, "vacancies": result.replaced_vacancies},
        {"file": source, "staff": result.staff, "vacancies": result.vacancies}, ip,
    )  # fmt: skip


def import_register_file(
    engine: Engine, user: Actor | None, path: Path, version: DataVersion, *, employer: str | None = None
) -> list[RegisterImported]:
    """Read, check and import a register file in one transaction (the CLI's ``import register``).

    Raises :class:`IngestError` (file, row, column) or :class:`PermissionDenied` with nothing written.
    """
    read = read_register(path, employer=employer)
    if not read.employers:
        raise IngestError(path.name, "the file has no staff or vacancy rows")
    with store.session_scope(engine) as s:
        return import_register(s, user, read, version)


def check_org_access(user: Actor | None, org_code: str, version: DataVersion) -> str:
    """The organisation's ODS code if ``user`` holds all of it (any level); else :class:`PermissionDenied`
    (or :class:`UnknownEmployer`/``UnknownOrganisation`` for the operator and admins)."""
    if user is None:
        raise PermissionDenied("Sign in to see staff registers")
    if not isinstance(user, LocalOperator) and not scope_allows_org(Scope.for_user(user), org_code, version):
        raise PermissionDenied(f"{org_code.strip().upper()} is outside your organisation")
    return resolve(version, org_code).code


def org_employers(session: Session, version: DataVersion, org_code: str) -> tuple[str, ...]:
    """Employers inside an organisation: its practices, and for a PCN or wider the PCNs inside it
    that keep a register (a practice's own register never includes its PCN's staff)."""
    org = resolve(version, org_code)
    practices = version.data.practices.loc[org.mask]
    codes = {str(p).upper() for p in practices["practice_code"]}
    if org.level == "practice":
        return tuple(sorted(codes))
    pcns = sorted({str(p).upper() for p in practices["pcn_code"] if str(p)})
    kept = set(session.scalars(select(StaffRecord.employer).where(StaffRecord.employer.in_(pcns))))
    kept |= set(session.scalars(select(Vacancy.employer).where(Vacancy.employer.in_(pcns))))
    return tuple(sorted(codes | kept))


def export_register(session: Session, user: Actor | None, org_code: str, version: DataVersion) -> RegisterExport:
    """The register of every employer in ``org_code`` as the template's frames.

    The user must hold the whole organisation (:class:`PermissionDenied` otherwise), so an
    export never shows part of an organisation without saying so.
    """
    code = check_org_access(user, org_code, version)
    allowed = list(org_employers(session, version, code))
    staff_rows = session.scalars(
        select(StaffRecord).where(StaffRecord.employer.in_(allowed)).order_by(StaffRecord.employer, StaffRecord.id)
    ).all()
    vac_rows = session.scalars(
        select(Vacancy).where(Vacancy.employer.in_(allowed)).order_by(Vacancy.employer, Vacancy.id)
    ).all()
    staff = pd.DataFrame([{c: getattr(r, c) for c in STAFF_COLUMNS} for r in staff_rows], columns=list(STAFF_COLUMNS))
    vacancies = pd.DataFrame(
        [{c: getattr(r, c) for c in VACANCY_COLUMNS} for r in vac_rows], columns=list(VACANCY_COLUMNS)
    )
    staff["birth_year"] = staff["birth_year"].astype("Int64")
    return RegisterExport(code, tuple(allowed), staff, vacancies)
