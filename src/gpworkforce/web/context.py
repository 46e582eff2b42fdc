"""The web layer's access to the analysis services: one ``Context`` per app, shared by requests.

Why this module exists: one organisation page shows five reports (demand, capacity, gap,
benchmarks, the organisations one level down) and, for a scenario, the baseline gap too. Each
service call runs the model for the organisation's practices and reads the national data
several times. So the web layer

- pins the national data for the request (:class:`PinnedContext`), taken from memory without a
  database query when it is current (:meth:`Dashboard.fresh_snapshot`; the async organisation
  routes must not block the event loop), else checked in a worker thread;
- caches reports by (data fingerprint, report, organisation, scenario) in a small LRU, so the
  baseline beside a scenario, the benchmarks (which take no scenario), a page and its
  downloads, and repeated share links are computed once;
- computes a missing report once even when many requests want it at the same moment (single
  flight), instead of every request running the model.

The fingerprint changes with every import or FTE correction, so cached reports never outlive
the data they were computed from. Reports in the cache are shared: treat them as read-only.
The rendered parts of an organisation page are cached here too (``web.routes.org.PARTS``).
"""

from __future__ import annotations

import gc
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final, TypeVar

import pandas as pd
from fastapi.templating import Jinja2Templates

from gpworkforce.nomenclature import ROLE_CODES, UNALLOCATED_PCN
from gpworkforce.scenario import Scenario
from gpworkforce.services import analysis
from gpworkforce.services.analysis import Context, Report
from gpworkforce.services.calibrate import Calibration
from gpworkforce.services.national import LEVEL_COLUMNS, DataMissingError, NationalData, national_cached
from gpworkforce.services.organisations import (
    BY_CHOICES,
    CHILD_LEVELS,
    LEVEL_LABELS,
    Organisation,
    UnknownOrganisation,
    resolve,
    search,
)
from gpworkforce.web.scenario_form import Lever, parse_scenario, scenario_to_params

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Top to bottom; ``england`` is the root of every breadcrumb.
LEVEL_ORDER: Final = ("england", "region", "icb", "sub_icb", "pcn", "practice")
#: Plural nouns for "by" choices and table captions.
LEVEL_PLURALS: Final = {
    "region": "regions",
    "icb": "ICBs",
    "sub_icb": "sub-ICB locations",
    "pcn": "PCNs",
    "practice": "practices",
}
REPORT_KINDS: Final = ("demand", "capacity", "gap", "benchmark", "children")


#: The scenario fields the demand and capacity reports depend on. Pages compute those two
#: reports with only these fields, so moving the skill-mix slider reuses the cached demand and
#: capacity and runs the model twice (gap, organisations below) instead of four times. The JSON
#: API always uses the full scenario. A test checks that the reduced reports equal the full ones.
REPORT_FIELDS: Final = {
    "demand": ("year", "growth_rate", "dna_rate", "demand_change", "local_calibration"),
    "capacity": ("minutes", "added_fte"),
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


# --- A context pinned to one data version -------------------------------------------------------


class PinnedContext(Context):
    """A Context whose data are fixed for one request; calibration comes from the app's Context.

    The calibration is asked for only when a report is computed (not for a cached one) and the
    app's Context recomputes it only when the data fingerprint changes.
    """

    def __init__(self, base: Context, data: NationalData) -> None:
        super().__init__(base.engine, base.ref)
        self._base = base
        self._pinned_data = data
        self._pinned_calibration: Calibration | None = None
        self.__dict__["base_year"] = base.base_year  # cached_property slot

    @property
    def data(self) -> NationalData:
        return self._pinned_data

    @property
    def calibration(self) -> Calibration:
        if self._pinned_calibration is None:
            self._pinned_calibration = self._base.calibration
        return self._pinned_calibration


# --- Cache ----------------------------------------------------------------------------------------


class SingleFlightCache:
    """A thread-safe LRU where concurrent requests for a missing key share one computation."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing it (once, whoever asks) if missing."""
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    self.hits += 1
                    value: T = self._items[key]
                    return value
                event = self._inflight.get(key)
                if event is None:
                    event = threading.Event()
                    self._inflight[key] = event
                    self.misses += 1
                    break
            event.wait(60)  # another thread computes it; then look again (or compute if it failed)
            with self._lock:
                if key not in self._items and self._inflight.get(key) is event:
                    continue
        try:
            value = compute()
        except BaseException:
            with self._lock:
                self._inflight.pop(key, None)
            event.set()
            raise
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            self._inflight.pop(key, None)
        event.set()
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# --- Organisation lookups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Crumb:
    """One organisation in a breadcrumb or search result: level, code, name, page path."""

    level: str
    code: str
    name: str

    @property
    def href(self) -> str:
        return f"/org/{self.code}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code, "name": self.name, "url": self.href}


ENGLAND: Final = Crumb("england", "england", "England")


@dataclass
class Lookups:
    """Names and parents of every organisation, per data version (for breadcrumbs and search)."""

    names: dict[str, dict[str, str]]
    parents: dict[str, dict[str, str]]  # level -> code -> parent code at the level above

    @classmethod
    def build(cls, nd: NationalData) -> Lookups:
        p = nd.practices
        names: dict[str, dict[str, str]] = {}
        parents: dict[str, dict[str, str]] = {}
        for level, (col, name_col) in LEVEL_COLUMNS.items():
            frame = p[p[col].fillna("").ne("") & p[col].ne(UNALLOCATED_PCN)].drop_duplicates(col)
            names[level] = dict(zip(frame[col].astype(str), frame[name_col].astype(str), strict=True))
            above = parent_level(level)
            if above and above != "england":
                parent_col = LEVEL_COLUMNS[above][0]
                parents[level] = dict(zip(frame[col].astype(str), frame[parent_col].astype(str), strict=True))
        # a practice outside any PCN hangs from its sub-ICB
        no_pcn = p[p["pcn_code"].fillna("").isin(["", UNALLOCATED_PCN])]
        for code, sub_icb in zip(no_pcn["practice_code"], no_pcn["sub_icb_code"], strict=True):
            parents["practice"][str(code)] = str(sub_icb)
        return cls(names, parents)

    def crumb(self, level: str, code: str | None) -> Crumb | None:
        if level == "england":
            return ENGLAND
        if not code or code not in self.names.get(level, {}):
            return None
        return Crumb(level, code, self.names[level][code])

    def parent(self, level: str, code: str) -> Crumb | None:
        """The organisation one level up (a practice without a PCN: its sub-ICB)."""
        above = parent_level(level)
        if above is None:
            return None
        if above == "england":
            return ENGLAND
        parent_code = self.parents.get(level, {}).get(code)
        if level == "practice" and parent_code in self.names["sub_icb"] and parent_code not in self.names["pcn"]:
            return self.crumb("sub_icb", parent_code)
        return self.crumb(above, parent_code)

    def ancestors(self, org: Mapping[str, Any]) -> list[Crumb]:
        """England first, then each enclosing organisation down to the parent of ``org``."""
        level = str(org["level"])
        if level == "england":
            return []
        out = [ENGLAND]
        for above in LEVEL_ORDER[1 : LEVEL_ORDER.index(level)]:
            crumb = self.crumb(above, org.get(f"{above}_code"))
            if crumb is not None:
                out.append(crumb)
        return out


def parent_level(level: str) -> str | None:
    """The level directly above (practice -> pcn, region -> england, england -> None)."""
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i - 1] if i > 0 else None


def levels_below(level: str) -> list[str]:
    """Levels a ``by`` table can use inside an organisation at ``level``."""
    return [lv for lv in LEVEL_ORDER[LEVEL_ORDER.index(level) + 1 :] if lv in BY_CHOICES]


# --- Per-request snapshot ---------------------------------------------------------------------------


class Snapshot:
    """One data version seen by one request: organisations, reports and lookups, all cached."""

    def __init__(self, dashboard: Dashboard, ctx: PinnedContext) -> None:
        self.dashboard = dashboard
        self.ctx = ctx
        self.data = ctx.data
        self.fingerprint = ctx.data.fingerprint
        self.base_year = ctx.base_year

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per data version and key (shared by requests and threads)."""
        return self.dashboard.cache.get((self.fingerprint, *key), compute)

    def org(self, code: str) -> Organisation:
        """Resolve ``code`` (any case, ONS aliases too); raises ``UnknownOrganisation``."""

        def find() -> Organisation | str:
            try:
                return resolve(self.data, code)
            except UnknownOrganisation as exc:  # remembered too: an unknown code costs a full scan
                return str(exc)

        found = self.cached(("org", code.strip().upper()), find)
        if isinstance(found, str):
            raise UnknownOrganisation(found)
        return found

    def org_info(self, code: str) -> dict[str, Any]:
        """The reports' ``org`` dict (level, code, name, practices, parents) without a report.

        Not cached here: ``analysis.org_info`` already memoises it per data version.
        """
        return analysis.org_info(self.ctx, self.org(code))

    @property
    def lookups(self) -> Lookups:
        return self.cached(("lookups",), lambda: Lookups.build(self.data))

    def report(self, kind: str, code: str, scenario: Scenario | None = None, by: str | None = None) -> Report:
        """A service report for an organisation (``kind`` in :data:`REPORT_KINDS`)."""
        scenario = scenario or Scenario()
        org = self.org(code)
        ctx = self.ctx
        if kind == "benchmark":  # takes no scenario
            return self.cached(("benchmark", org.code), lambda: analysis.benchmark_report(ctx, org.code))
        key = ("report", kind, org.code, scenario_key(scenario), by or "")
        if kind == "demand":
            return self.cached(key, lambda: analysis.demand_report(ctx, org.code, scenario))
        if kind == "capacity":
            return self.cached(key, lambda: analysis.capacity_report(ctx, org.code, scenario))
        if kind == "gap":
            return self.cached(key, lambda: analysis.gap_report(ctx, org.code, scenario))
        if kind == "children":
            level = by or CHILD_LEVELS.get(org.level)
            if level is None:
                raise ValueError(f"a {LEVEL_LABELS[org.level]} has no organisations below it")
            key = ("report", kind, org.code, scenario_key(scenario), level)
            return self.cached(key, lambda: analysis.by_level_report(ctx, org.code, level, scenario))
        raise ValueError(f"unknown report {kind!r}")

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Organisations matching ``text`` with their level and parent (cached per query)."""
        q = text.strip()
        if not q:
            return []
        return self.cached(("search", q.upper(), limit), lambda: self._search(q, limit))

    def _search(self, q: str, limit: int) -> list[SearchHit]:
        lookups = self.lookups
        hits = []
        for row in search(self.data, q, limit).itertuples(index=False):
            level, code = str(row.level), str(row.code)
            hits.append(SearchHit(level, code, str(row.name), str(row.detail), lookups.parent(level, code)))
        return hits

    def parse(self, params: Mapping[str, str]) -> tuple[Scenario, dict[str, str]]:
        """:func:`parse_scenario` with this data's base year."""
        return parse_scenario(params, self.base_year)

    @property
    def national_dna_rate(self) -> float:
        """Today's national DNA rate (DNA / booked), where the panel's DNA slider starts."""
        return self._panel_defaults()[0]

    @property
    def role_minutes(self) -> dict[str, float]:
        """Today's slot length by role [minutes], shown beside the panel's slot inputs."""
        return self._panel_defaults()[1]

    def _panel_defaults(self) -> tuple[float, dict[str, float]]:
        def build() -> tuple[float, dict[str, float]]:
            params = self.ctx.calibration.params
            return float(params.dna_rate), {r: float(m) for r, m in zip(ROLE_CODES, params.minutes, strict=True)}

        return self.cached(("panel-defaults",), build)


@dataclass(frozen=True)
class SearchHit:
    """One search result: the organisation, what the search matched on, and its parent."""

    level: str
    code: str
    name: str
    detail: str
    parent: Crumb | None

    @property
    def href(self) -> str:
        return f"/org/{self.code}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "name": self.name,
            "detail": self.detail,
            "url": self.href,
            "parent": self.parent.to_dict() if self.parent else None,
        }


class Dashboard:
    """The app's analysis state: the services Context and the shared report cache."""

    def __init__(self, ctx: Context, *, cache_size: int = 256) -> None:
        self.ctx = ctx
        self.cache = SingleFlightCache(cache_size)
        self._frozen_fingerprint: str | None = None
        self._seen_fingerprint: str | None = None  # the data the last snapshot() checked and prepared
        self._check_lock = threading.Lock()
        self._checking = False

    def warm_up(self) -> bool:
        """Build (or read from the disk cache) the national arrays and calibration, then one report.

        Called at start-up so the first user does not wait ~5 s. False when the database holds
        no national data yet (pages then say so; nothing else is affected).
        """
        try:
            snap = self.snapshot()
            snap.report("gap", "england")
            snap.lookups  # noqa: B018  (builds and caches the lookups)
            gc.collect()
            self._freeze(snap.fingerprint)
        except DataMissingError as exc:
            log.warning("no national data to warm up: %s", exc)
            return False
        except Exception:  # a speed-up only: the first request will report the real problem
            log.exception("warming up the national data failed")
            return False
        return True

    def snapshot(self) -> Snapshot:
        """Pin the current data version for one request (may query the database: not on the event loop)."""
        base = self.ctx
        data = base.data
        if self._frozen_fingerprint is not None and data.fingerprint != self._frozen_fingerprint:
            self._freeze(data.fingerprint)  # new data (an import or FTE correction): keep it out of GC too
        snap = Snapshot(self, PinnedContext(base, data))
        _ = snap.ctx.calibration  # recomputed here, in the caller's thread, when the data changed
        self._seen_fingerprint = data.fingerprint
        return snap

    def fresh_snapshot(self) -> Snapshot | None:
        """The snapshot from memory, or None when only :meth:`snapshot` will do.

        No database query and no rebuild, so async routes may call it on the event loop; when
        it says None (no data yet, or a write in this process changed them) they take
        :meth:`snapshot` in a worker thread (see :func:`ready_snapshot`). When the once-a-second
        check for other processes' writes is due, a background thread makes it and this
        request goes on with the data in memory: no request waits for the check.
        """
        base = self.ctx
        data, due = national_cached(base.engine, base.ref)
        if data is None or data.fingerprint != self._seen_fingerprint or not base.calibrated(data):
            return None
        if due:
            self._check_in_background()
        return Snapshot(self, PinnedContext(base, data))

    def _check_in_background(self) -> None:
        with self._check_lock:
            if self._checking:
                return
            self._checking = True
        threading.Thread(target=self._background_check, name="gpworkforce-data-check", daemon=True).start()

    def _background_check(self) -> None:
        try:
            self.snapshot()  # checks the database; rebuilds and recalibrates if the data changed
        except Exception:  # the next request that needs it will report the problem
            log.exception("checking the national data for changes failed")
        finally:
            with self._check_lock:
                self._checking = False

    def _freeze(self, fingerprint: str) -> None:
        """Move everything alive (the national arrays, ~160,000 objects) out of the cyclic GC.

        Why: a full collection scanning them takes ~100 ms with every thread stopped, which under
        20 concurrent clients was most of the slowest 5% of page times. They live as long as
        the process; reference counting still frees them when the data change.
        """
        gc.freeze()
        self._frozen_fingerprint = fingerprint


# --- The reports of one organisation page -------------------------------------------------------


class OrgView:
    """What an organisation page or its results partial shows, each report computed on first use.

    Lazy because the results are rendered in parts, each cached by the scenario fields it
    depends on (``web.routes.org.PARTS``): when the benchmarks or the demand part is already
    cached, its reports are never asked for, and a cold scenario costs only the parts it changes.
    """

    def __init__(
        self, snap: Snapshot, org: Organisation, scenario: Scenario, params: dict[str, str], by: str | None
    ) -> None:
        self.snap = snap
        self.organisation = org
        self.scenario = scenario
        self.scenario_params = params
        self.by_choices = levels_below(org.level)
        self.by = by if by in self.by_choices else CHILD_LEVELS.get(org.level)

    @cached_property
    def org(self) -> dict[str, Any]:
        """Level, code, name, practice count and parent codes (the reports' ``org``)."""
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

    def params_for(self, kind: str) -> dict[str, str]:
        """The share-link fields report ``kind`` depends on (for its downloads and chart names)."""
        return scenario_to_params(relevant(kind, self.scenario))

    @cached_property
    def crumbs(self) -> list[Crumb]:
        return self.snap.lookups.ancestors(self.org)

    @cached_property
    def demand(self) -> Report:
        return self.snap.report("demand", self.code, relevant("demand", self.scenario))

    @cached_property
    def capacity(self) -> Report:
        return self.snap.report("capacity", self.code, relevant("capacity", self.scenario))

    @cached_property
    def gap(self) -> Report:
        return self.snap.report("gap", self.code, self.scenario)

    @cached_property
    def benchmark(self) -> Report:
        return self.snap.report("benchmark", self.code)

    @cached_property
    def baseline_gap(self) -> Report | None:
        return self.snap.report("gap", self.code) if self.scenario_params else None

    @cached_property
    def children(self) -> Report | None:
        return self.snap.report("children", self.code, self.scenario, self.by) if self.by else None

    @cached_property
    def notes(self) -> list[str]:
        """The notes of every report on the page, each once, in page order."""
        notes: list[str] = []
        for report in (self.gap, self.demand, self.capacity, self.benchmark, self.children):
            for note in report.notes if report else []:
                if note not in notes:
                    notes.append(note)
        return notes


def build_view(snap: Snapshot, code: str, scenario: Scenario, params: dict[str, str], by: str | None) -> OrgView:
    """The (lazy) view of ``code`` under ``scenario``; raises ``UnknownOrganisation``."""
    return OrgView(snap, snap.org(code), scenario, params, by)


# --- Tables ----------------------------------------------------------------------------------------


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


def summary_rows(gap: Report, demand: Report, capacity: Report, baseline: Report | None) -> pd.DataFrame:
    """The summary cards as a table: measure, value, unit (and the baseline where it differs)."""
    g, d, c = gap.summary, demand.summary, capacity.summary
    rows: list[tuple[str, str, Any, str]] = [
        ("year", "Year", g["year"], "year"),
        ("registered_patients", "Registered patients", d["registered_patients"], "patients"),
        ("appointments_per_year", "Appointments a year", d["appointments_per_year"], "appointments"),
        ("appointments_per_week", "Appointments a week", d["appointments_per_week"], "appointments"),
        ("demand_per_week", "Demand for clinical appointments a week", g["demand_per_week"], "appointments"),
        ("capacity_per_week", "Capacity a week", g["capacity_per_week"], "appointment slots"),
        ("capacity_net_of_dna_per_week", "Capacity a week net of DNAs", c["capacity_net_of_dna_per_week"], "slots"),
        ("gap_per_week", "Weekly gap (demand - capacity)", g["gap_per_week"], "appointments"),
        ("gap_share_of_demand", "Weekly gap, share of demand", g["gap_share_of_demand"], "share"),
        ("gp_demand_per_week", "GP demand a week", g["gp_demand_per_week"], "appointments"),
        ("gp_capacity_per_week", "GP capacity a week", g["gp_capacity_per_week"], "slots"),
        ("gp_gap_per_week", "GP gap a week", g["gp_gap_per_week"], "appointments"),
        ("unassigned_per_week", "Work no role on the team can take, a week", g["unassigned_per_week"], "appointments"),
        ("shifted_from_gps_per_week", "Moved from GPs to other roles, a week", g["shifted_from_gps_per_week"], "appts"),
        ("fte_clinical", "Clinical FTE", c["fte_clinical"], "FTE"),
        (
            "gp_appointments_others_could_take_per_week",
            "GP appointments others could take, a week",
            d["gp_appointments_others_could_take_per_week"],
            "appointments",
        ),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "label", "value", "unit"])
    if baseline is not None:
        b = baseline.summary
        frame["baseline"] = [b.get(m) for m in frame["measure"]]
    return frame


# --- Formatting (template filters) --------------------------------------------------------------------


def _number(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def fmt_number(value: Any, digits: int = 0) -> str:
    """``1234.5`` -> ``1,235``; missing values -> an en dash."""
    f = _number(value)
    if f is None:
        return "–"
    if digits == 0 and abs(f) < 0.5:
        f = 0.0  # no "-0"
    return f"{f:,.{digits}f}"


def fmt_signed(value: Any, digits: int = 0) -> str:
    """``1234`` -> ``+1,234``; ``-5`` -> ``-5``; zero has no sign."""
    f = _number(value)
    if f is None:
        return "–"
    text = fmt_number(f, digits)
    return text if text.startswith("-") or float(text.replace(",", "")) == 0 else "+" + text


def fmt_pct(value: Any, digits: int = 1, signed: bool = False) -> str:
    """``0.052`` -> ``5.2%`` (``+5.2%`` when signed)."""
    f = _number(value)
    if f is None:
        return "–"
    text = f"{f * 100:.{digits}f}%"
    if text.startswith("-") and float(text[:-1]) == 0:
        text = text[1:]
    return ("+" + text) if signed and not text.startswith("-") and f * 100 >= 10 ** (-digits) / 2 else text


def fmt_cell(value: Any, fmt: str) -> str:
    """A table cell by column format."""
    if fmt == "text":
        return "" if value is None else str(value)
    if fmt == "signed":
        return fmt_signed(value)
    if fmt == "pct":
        return fmt_pct(value)
    if fmt == "dec1":
        return fmt_number(value, 1)
    if fmt == "dec2":
        return fmt_number(value, 2)
    return fmt_number(value)


def lever_decimals(lever: Lever) -> int:
    """Decimals that show one step of a percentage slider (0.005 -> 1, 0.05 -> 0)."""
    if lever.unit != "%":
        return 0
    return max(0, -math.floor(math.log10(lever.step * 100) + 1e-9))


def fmt_lever(lever: Lever, value: float | None) -> str:
    """A lever's value as the panel shows it (``0.2`` -> ``20%``)."""
    if value is None:
        return "–"
    if lever.unit == "%":
        return fmt_pct(value, lever_decimals(lever), signed=lever.minimum < 0)
    return f"{value:g}"


#: Words kept in capitals when an all-capitals name is shown in title case.
_ACRONYMS: Final = frozenset(
    {"NHS", "PCN", "GP", "GPS", "ICB", "UK", "CIC", "LLP", "LTD", "PMS", "APMS", "HC", "MC", "II", "III", "IV"}
)


_SMALL_WORDS: Final = frozenset({"and", "of", "the", "in", "on", "at", "for", "upon", "with"})


def display_name(name: Any) -> str:
    """Organisation names as people write them: ``THE DENSHAM SURGERY`` -> ``The Densham Surgery``.

    Practice and PCN names come in capitals; mixed-case names are left alone, and known
    acronyms and codes (words with digits) stay in capitals.
    """
    text = "" if name is None else str(name)
    if not text.isupper():
        return text

    def cap(part: str) -> str:
        i = next((k for k, ch in enumerate(part) if ch.isalpha()), len(part))
        return part[:i] + part[i : i + 1].upper() + part[i + 1 :].lower()

    def word(w: str, first: bool) -> str:
        core = w.strip("()[],.&'-/")
        if core in _ACRONYMS or any(ch.isdigit() for ch in w) or (len(core) == 1 and core not in "AI"):
            return w
        if not first and core.lower() in _SMALL_WORDS:
            return w.lower()
        return "-".join(cap(part) for part in w.split("-"))

    return " ".join(word(w, i == 0) for i, w in enumerate(text.split(" ")))


def install_template_helpers(templates: Jinja2Templates) -> None:
    """Filters and globals the organisation, search and home templates use."""
    templates.env.filters.update(
        num=fmt_number,
        signed=fmt_signed,
        pct=fmt_pct,
        cell=fmt_cell,
        level_label=lambda lv: LEVEL_LABELS[lv],
        org_name=display_name,
    )
    templates.env.globals.update(level_plurals=LEVEL_PLURALS, level_labels=LEVEL_LABELS)


def jsonable(value: Any) -> Any:
    """Plain JSON values: NaN and infinities become None, numpy scalars Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item"):  # numpy scalar
        return jsonable(value.item())
    return value
