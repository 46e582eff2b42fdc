"""ORM tables for imported datasets and user FTE corrections.

One ``dataset`` row records an import (kind, period, source file); every canonical frame
kind (:mod:`gpworkforce.frames`) has its own row table whose columns are exactly the
canonical columns plus ``id`` and ``dataset_id`` (a test keeps the two in step: same names,
order, types and nullability). Rows are deleted with their dataset (``ON DELETE CASCADE``),
so replacing a dataset is one delete plus one bulk insert.

:data:`KIND_TABLES` ties a frame kind to its table; the columns and dtypes come from
:data:`gpworkforce.frames.FRAMES`, and the repository reads and writes frames only through
the two.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gpworkforce.store.base import Base

#: Surrogate key of the row tables: BIGSERIAL on PostgreSQL (national files are large and
#: re-imported every month), the rowid alias ``INTEGER PRIMARY KEY`` on SQLite.
RowId = BigInteger().with_variant(Integer(), "sqlite")


def utc_now() -> datetime:
    """Timezone-aware now, so stored timestamps are unambiguous across servers."""
    return datetime.now(UTC)


class Dataset(Base):
    """One imported canonical frame; (kind, period) is unique, a re-import replaces it."""

    __tablename__ = "dataset"
    __table_args__ = (
        UniqueConstraint("kind", "period", name="uq_dataset_kind_period"),
        # Never reuse ids on SQLite either: ``database_fingerprint`` relies on max(id) growing.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(40))
    source_file: Mapped[str] = mapped_column(String(500))
    rows: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


def _dataset_fk() -> Mapped[int]:
    return mapped_column(Integer, ForeignKey("dataset.id", ondelete="CASCADE"))


class PatientCount(Base):
    """Registered patients by practice, sex and five-year age band (``patients``)."""

    __tablename__ = "patient_count"
    __table_args__ = (Index("ix_patient_count_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    sex: Mapped[str] = mapped_column(String)
    age_band: Mapped[str] = mapped_column(String)
    patients: Mapped[int] = mapped_column(Integer)


class PracticeMapping(Base):
    """Practice -> PCN -> sub-ICB -> ICB -> region lookup (``mapping``); names may be missing."""

    __tablename__ = "practice_mapping"
    __table_args__ = (Index("ix_practice_mapping_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    practice_name: Mapped[str | None] = mapped_column(String)
    postcode: Mapped[str | None] = mapped_column(String)
    pcn_code: Mapped[str | None] = mapped_column(String)
    pcn_name: Mapped[str | None] = mapped_column(String)
    sub_icb_code: Mapped[str | None] = mapped_column(String)
    sub_icb_ons_code: Mapped[str | None] = mapped_column(String)
    sub_icb_name: Mapped[str | None] = mapped_column(String)
    icb_code: Mapped[str | None] = mapped_column(String)
    icb_ons_code: Mapped[str | None] = mapped_column(String)
    icb_name: Mapped[str | None] = mapped_column(String)
    region_code: Mapped[str | None] = mapped_column(String)
    region_ons_code: Mapped[str | None] = mapped_column(String)
    region_name: Mapped[str | None] = mapped_column(String)


class AppointmentCount(Base):
    """Practice appointment crosstab for one month (``appointments``)."""

    __tablename__ = "appointment_count"
    __table_args__ = (Index("ix_appointment_count_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    hcp_type: Mapped[str] = mapped_column(String)
    mode: Mapped[str] = mapped_column(String)
    category: Mapped[str] = mapped_column(String)
    interval: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    appointments: Mapped[int] = mapped_column(Integer)


class SubIcbAppointmentCount(Base):
    """National monthly appointment series by sub-ICB (``subicb_appointments``)."""

    __tablename__ = "subicb_appointment_count"
    __table_args__ = (Index("ix_subicb_appointment_count_dataset_subicb", "dataset_id", "sub_icb_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    month: Mapped[str] = mapped_column(String)
    sub_icb_code: Mapped[str] = mapped_column(String)
    hcp_type: Mapped[str] = mapped_column(String)
    mode: Mapped[str] = mapped_column(String)
    interval: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    appointments: Mapped[int] = mapped_column(Integer)


class WorkforceFte(Base):
    """Practice FTE (and headcount, where published) by staff group (``workforce``)."""

    __tablename__ = "workforce_fte"
    __table_args__ = (Index("ix_workforce_fte_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    staff: Mapped[str] = mapped_column(String)
    fte: Mapped[float] = mapped_column(Float)
    headcount: Mapped[float | None] = mapped_column(Float)


class GpAgeHeadcount(Base):
    """GP headcount by practice and age band (``gp_age``), for retirement projections."""

    __tablename__ = "gp_age_headcount"
    __table_args__ = (Index("ix_gp_age_headcount_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    age_band: Mapped[str] = mapped_column(String)
    headcount: Mapped[float] = mapped_column(Float)


class WorkforceRoleFte(Base):
    """Practice FTE and headcount by detailed role (``workforce_roles``); NA/ND stay NULL."""

    __tablename__ = "workforce_role_fte"
    __table_args__ = (Index("ix_workforce_role_fte_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    staff_group: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)
    fte: Mapped[float | None] = mapped_column(Float)
    headcount: Mapped[float | None] = mapped_column(Float)


class WorkforceAgeBand(Base):
    """Practice headcount and FTE by staff group and age band (``workforce_age``)."""

    __tablename__ = "workforce_age_band"
    __table_args__ = (Index("ix_workforce_age_band_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    staff_group: Mapped[str] = mapped_column(String)
    age_band: Mapped[str] = mapped_column(String)
    headcount: Mapped[float | None] = mapped_column(Float)
    fte: Mapped[float | None] = mapped_column(Float)


class PcnWorkforce(Base):
    """PCN-employed staff (ARRS roles) by NHS staff role and our role code (``pcn_workforce``)."""

    __tablename__ = "pcn_workforce"
    __table_args__ = (Index("ix_pcn_workforce_dataset_pcn", "dataset_id", "pcn_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    pcn_code: Mapped[str] = mapped_column(String)
    staff_role: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)
    fte: Mapped[float] = mapped_column(Float)
    headcount: Mapped[int] = mapped_column(Integer)


class ImdScore(Base):
    """Practice deprivation score (``imd``)."""

    __tablename__ = "imd_score"
    __table_args__ = (Index("ix_imd_score_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    imd_score: Mapped[float] = mapped_column(Float)


class QofRegister(Base):
    """QOF disease register sizes by practice and group (``qof``)."""

    __tablename__ = "qof_register"
    __table_args__ = (Index("ix_qof_register_dataset_practice", "dataset_id", "practice_code"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    practice_code: Mapped[str] = mapped_column(String)
    group_code: Mapped[str] = mapped_column(String)
    register: Mapped[float | None] = mapped_column(Float)
    list_size: Mapped[float | None] = mapped_column(Float)
    list_type: Mapped[str | None] = mapped_column(String)


class PopulationProjection(Base):
    """ONS national population projection by year, sex and age band (``population_projection``)."""

    __tablename__ = "population_projection"
    __table_args__ = (Index("ix_population_projection_dataset_year", "dataset_id", "year"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    dataset_id: Mapped[int] = _dataset_fk()
    year: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String)
    age_band: Mapped[str] = mapped_column(String)
    population: Mapped[float] = mapped_column(Float)


class PracticeFteOverride(Base):
    """A user's correction of a practice's FTE for one role; capacity uses it over the published FTE."""

    __tablename__ = "practice_fte_override"
    __table_args__ = (UniqueConstraint("practice_code", "role", name="uq_practice_fte_override_practice_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    practice_code: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(40))
    fte: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


#: Canonical frame kind -> row table.
KIND_TABLES: Final[dict[str, type[Base]]] = {
    "patients": PatientCount,
    "mapping": PracticeMapping,
    "appointments": AppointmentCount,
    "subicb_appointments": SubIcbAppointmentCount,
    "workforce": WorkforceFte,
    "gp_age": GpAgeHeadcount,
    "workforce_roles": WorkforceRoleFte,
    "workforce_age": WorkforceAgeBand,
    "pcn_workforce": PcnWorkforce,
    "imd": ImdScore,
    "qof": QofRegister,
    "population_projection": PopulationProjection,
}
