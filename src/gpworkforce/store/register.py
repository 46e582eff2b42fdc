"""Tables of the staff register (issue 12): staff records and vacancies kept by a practice or PCN.

No names are stored: a record is a post-holder's role, FTE, age, dates and contract, plus an
optional local reference the employer chooses (for finding duplicates, never a name). The
``employer`` is a practice code, or a PCN code for PCN-employed (ARRS) staff. Migration
``0006`` creates exactly these tables; it is written out by hand, so a change here needs a
new revision. Codes (roles, contract types, reasons) are checked by the services, not here,
so adding a role needs no migration; the bounds that never change are CHECK constraints.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gpworkforce.store.base import Base
from gpworkforce.store.tables import utc_now


class StaffRecord(Base):
    """One person's spell in one role at one employer; ``end_date`` None while in post."""

    __tablename__ = "staff_record"
    __table_args__ = (
        # NULL local references never clash (SQL), so only given references are unique.
        UniqueConstraint("employer", "local_ref", name="uq_staff_record_employer_local_ref"),
        CheckConstraint("fte > 0 AND fte <= 2", name="fte"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        CheckConstraint("birth_year IS NOT NULL OR age_band IS NOT NULL", name="age"),
        Index("ix_staff_record_employer", "employer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(40))
    fte: Mapped[float] = mapped_column(Float)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    leaving_reason: Mapped[str | None] = mapped_column(String(20))
    contract_type: Mapped[str] = mapped_column(String(20))
    local_ref: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Vacancy(Base):
    """A post being recruited to; ``closed`` and ``outcome`` (filled / withdrawn) set together."""

    __tablename__ = "vacancy"
    __table_args__ = (
        CheckConstraint("fte > 0 AND fte <= 2", name="fte"),
        CheckConstraint("closed IS NULL OR closed >= opened", name="dates"),
        CheckConstraint("(closed IS NULL) = (outcome IS NULL)", name="outcome"),
        Index("ix_vacancy_employer", "employer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(40))
    fte: Mapped[float] = mapped_column(Float)
    opened: Mapped[date] = mapped_column(Date)
    closed: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    local_ref: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
