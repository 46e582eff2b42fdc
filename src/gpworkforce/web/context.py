"""The web layer's access to the analysis services: one ``Dashboard`` per app, shared by requests.

Why this module exists: one organisation page shows five reports (demand, capacity, gap,
benchmarks, the organisations one level down) and, for a scenario, the baseline gap too. So the
web layer

- takes one :class:`~gpworkforce.services.versions.DataVersion` for the request (a
  :class:`Snapshot`), from memory without a database query when it is current
  (:meth:`Dashboard.fresh_snapshot`; the async organisation routes must not block the event
  loop), else checked in a worker thread;
- memoises reports, rendered parts and lookups on that version (its named memo caches), so the
  baseline beside a scenario, the benchmarks (which take no scenario), a page and its downloads,
  and repeated share links are computed once, and concurrent requests share one computation.

A version never changes, so memoised values never outlive the data they were computed from.
Reports are shared: treat them as read-only.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Hashable, Mapping
from typing import Final, TypeVar

from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.scenario import Scenario
from gpworkforce.services.benchmarks import benchmark_report
from gpworkforce.services.calibration_layers import CalibrationLayers, calibration_layers
from gpworkforce.services.capacity import capacity_report, gap_report
from gpworkforce.services.children import by_level_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.org_search import search
from gpworkforce.services.organisations import (
    CHILD_LEVELS,
    LEVEL_LABELS,
    CodeChange,
    Organisation,
    SupersededOrganisation,
    UnknownOrganisation,
    resolve,
)
from gpworkforce.services.results import (
    BenchmarkReport,
    CapacityReport,
    ChildrenReport,
    DemandReport,
    GapReport,
    OrgInfo,
)
from gpworkforce.services.scenario_run import org_info
from gpworkforce.services.versions import DataVersion, Workspace
from gpworkforce.web.lookups import Lookups, SearchHit
from gpworkforce.web.scenario_form import parse_scenario
from gpworkforce.web.views import scenario_key

log = logging.getLogger(__name__)

T = TypeVar("T")

REPORT_KINDS: Final = ("demand", "capacity", "gap", "benchmark", "children")
AnyReport = DemandReport | CapacityReport | GapReport | BenchmarkReport | ChildrenReport


# --- Per-request snapshot ---------------------------------------------------------------------------


class Snapshot:
    """One data version seen by one request: organisations, reports and lookups, memoised on it."""

    def __init__(self, dashboard: Dashboard, version: DataVersion) -> None:
        self.dashboard = dashboard
        self.version = version
        self.data = version.data
        self.fingerprint = version.fingerprint
        self.base_year = version.base_year

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T], memo: str = "derived") -> T:
        """``compute()`` once per data version, memo and key (shared by requests and threads)."""
        return self.version.memoised(memo, key, compute)

    def org(self, code: str) -> Organisation:
        """Resolve ``code`` (any case, ONS aliases too); raises ``UnknownOrganisation``."""

        def find() -> Organisation | CodeChange | str:
            try:
                return resolve(self.version, code)
            except SupersededOrganisation as exc:  # remembered too: an unknown code costs a full scan
                return exc.change
            except UnknownOrganisation as exc:
                return str(exc)

        found = self.cached(("org", code.strip().upper()), find)
        if isinstance(found, CodeChange):
            raise SupersededOrganisation(found)
        if isinstance(found, str):
            raise UnknownOrganisation(found)
        return found

    def org_info(self, code: str) -> OrgInfo:
        """The reports' organisation (level, code, name, practices, parents) without a report."""
        return org_info(self.version, self.org(code))

    @property
    def lookups(self) -> Lookups:
        return self.cached(("lookups",), lambda: Lookups.build(self.data))

    def demand(self, code: str, scenario: Scenario | None = None, month: str | None = None) -> DemandReport:
        """Demand; with ``month`` (``YYYY-MM``) also the appointments expected in that month."""
        scenario = scenario or Scenario()
        org = self.org(code)
        key = ("demand", org.code, scenario_key(scenario)) + ((month,) if month else ())
        return self.cached(key, lambda: demand_report(self.version, org.code, scenario, month), "reports")

    def capacity(self, code: str, scenario: Scenario | None = None) -> CapacityReport:
        scenario = scenario or Scenario()
        org = self.org(code)
        key = ("capacity", org.code, scenario_key(scenario))
        return self.cached(key, lambda: capacity_report(self.version, org.code, scenario), "reports")

    def gap(self, code: str, scenario: Scenario | None = None) -> GapReport:
        scenario = scenario or Scenario()
        org = self.org(code)
        key = ("gap", org.code, scenario_key(scenario))
        return self.cached(key, lambda: gap_report(self.version, org.code, scenario), "reports")

    def calibration_layers(self, code: str, scenario: Scenario | None = None) -> CalibrationLayers:
        """The calibration layers ``scenario`` applies to ``code``'s practices (memoised by the service)."""
        return calibration_layers(self.version, self.org(code).code, scenario)

    def benchmark(self, code: str) -> BenchmarkReport:
        """Benchmarks take no scenario (today's workforce)."""
        org = self.org(code)
        return self.cached(("benchmark", org.code), lambda: benchmark_report(self.version, org.code), "reports")

    def children(
        self, code: str, scenario: Scenario | None = None, by: str | None = None, month: str | None = None
    ) -> ChildrenReport:
        """Organisations at level ``by`` (default: one level down) inside ``code`` (with ``month``,
        each one's appointments expected in that calendar month)."""
        scenario = scenario or Scenario()
        org = self.org(code)
        level = by or CHILD_LEVELS.get(org.level)
        if level is None:
            raise ValueError(f"a {LEVEL_LABELS[org.level]} has no organisations below it")
        key = ("children", org.code, scenario_key(scenario), level) + ((month,) if month else ())
        return self.cached(key, lambda: by_level_report(self.version, org.code, level, scenario, month), "reports")

    def report(
        self, kind: str, code: str, scenario: Scenario | None = None, by: str | None = None, month: str | None = None
    ) -> AnyReport:
        """A service report for an organisation (``kind`` in :data:`REPORT_KINDS`; ``month`` for
        demand and children only)."""
        if kind == "benchmark":
            return self.benchmark(code)
        if kind == "demand":
            return self.demand(code, scenario, month)
        if kind == "capacity":
            return self.capacity(code, scenario)
        if kind == "gap":
            return self.gap(code, scenario)
        if kind == "children":
            return self.children(code, scenario, by, month)
        raise ValueError(f"unknown report {kind!r}")

    def search(self, text: str) -> list[SearchHit]:
        """Every organisation matching ``text``, best first, with its level and parent (cached per
        query; callers page through the list)."""
        q = text.strip()
        if not q:
            return []
        return self.cached(("search", q.upper()), lambda: self._search(q))

    def _search(self, q: str) -> list[SearchHit]:
        lookups = self.lookups
        hits = []
        for row in search(self.version, q).itertuples(index=False):
            level, code = str(row.level), str(row.code)
            hits.append(
                SearchHit(level, code, str(row.name), str(row.detail), lookups.parent(level, code), str(row.match))
            )
        return hits

    def parse(self, params: Mapping[str, str], *, strict: bool = True) -> tuple[Scenario, dict[str, str]]:
        """:func:`parse_scenario` with this data's base year (pages pass ``strict=False``)."""
        return parse_scenario(params, self.base_year, strict=strict)

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
            params = self.version.calibration.params
            return float(params.dna_rate), {r: float(m) for r, m in zip(ROLE_CODES, params.minutes, strict=True)}

        return self.cached(("panel-defaults",), build)


class Dashboard:
    """The app's analysis state: the services :class:`Workspace` and the data version last prepared."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
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
            snap.gap("england")
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
        version = self.workspace.version()
        if self._frozen_fingerprint is not None and version.fingerprint != self._frozen_fingerprint:
            self._freeze(version.fingerprint)  # new data (an import or FTE correction): keep it out of GC too
        _ = version.calibration  # fitted here, in the caller's thread, when the data changed
        self._seen_fingerprint = version.fingerprint
        return Snapshot(self, version)

    def fresh_snapshot(self) -> Snapshot | None:
        """The snapshot from memory, or None when only :meth:`snapshot` will do.

        No database query and no rebuild, so async routes may call it on the event loop; when
        it says None (no data yet, or a write in this process changed them) they take
        :meth:`snapshot` in a worker thread (see :func:`gpworkforce.web.deps.ready_snapshot`).
        When the once-a-second check for other processes' writes is due, a background thread
        makes it and this request goes on with the data in memory: no request waits for it.
        """
        version, due = self.workspace.cached_version()
        if version is None or version.fingerprint != self._seen_fingerprint or not version.is_calibrated:
            return None
        if due:
            self._check_in_background()
        return Snapshot(self, version)

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
