"""Typed results of the analysis services, which are also the JSON API's response models.

Each report has a title, the organisation, a typed summary, typed table rows and the notes
behind them. The tables are held as DataFrames with today's column order (:meth:`frames`:
CSV downloads, CLI output, charts and pages read those, at numpy speed); the typed rows
(:attr:`tables`) are built from them on first use, for the API schema and typed callers,
because validating 6,139 rows costs tens of milliseconds a page does not need to spend.

Optional keys (an organisation's parent codes, comparator columns of the benchmarks, a
practice's FTE source) are left out of the output when they were not set, so the JSON keeps
exactly the keys it always had.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, PrivateAttr, SerializerFunctionWrapHandler, computed_field, model_serializer

from gpworkforce.scenario import DEFAULT_CAPACITY_STANDARD, CapacityStandard


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as dicts of plain Python values, like ``to_dict("records")`` but ~10x faster.

    Why: tables have a few to a few thousand rows, and pandas' own conversion boxes every cell.
    """
    columns = [str(c) for c in frame.columns]
    values = [frame[c].tolist() for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class _Sparse(_Frozen):
    """A model whose optional fields appear in its output only when they were given."""

    @model_serializer(mode="wrap")
    def _only_given(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        # no return annotation: the JSON schema stays the model's own, not "object"
        out: dict[str, Any] = handler(self)
        given = self.model_fields_set
        return {k: v for k, v in out.items() if k in given or self.__class__.model_fields[k].is_required()}


# --- The organisation ----------------------------------------------------------------------------


class OrgInfo(_Sparse):
    """The organisation a report is about, with the codes of the organisations it sits in.

    The parent codes are there for every level but England (None where unknown), except the
    organisation's own level; ``note`` says how an ONS code was read.
    """

    level: str
    code: str
    name: str
    label: str
    practices: int
    pcn_code: str | None = None
    sub_icb_code: str | None = None
    icb_code: str | None = None
    region_code: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The keys given, as the reports' ``organisation`` (plain dict for templates and files)."""
        return self.model_dump()


# --- Where the FTE came from ------------------------------------------------------------------


class FteCorrection(_Frozen):
    """One practice's FTE correction: which roles, who (role and organisation, never an email), when."""

    practice_code: str
    roles: list[str]
    corrected_by: str
    corrected_at: datetime


class FteProvenance(_Sparse):
    """How many of an organisation's practices have published, estimated or corrected FTE.

    ``estimated`` counts practices with at least one clinical staff group estimated (and no
    correction); ``corrected`` those with at least one role corrected by a user; ``from_register``
    (given only when some are) those whose own-staff FTE comes from their staff register;
    ``published`` the rest. ``text`` is the plain-English line shown beside capacity figures.
    """

    practices: int
    published: int
    estimated: int
    corrected: int
    from_register: int = 0
    workforce_period: str | None
    corrections: list[FteCorrection]
    text: str

    @property
    def all_published(self) -> bool:
        return self.estimated == 0 and self.corrected == 0 and self.from_register == 0


# --- Summaries -------------------------------------------------------------------------------------


class DemandSummary(_Sparse):
    """Registered patients and booked appointments, and the GP work other roles could take.

    The month fields are there only when a calendar month was asked for (``--month``).
    """

    registered_patients: float
    appointments_per_year: float
    appointments_per_month: float
    appointments_per_week: float
    appointments_per_patient_year: float
    gp_appointments_per_week: float
    gp_appointments_others_could_take_per_week: float
    share_of_gp_work_others_could_take: float
    gp_appointments_this_team_could_take_per_week: float
    share_of_gp_work_this_team_could_take: float
    gp_appointments_moved_per_week: float
    gp_hours_per_week_others_could_take: float
    annual_cost_of_that_work_at_gp_rates: float
    annual_cost_of_that_work_by_other_roles: float
    year: int
    month: str | None = None
    working_days_in_month: int | None = None
    seasonal_factor: float | None = None
    appointments_in_month: float | None = None


class CapacitySummary(_Frozen):
    """Clinical and all FTE, appointment slots a week and slots net of missed appointments."""

    fte_clinical: float
    fte_all: float
    capacity_per_week: float
    capacity_net_of_dna_per_week: float
    dna_rate: float
    hours_per_fte: float
    capacity_standard: CapacityStandard = DEFAULT_CAPACITY_STANDARD


class GapSummary(_Frozen):
    """Weekly demand against capacity (clinical roles), for all staff and for GPs."""

    demand_per_week: float
    capacity_per_week: float
    gap_per_week: float
    gap_share_of_demand: float
    gp_demand_per_week: float
    gp_capacity_per_week: float
    gp_gap_per_week: float
    unassigned_per_week: float
    shifted_from_gps_per_week: float
    capacity_to_demand: float | None
    year: int
    capacity_standard: CapacityStandard = DEFAULT_CAPACITY_STANDARD


class ChildrenSummary(_Sparse):
    """How many organisations the table holds, at which level, and their totals (the month's
    appointments only when a calendar month was asked for)."""

    rows: int
    level: str
    patients: float
    gap_per_week: float
    month: str | None = None
    appointments_in_month: float | None = None


class BenchmarkSummary(_Frozen):
    """The comparators' names (this organisation first) and the organisation's patients."""

    comparators: list[str]
    patients: float


# --- Table rows ----------------------------------------------------------------------------------------


class CategoryRow(_Frozen):
    category: str
    label: str
    appointments_per_year: float
    appointments_per_week: float
    share: float
    gp_share: float
    gp_appointments_others_could_take_per_week: float
    gp_appointments_this_team_could_take_per_week: float
    moved_from_gps_per_week: float
    gp_appointments_per_week: float


class AgeBandRow(_Frozen):
    age_band: str
    female: float
    male: float
    appointments_per_year: float
    patients: float
    appointments_per_patient_year: float


class CapacityRoleRow(_Frozen):
    role: str
    label: str
    staff_group: str
    fte: float
    fte_practice: float
    fte_pcn_share: float
    slots_per_fte_week: float
    capacity_per_week: float
    capacity_net_of_dna_per_week: float


class GapRoleRow(_Frozen):
    role: str
    label: str
    fte: float
    demand_per_week: float
    capacity_per_week: float
    gap_per_week: float
    capacity_to_demand: float | None


class ChildRow(_Sparse):
    """One organisation one level down (``fte_source`` and ``fte_flag``, "FTE corrected" or "FTE
    estimated" or "", only when the rows are practices; ``data_check`` "" or "Check the data: ...";
    ``appointments_in_month`` only when a calendar month was asked for)."""

    code: str
    name: str
    practices: int
    patients: float
    appointments_per_year: float
    appointments_per_month: float
    appointments_in_month: float | None = None
    appointments_per_week: float
    demand_per_week: float
    capacity_per_week: float
    gap_per_week: float
    gap_share_of_demand: float
    gp_fte: float
    patients_per_gp_fte: float | None
    gp_demand_per_week: float
    gp_capacity_per_week: float
    gp_gap_per_week: float
    fte_source: str | None = None
    fte_flag: str | None = None
    data_check: str = ""


class BenchmarkRow(_Sparse):
    """One staff group against each comparator; only the comparators the report has appear."""

    staff_group: str
    label: str
    organisation_fte: float | None = None
    organisation_fte_per_1000: float | None = None
    organisation_patients_per_fte: float | None = None
    pcn_peers_fte: float | None = None
    pcn_peers_fte_per_1000: float | None = None
    pcn_peers_patients_per_fte: float | None = None
    icb_fte: float | None = None
    icb_fte_per_1000: float | None = None
    icb_patients_per_fte: float | None = None
    england_fte: float | None = None
    england_fte_per_1000: float | None = None
    england_patients_per_fte: float | None = None
    percentile_in_icb: float | None = None


class DemandTables(_Frozen):
    categories: list[CategoryRow]
    age_bands: list[AgeBandRow]


class CapacityTables(_Frozen):
    roles: list[CapacityRoleRow]


class GapTables(_Frozen):
    roles: list[GapRoleRow]


class ChildrenTables(_Frozen):
    organisations: list[ChildRow]


class BenchmarkTables(_Frozen):
    staff_groups: list[BenchmarkRow]


# --- Reports -------------------------------------------------------------------------------------------


class Report(_Frozen):
    """What a command, page or API call shows: title, organisation, summary, tables, notes."""

    title: str
    organisation: OrgInfo
    summary: BaseModel
    notes: list[str]
    _frames: dict[str, pd.DataFrame] = PrivateAttr(default_factory=dict)

    @classmethod
    def build(cls, frames: Mapping[str, pd.DataFrame], **fields: Any) -> Any:
        """The report with its tables as ``frames`` (column order as the CSV shows them)."""
        report = cls(**fields)
        report._frames = dict(frames)
        return report

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables as DataFrames (shared: do not modify)."""
        return self._frames

    @property
    def org(self) -> dict[str, Any]:
        """The organisation as a plain dict (the keys the JSON shows)."""
        return self.organisation.as_dict()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (tables as lists of records; NaN stays NaN, see ``web`` for strict JSON)."""
        return {
            "title": self.title,
            "organisation": self.org,
            "summary": self.summary.model_dump(),
            "tables": {k: records(v) for k, v in self._frames.items()},
            "notes": list(self.notes),
            **{
                name: getattr(self, name) if name == "data_checks" else getattr(self, name).model_dump(mode="json")
                for name in ("fte_provenance", "data_checks")
                if name in type(self).model_fields and getattr(self, name) is not None
            },
        }


class DemandReport(Report):
    summary: DemandSummary

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def tables(self) -> DemandTables:
        """The tables as typed rows (built on first use)."""
        return DemandTables(**{name: records(frame) for name, frame in self._frames.items()})


class CapacityReport(Report):
    summary: CapacitySummary
    fte_provenance: FteProvenance | None = None

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def tables(self) -> CapacityTables:
        return CapacityTables(**{name: records(frame) for name, frame in self._frames.items()})


class GapReport(Report):
    summary: GapSummary
    fte_provenance: FteProvenance | None = None
    data_checks: list[str] = []

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def tables(self) -> GapTables:
        return GapTables(**{name: records(frame) for name, frame in self._frames.items()})


class ChildrenReport(Report):
    """Organisations one level down (or at any level below): patients, demand, capacity, gap."""

    summary: ChildrenSummary
    fte_provenance: FteProvenance | None = None

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def tables(self) -> ChildrenTables:
        rows = [
            ChildRow(**{k: v for k, v in row.items() if not (k in ("fte_source", "fte_flag") and v is None)})
            for row in records(self._frames["organisations"])
        ]
        return ChildrenTables(organisations=rows)


class BenchmarkReport(Report):
    summary: BenchmarkSummary

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def tables(self) -> BenchmarkTables:
        return BenchmarkTables(**{name: records(frame) for name, frame in self._frames.items()})


AnyReport = DemandReport | CapacityReport | GapReport | ChildrenReport | BenchmarkReport
