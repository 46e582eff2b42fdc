"""What an organisation page shows: its reports (computed on first use) and its tables' columns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Final

import pandas as pd

from gpworkforce.scenario import Scenario
from gpworkforce.services.calibration_layers import CalibrationLayers
from gpworkforce.services.organisations import CHILD_LEVELS, Organisation
from gpworkforce.services.results import (
    BenchmarkReport,
    CapacityReport,
    ChildrenReport,
    DemandReport,
    GapReport,
    OrgInfo,
)
from gpworkforce.web.lookups import Crumb, levels_below

if TYPE_CHECKING:
    from gpworkforce.web.context import Snapshot

#: The scenario fields the demand and capacity reports depend on. Pages compute those two
#: reports with only these fields, so moving the skill-mix slider reuses the cached demand and
#: capacity and runs the model twice (gap, organisations below) instead of four times. The JSON
#: API always uses the full scenario. A test checks that the reduced reports equal the full ones.
REPORT_FIELDS: Final = {
    "demand": (
        "year",
        "growth_rate",
        "dna_rate",
        "demand_change",
        "local_calibration",
        "subicb_calibration",
        # GP work moved and the team it can move to (added FTE can add a role) shape demand by category
        "shift_share",
        "added_fte",
    ),
    "capacity": ("minutes", "added_fte", "capacity_standard"),
}


def relevant(kind: str, scenario: Scenario) -> Scenario:
    """``scenario`` with only the fields report ``kind`` depends on (all of them for the others)."""
    fields = REPORT_FIELDS.get(kind)
    if fields is None:
        return scenario
    return Scenario(**{name: getattr(scenario, name) for name in fields})


def scenario_key(scenario: Scenario) -> str:
    """Canonical text of a scenario (dict fields sorted), for cache keys."""
    return json.dumps(scenario.model_dump(), sort_keys=True)


class OrgView:
    """What an organisation page or its results partial shows, each report computed on first use.

    Lazy because the results are rendered in parts, each cached by the scenario fields it
    depends on (``web.routes.org.PARTS``): when the benchmarks or the demand part is already
    cached, its reports are never asked for, and a cold scenario costs only the parts it changes.
    """

    def __init__(
        self,
        snap: Snapshot,
        org: Organisation,
        scenario: Scenario,
        params: dict[str, str],
        by: str | None,
        month: str | None = None,
    ) -> None:
        self.snap = snap
        self.organisation = org
        self.scenario = scenario
        self.scenario_params = params
        self.month = month
        self.by_choices = levels_below(org.level)
        self.by = by if by in self.by_choices else CHILD_LEVELS.get(org.level)

    @cached_property
    def org(self) -> OrgInfo:
        """Level, code, name, practice count and parent codes (the reports' ``organisation``)."""
        return self.snap.org_info(self.organisation.code)

    @property
    def code(self) -> str:
        return self.organisation.code

    @property
    def level(self) -> str:
        return self.organisation.level

    @property
    def is_baseline(self) -> bool:
        return not self.scenario_params

    @property
    def year(self) -> int:
        return self.scenario.year or self.snap.base_year

    @property
    def page_params(self) -> dict[str, str]:
        """The share-link fields: the scenario's and the month (``month`` is not a scenario lever)."""
        return {**self.scenario_params, "month": self.month} if self.month else self.scenario_params

    def params_for(self, kind: str) -> dict[str, str]:
        """The share-link fields report ``kind`` depends on (for its downloads and chart names)."""
        return relevant(kind, self.scenario).changed_fields()

    @cached_property
    def crumbs(self) -> list[Crumb]:
        return self.snap.lookups.ancestors(self.org)

    @cached_property
    def demand(self) -> DemandReport:
        return self.snap.demand(self.code, relevant("demand", self.scenario))

    @cached_property
    def month_demand(self) -> DemandReport | None:
        """Demand with the appointments expected in the page's month (the month's year, as the CLI)."""
        if self.month is None:
            return None
        return self.snap.demand(self.code, relevant("demand", self.scenario), self.month)

    @cached_property
    def calibration(self) -> CalibrationLayers:
        """Which calibration layers shaped these figures, and which practices the practice layer reached."""
        return self.snap.calibration_layers(self.code, self.scenario)

    @cached_property
    def capacity(self) -> CapacityReport:
        return self.snap.capacity(self.code, relevant("capacity", self.scenario))

    @cached_property
    def gap(self) -> GapReport:
        return self.snap.gap(self.code, self.scenario)

    @cached_property
    def benchmark(self) -> BenchmarkReport:
        return self.snap.benchmark(self.code)

    @cached_property
    def baseline_gap(self) -> GapReport | None:
        return self.snap.gap(self.code) if self.scenario_params else None

    @cached_property
    def children(self) -> ChildrenReport | None:
        return self.snap.children(self.code, self.scenario, self.by) if self.by else None

    @cached_property
    def notes(self) -> list[str]:
        """The notes of every report on the page, each once, in page order."""
        notes: list[str] = []
        reports: tuple[DemandReport | CapacityReport | GapReport | BenchmarkReport | ChildrenReport | None, ...] = (
            self.gap,
            self.demand,
            self.month_demand,
            self.capacity,
            self.benchmark,
            self.children,
        )
        for report in reports:
            for note in report.notes if report else []:
                if note not in notes:
                    notes.append(note)
        return notes


def build_view(
    snap: Snapshot, code: str, scenario: Scenario, params: dict[str, str], by: str | None, month: str | None = None
) -> OrgView:
    """The (lazy) view of ``code`` under ``scenario`` (and ``month``); raises ``UnknownOrganisation``."""
    return OrgView(snap, snap.org(code), scenario, params, by, month)


@dataclass(frozen=True)
class Column:
    """A displayed column: data key, header, format (text, int, signed, pct, dec1, dec2)."""

    key: str
    label: str
    fmt: str = "int"

    @property
    def numeric(self) -> bool:
        return self.fmt != "text"


CHILD_COLUMNS: Final = (
    Column("name", "Name", "text"),
    Column("patients", "Patients"),
    Column("demand_per_week", "Demand a week"),
    Column("capacity_per_week", "Capacity a week"),
    Column("gap_per_week", "Gap a week", "signed"),
    Column("gap_share_of_demand", "Gap, % of demand", "pct"),
    Column("gp_gap_per_week", "GP gap a week", "signed"),
    Column("patients_per_gp_fte", "Patients per GP FTE"),
)
CHILD_SORT_KEYS: Final = frozenset(c.key for c in CHILD_COLUMNS) | {"code"}
#: Rows shown on a page; the downloads always hold every row.
MAX_TABLE_ROWS: Final = 300


def sort_table(frame: pd.DataFrame, sort: str | None, direction: str | None) -> tuple[pd.DataFrame, str, str]:
    """Sorted copy of a children table; unknown columns fall back to name, A to Z."""
    key = sort if sort in CHILD_SORT_KEYS else "name"
    ascending = direction != "desc" if direction in ("asc", "desc") else key in ("name", "code")
    ordered = frame.sort_values(key, ascending=ascending, na_position="last", kind="stable")
    return ordered, key, "asc" if ascending else "desc"
