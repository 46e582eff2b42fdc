"""Typed results of the supply and retirement services (also the API's response models).

Every row says where its ages came from (``age_source``: published, estimate, register or
"no age data"); the supply summary counts the practices whose ages were estimated.
"""

from __future__ import annotations

from functools import cached_property

from pydantic import computed_field

from gpworkforce.services.results import Report, _Frozen, records


class RetirementRow(_Frozen):
    """One practice and role: heads and FTE aged 55+ / 60+, expected share of FTE leaving, RAG."""

    practice_code: str
    practice_name: str
    role: str
    age_source: str
    heads: float
    fte: float
    heads_55_plus: float | None
    heads_60_plus: float | None
    fte_55_plus: float | None
    fte_60_plus: float | None
    share_fte_55_plus: float | None
    share_fte_leaving_2y: float | None
    share_fte_leaving_5y: float | None
    rag: str
    reasons: str


class RetirementSummary(_Frozen):
    """Counts of practices by RAG (GP role) and the thresholds used."""

    role: str
    practices: int
    red: int
    amber: int
    green: int
    no_age_data: int
    heads_55_plus: float
    heads_60_plus: float
    share_fte_55_plus: float | None
    red_share_55: float
    amber_share_55: float
    red_leave_5: float
    amber_leave_5: float


class RetirementTables(_Frozen):
    practices: list[RetirementRow]


class RetirementReport(Report):
    summary: RetirementSummary

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def tables(self) -> RetirementTables:
        return RetirementTables(**{name: records(frame) for name, frame in self._frames.items()})


class SupplyFteRow(_Frozen):
    """FTE and heads of a role in a projection year: expected (central parameters) and P10/P50/P90."""

    year: int
    calendar_year: int
    role: str
    heads_expected: float
    fte_expected: float
    fte_p10: float
    fte_p50: float
    fte_p90: float
    retirements_expected: float
    preset_cohort_retirements_expected: float
    other_leavers_expected: float
    recruits: float


class SupplyGapRow(_Frozen):
    """Weekly appointment gap and GPs required against GPs available (FTE) in a projection year."""

    year: int
    calendar_year: int
    demand_per_week: float
    gap_per_week_expected: float
    gap_per_week_p10: float
    gap_per_week_p50: float
    gap_per_week_p90: float
    gp_fte_required: float | None
    gp_fte_available_expected: float
    gp_fte_available_p10: float
    gp_fte_available_p50: float
    gp_fte_available_p90: float
    gp_gap_fte_p10: float | None
    gp_gap_fte_p50: float | None
    gp_gap_fte_p90: float | None
    gp_gap_share_of_demand_p50: float | None


class SupplyAgeRow(_Frozen):
    """Expected heads of a role in an age band in a projection year."""

    year: int
    role: str
    age_band: str
    heads_expected: float


class SupplySummary(_Frozen):
    """The run: preset, years, draws, seed, the practices and where their ages came from."""

    preset: str
    years: int
    draws: int
    seed: int
    base_year: int
    practices: int
    practices_age_published: int
    practices_age_estimated: int
    practices_age_register: int
    gp_fte_now: float
    gp_fte_final_p10: float
    gp_fte_final_p50: float
    gp_fte_final_p90: float
    preset_cohort_retirements_expected: float
    recruitment_cost: float | None
    estimate: bool


class SupplyTables(_Frozen):
    fte: list[SupplyFteRow]
    gap: list[SupplyGapRow]
    age_bands: list[SupplyAgeRow]


class SupplyReport(Report):
    summary: SupplySummary

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def tables(self) -> SupplyTables:
        return SupplyTables(**{name: records(frame) for name, frame in self._frames.items()})
