"""Use cases behind the CLI, the web pages and the API: demand, capacity, gap, benchmarks.

Each runs the model once for every practice in England (vectorised, a few milliseconds)
and then reads off the organisation asked for, so a practice, an ICB and England cost
the same and always add up.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy.engine import Engine

from gpworkforce import store
from gpworkforce.model import benchmarks, costs
from gpworkforce.model.capacity import capacity_net_of_dna, capacity_to_demand
from gpworkforce.model.demand import appointments_by_age_band, population_growth
from gpworkforce.model.engine import Levers, ModelInputs, ModelResult, run
from gpworkforce.model.grouping import group_sum
from gpworkforce.model.ratios import share_of
from gpworkforce.nomenclature import (
    AGE_BANDS,
    NEED_CATEGORIES,
    ROLE_CODES,
    ROLES,
    SEXES,
    STAFF_GROUP_LABELS,
    STAFF_GROUPS,
    WEEKS_PER_YEAR,
)
from gpworkforce.reference import Reference, load_reference
from gpworkforce.scenario import Scenario
from gpworkforce.services.calibrate import CLINICAL, GP_ROLES, Calibration, calibrate, local_factors
from gpworkforce.services.national import LEVEL_COLUMNS, NationalData, national, staff_group_of
from gpworkforce.services.organisations import Organisation, children, resolve

Array = NDArray[np.float64]
MONTHS = 12.0


@dataclass
class Report:
    """What a command or page shows: a summary, named tables and the notes behind them."""

    title: str
    org: dict[str, Any]
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (tables as lists of records)."""
        return {
            "title": self.title,
            "organisation": self.org,
            "summary": self.summary,
            "tables": {k: v.to_dict(orient="records") for k, v in self.tables.items()},
            "notes": self.notes,
        }


class Context:
    """A database plus reference parameters, with the national arrays and calibration cached."""

    def __init__(self, engine: Engine, ref: Reference) -> None:
        self.engine = engine
        self.ref = ref
        self._cal: tuple[str, Calibration] | None = None
        self._lock = threading.Lock()
        self._runs: OrderedDict[tuple[str, str, str], tuple[ModelResult, tuple[str, ...]]] = OrderedDict()

    @property
    def data(self) -> NationalData:
        """National arrays for the current database state."""
        return national(self.engine, self.ref)

    @property
    def calibration(self) -> Calibration:
        """Calibration for the current data (recomputed only when the data changes)."""
        nd = self.data
        with self._lock:
            if self._cal is None or self._cal[0] != nd.fingerprint:
                self._cal = (nd.fingerprint, calibrate(nd, self.ref))
            return self._cal[1]

    def calibrated(self, data: NationalData) -> bool:
        """True when the calibration for ``data`` is already computed (no work to get it)."""
        with self._lock:
            return self._cal is not None and self._cal[0] == data.fingerprint

    @cached_property
    def base_year(self) -> int:
        """Year of the registered-patients extract, the projection's starting point."""
        period = self.data.periods.get("patients") or "2026-01"
        return int(str(period)[:4])


def open_context(url: str | None = None, reference_files: tuple[Path, ...] = ()) -> Context:
    """Context for ``url`` (default: ``GPWORKFORCE_DATABASE_URL`` or the user data dir)."""
    engine = store.make_engine(url or store.default_database_url())
    return Context(engine, load_reference(reference_files))


# --- Scenario -> model ----------------------------------------------------------------------
def _projection_cube(ctx: Context) -> tuple[dict[int, int], Array] | None:
    """ONS projection as {year: index} and an array [t, a, s], built once per data."""
    nd = ctx.data
    if "projection" not in nd.lookup:
        proj = nd.projection
        if proj.empty:
            nd.lookup["projection"] = None
        else:
            cube = proj.pivot_table(index="year", columns=["age_band", "sex"], values="population", aggfunc="sum")
            cube = cube.reindex(columns=pd.MultiIndex.from_product([AGE_BANDS, SEXES]), fill_value=0.0)
            years = {int(y): i for i, y in enumerate(cube.index)}
            nd.lookup["projection"] = (years, cube.to_numpy().reshape(len(years), len(AGE_BANDS), len(SEXES)))
    return nd.lookup["projection"]  # type: ignore[return-value]


def growth_factors(ctx: Context, scenario: Scenario) -> tuple[Array | None, str | None]:
    """Population growth [a, s] from the base year to ``scenario.year`` and how it was made."""
    if scenario.year is None or scenario.year == ctx.base_year:
        return None, None
    years = scenario.year - ctx.base_year
    cube = _projection_cube(ctx) if scenario.growth_rate is None else None
    if cube is not None and {ctx.base_year, scenario.year} <= set(cube[0]):
        index, arr = cube
        pair = arr[[index[ctx.base_year], index[scenario.year]]]
        return population_growth(pair, 0)[1], (
            f"population projected {ctx.base_year}->{scenario.year} by age and sex "
            "with ONS 2022-based national projections"
        )
    rate = scenario.growth_rate if scenario.growth_rate is not None else ctx.ref.general["population_growth_rate"]
    factor = (1.0 + rate) ** years
    return np.full((len(AGE_BANDS), len(SEXES)), factor), (
        f"population grown {rate:+.2%} a year for {years} years (uniform; user-set rate)"
    )


def _levers(ctx: Context, org: Organisation, scenario: Scenario) -> tuple[Levers, list[str]]:
    nd, notes = ctx.data, []
    growth, note = growth_factors(ctx, scenario)
    if note:
        notes.append(note)
    minutes = None
    if scenario.minutes:
        minutes = ctx.calibration.params.minutes.copy()
        for role, m in scenario.minutes.items():
            minutes[ROLE_CODES.index(role)] = m
    added = None
    if scenario.added_fte:
        weights = nd.practices["patients"].to_numpy() * org.mask
        weights = weights / weights.sum() if weights.sum() > 0 else weights
        vec = np.zeros(len(ROLE_CODES))
        for role, f in scenario.added_fte.items():
            vec[ROLE_CODES.index(role)] = f
        added = weights[:, None] * vec
        notes.append("added FTE is shared across the organisation's practices by list size")
    return Levers(
        growth=growth,
        shift_share=scenario.shift_share,
        dna_target=scenario.dna_rate,
        minutes=minutes,
        added_fte=added,
        demand_multiplier=1.0 + scenario.demand_change,
    ), notes


RUN_CACHE_SIZE = 32


def run_scenario(ctx: Context, org: Organisation, scenario: Scenario) -> tuple[ModelResult, list[str]]:
    """Run the model for the practices of ``org`` (in national order) with the scenario's levers.

    Practices are independent in the model, so only the organisation's own are run (an ICB is
    ~300 practices, not 6,139) and the result holds only those rows: index per-practice national
    arrays with ``org.rows`` to line up with it. Memoised per data version, scenario and
    organisation: a page asks for demand, capacity, gap and children of the same scenario,
    which is one model run, not four.
    """
    nd, cal = ctx.data, ctx.calibration
    key = (nd.fingerprint, scenario.model_dump_json(), org.code)
    with ctx._lock:
        hit = ctx._runs.get(key)
        if hit is not None:
            ctx._runs.move_to_end(key)
            return hit[0], list(hit[1])
    levers, notes = _levers(ctx, org, scenario)
    local = local_factors(nd, cal, ctx.ref) if scenario.local_calibration else None
    if local is not None:
        notes.append(f"local calibration: {int((local != 1).sum()):,} practices scaled to their own appointment counts")
    rows = org.rows
    inputs = ModelInputs(
        patients=nd.patients[rows],
        covariates=cal.z[rows],
        fte=nd.fte_of(rows),
        local_factor=None if local is None else local[rows],
    )
    if levers.added_fte is not None:
        levers = replace(levers, added_fte=levers.added_fte[rows])
    result = run(inputs, cal.params, levers)
    for value in vars(result).values():  # shared between requests: nobody may write into it
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    with ctx._lock:
        ctx._runs[key] = (result, tuple(notes))
        while len(ctx._runs) > RUN_CACHE_SIZE:
            ctx._runs.popitem(last=False)
    return result, notes


def org_info(ctx: Context, org: Organisation) -> dict[str, Any]:
    """Level, code, name, practice count and parent codes (memoised per data version)."""
    nd = ctx.data
    key = f"org_info:{org.code}"
    cached = nd.lookup.get(key)
    if cached is None:
        info: dict[str, Any] = {
            "level": org.level,
            "code": org.code,
            "name": org.name,
            "label": org.label,
            "practices": int(org.mask.sum()),
        }
        for level in ("pcn", "sub_icb", "icb", "region"):
            if level != org.level and org.level not in ("england",):
                info[f"{level}_code"] = org.parent_code(nd, level)
        if org.note:
            info["note"] = org.note
        nd.lookup[key] = cached = info
    return dict(cached)  # type: ignore[call-overload]


def _common_notes(ctx: Context, scenario: Scenario) -> list[str]:
    nd, cal = ctx.data, ctx.calibration
    vol = cal.report.get("volume", {})
    notes = [f"registered patients: NHS England, Patients Registered at a GP Practice ({nd.periods.get('patients')})"]
    if isinstance(vol, dict) and vol.get("source") == "national sub-ICB series":
        notes.append(
            f"rates calibrated to {vol['appointments_per_year']:,.0f} appointments a year in England "
            f"(NHS England Appointments in General Practice, {vol['months']})"
        )
    spread = cal.report.get("uncategorised_share_spread_pro_rata")
    if isinstance(spread, float):
        notes.append(
            f"{spread:.1%} of appointments had no usable category (Inconsistent Mapping, Unmapped) "
            "and are spread pro rata over the mapped categories"
        )
    return notes


def demand_report(ctx: Context, org_code: str, scenario: Scenario | None = None) -> Report:
    """Registered patients and appointments by need category and age band, and shiftable GP work."""
    scenario = scenario or Scenario()
    nd, cal = ctx.data, ctx.calibration
    org = resolve(nd, org_code)
    res, notes = run_scenario(ctx, org, scenario)
    grown = res.patients
    by_age = appointments_by_age_band(grown, cal.params.rates, res.booked_year, res.expected_year)
    booked = float(res.booked_year.sum())
    cat = res.demand_category_year.sum(axis=0)
    p = cal.params
    gp_work_cat = costs.gp_work_by_category(cat, p.gp_share, WEEKS_PER_YEAR)
    other = (~GP_ROLES & CLINICAL).astype(float)
    transferable_cat = costs.gp_work_others_could_take(gp_work_cat, p.skills, other)
    gp_minutes = p.minutes[ROLE_CODES.index("gp")]
    cost = p.cost_per_appointment()
    other_cost_cat = costs.other_roles_cost_per_appointment(p.skills, cost)
    gp_cost = cost[ROLE_CODES.index("gp")]

    total_patients = float(grown.sum())
    summary = {
        "registered_patients": total_patients,
        "appointments_per_year": booked,
        "appointments_per_month": booked / MONTHS,
        "appointments_per_week": booked / WEEKS_PER_YEAR,
        "appointments_per_patient_year": float(share_of(booked, total_patients)),
        "gp_appointments_per_week": float(gp_work_cat.sum()),
        "gp_appointments_others_could_take_per_week": float(transferable_cat.sum()),
        "share_of_gp_work_others_could_take": float(share_of(transferable_cat.sum(), gp_work_cat.sum())),
        "gp_hours_per_week_others_could_take": float(costs.gp_hours(transferable_cat.sum(), gp_minutes)),
        "annual_cost_of_that_work_at_gp_rates": float(
            costs.annual_cost_at_gp_rates(transferable_cat.sum(), gp_cost, WEEKS_PER_YEAR)
        ),
        "annual_cost_of_that_work_by_other_roles": float(
            costs.annual_cost_by_other_roles(transferable_cat, other_cost_cat, WEEKS_PER_YEAR)
        ),
        "year": scenario.year or ctx.base_year,
    }
    categories = pd.DataFrame(
        {
            "category": [c.code for c in NEED_CATEGORIES],
            "label": [c.label for c in NEED_CATEGORIES],
            "appointments_per_year": cat,
            "appointments_per_week": cat / WEEKS_PER_YEAR,
            "share": share_of(cat, booked),
            "gp_share": p.gp_share,
            "gp_appointments_others_could_take_per_week": transferable_cat,
        }
    )
    ages = pd.DataFrame(
        {
            "age_band": list(AGE_BANDS),
            "female": grown[:, :, 0].sum(axis=0),
            "male": grown[:, :, 1].sum(axis=0),
            "appointments_per_year": by_age,
        }
    )
    ages["patients"] = ages["female"] + ages["male"]
    ages["appointments_per_patient_year"] = share_of(
        ages["appointments_per_year"].to_numpy(), ages["patients"].to_numpy()
    )
    notes = (
        _common_notes(ctx, scenario)
        + notes
        + [
            "GP work others could take: the skills matrix (reference/skills.csv) with every role available; "
            "costs per appointment count non-patient-facing paid time (reference/roles.csv, PSSRU 2023/24 prices)",
        ]
    )
    return Report(
        f"Demand: {org.label}", org_info(ctx, org), summary, {"categories": categories, "age_bands": ages}, notes
    )


def _role_frame(
    ctx: Context, org: Organisation, res: ModelResult, only: NDArray[np.bool_] | None = None
) -> pd.DataFrame:
    """Roles (all, or those in ``only``) with FTE, slots, demand and gap, summed over ``org``.

    Built from numpy columns in one DataFrame construction: column-by-column pandas work was
    most of the time of a cold scenario's gap report.
    """
    nd = ctx.data
    rows = org.rows
    keep = np.ones(len(ROLE_CODES), dtype=bool) if only is None else only
    capacity = res.capacity_week.sum(axis=0)[keep]
    demand = res.demand_week.sum(axis=0)[keep]
    ratio = capacity_to_demand(capacity, demand)
    picked = [role for role, k in zip(ROLES, keep, strict=True) if k]
    return pd.DataFrame(
        {
            "role": [r.code for r in picked],
            "label": [r.label for r in picked],
            "staff_group": [r.staff_group for r in picked],
            "fte": res.fte.sum(axis=0)[keep],
            "fte_practice": nd.fte_practice[rows].sum(axis=0)[keep],
            "fte_pcn_share": nd.fte_pcn[rows].sum(axis=0)[keep],
            "slots_per_fte_week": np.asarray(res.slots_per_fte_week)[keep],
            "capacity_per_week": capacity,
            "demand_per_week": demand,
            "capacity_net_of_dna_per_week": capacity_net_of_dna(capacity, ctx.calibration.params.dna_rate),
            "gap_per_week": demand - capacity,
            "capacity_to_demand": ratio,
        }
    )


def _fte_notes(ctx: Context, org: Organisation) -> list[str]:
    """Where the FTE behind this organisation's capacity came from (memoised per data version)."""
    nd = ctx.data
    key = f"fte_notes:{org.code}"
    if key not in nd.lookup:
        counts = pd.Series(nd.fte_source[org.mask]).value_counts()
        parts = [f"{n:,} {src}" for src, n in counts.items()]
        nd.lookup[key] = [f"FTE source by practice: {', '.join(parts)}", *nd.notes]
    return list(nd.lookup[key])  # type: ignore[call-overload]


def capacity_report(ctx: Context, org_code: str, scenario: Scenario | None = None) -> Report:
    """Appointment slots a week by role from FTE, and net of DNAs."""
    scenario = scenario or Scenario()
    org = resolve(ctx.data, org_code)
    res, notes = run_scenario(ctx, org, scenario)
    roles = _role_frame(ctx, org, res)
    clinical = roles[CLINICAL]
    p = ctx.calibration.params
    summary = {
        "fte_clinical": float(clinical["fte"].sum()),
        "fte_all": float(roles["fte"].sum()),
        "capacity_per_week": float(clinical["capacity_per_week"].sum()),
        "capacity_net_of_dna_per_week": float(clinical["capacity_net_of_dna_per_week"].sum()),
        "dna_rate": p.dna_rate,
        "hours_per_fte": p.hours_per_fte,
    }
    cols = [
        "role",
        "label",
        "staff_group",
        "fte",
        "fte_practice",
        "fte_pcn_share",
        "slots_per_fte_week",
        "capacity_per_week",
        "capacity_net_of_dna_per_week",
    ]
    notes = (
        notes
        + _fte_notes(ctx, org)
        + [
            "slots/week = FTE x 37.5 h x weeks worked/52 x patient-facing share x 60 / minutes (reference/roles.csv)",
            f"net of DNAs uses the national DNA rate {p.dna_rate:.2%} (DNA / booked, latest 12 months)",
            "admin and reception staff are not appointment capacity",
        ]
    )
    return Report(f"Capacity: {org.label}", org_info(ctx, org), summary, {"roles": roles[cols]}, notes)


def gap_report(ctx: Context, org_code: str, scenario: Scenario | None = None) -> Report:
    """Weekly demand against capacity by role: the appointment gap now or in a projected year."""
    scenario = scenario or Scenario()
    org = resolve(ctx.data, org_code)
    res, notes = run_scenario(ctx, org, scenario)
    clinical = _role_frame(ctx, org, res, only=CLINICAL)
    unassigned = float(res.unassigned_week.sum())
    demand = float(clinical["demand_per_week"].sum()) + unassigned
    capacity = float(clinical["capacity_per_week"].sum())
    gp = GP_ROLES[CLINICAL]
    gp_demand = clinical["demand_per_week"].to_numpy()[gp]
    gp_capacity = clinical["capacity_per_week"].to_numpy()[gp]
    summary = {
        "demand_per_week": demand,
        "capacity_per_week": capacity,
        "gap_per_week": demand - capacity,
        "gap_share_of_demand": float(share_of(demand - capacity, demand)),
        "gp_demand_per_week": float(gp_demand.sum()),
        "gp_capacity_per_week": float(gp_capacity.sum()),
        "gp_gap_per_week": float((gp_demand - gp_capacity).sum()),
        "unassigned_per_week": unassigned,
        "shifted_from_gps_per_week": float(res.shifted_week.sum()),
        "capacity_to_demand": capacity / demand if demand else None,
        "year": scenario.year or ctx.base_year,
    }
    notes = (
        notes
        + _fte_notes(ctx, org)
        + [
            "gap = booked demand - slots; a positive gap is a shortfall of appointments a week",
            "demand is split between roles by the observed GP share of each category (GPAD) and, for other staff, "
            "by the skills matrix weighted by the team's own capacity",
            "demand counts booked appointments including DNAs, so DNAs are not subtracted again from capacity",
        ]
    )
    if unassigned > 0:
        notes.append(f"{unassigned:,.0f} appointments a week need a role this team does not have")
    cols = ["role", "label", "fte", "demand_per_week", "capacity_per_week", "gap_per_week", "capacity_to_demand"]
    return Report(
        f"Weekly appointment gap: {org.label}",
        org_info(ctx, org),
        summary,
        {"roles": clinical[cols]},
        _common_notes(ctx, scenario) + notes,
    )


def by_level_report(ctx: Context, org_code: str, by: str, scenario: Scenario | None = None) -> Report:
    """One row per organisation at level ``by`` inside ``org``: patients, demand, capacity, gap."""
    scenario = scenario or Scenario()
    nd = ctx.data
    org = resolve(nd, org_code)
    res, notes = run_scenario(ctx, org, scenario)
    kids_key = f"children:{org.code}:{by}"
    if kids_key not in nd.lookup:
        nd.lookup[kids_key] = children(nd, org, by)
    kids: pd.DataFrame = nd.lookup[kids_key]  # type: ignore[assignment]
    # Only the organisation's own practices take part (an ICB is ~300 rows, England 6,139).
    rows = org.rows
    idx_all, codes = nd.groups(by)
    idx = idx_all[rows]
    n = len(codes)
    patients = res.list_size
    demand_week, capacity_week = res.demand_week, res.capacity_week
    sums = group_sum(
        np.column_stack(
            [
                patients,
                res.booked_year,
                demand_week[:, CLINICAL].sum(axis=1) + res.unassigned_week,
                capacity_week[:, CLINICAL].sum(axis=1),
                nd.fte_of(rows)[:, GP_ROLES].sum(axis=1),
                demand_week[:, GP_ROLES].sum(axis=1),
                capacity_week[:, GP_ROLES].sum(axis=1),
                np.ones(len(rows)),
            ]
        ),
        idx,
        n,
    )[kids["group"].to_numpy()]
    pats_g, booked, demand, capacity, gp_fte, gp_demand, gp_capacity, practices = sums.T
    gap = demand - capacity
    columns: dict[str, Any] = {
        "code": kids["code"].to_numpy(),
        "name": kids["name"].to_numpy(),
        "practices": practices.astype(int),
        "patients": pats_g,
        "appointments_per_year": booked,
        "appointments_per_month": booked / MONTHS,
        "appointments_per_week": booked / WEEKS_PER_YEAR,
        "demand_per_week": demand,
        "capacity_per_week": capacity,
        "gap_per_week": gap,
        "gap_share_of_demand": share_of(gap, demand),
        "gp_fte": gp_fte,
        "patients_per_gp_fte": benchmarks.patients_per_fte(gp_fte, pats_g),
        "gp_demand_per_week": gp_demand,
        "gp_capacity_per_week": gp_capacity,
        "gp_gap_per_week": gp_demand - gp_capacity,
    }
    if by == "practice":
        src = pd.Series(nd.fte_source, index=nd.practices["practice_code"])
        columns["fte_source"] = src.reindex(kids["code"]).to_numpy()
    table = pd.DataFrame(columns)
    summary = {
        "rows": len(table),
        "level": by,
        "patients": float(table["patients"].sum()),
        "gap_per_week": float(table["gap_per_week"].sum()),
    }
    if by == "pcn":
        unallocated = int((org.mask & (nd.groups("pcn")[0] < 0)).sum())
        if unallocated:
            notes.append(f"{unallocated} practices have no PCN (code U) and are not in any row")
    return Report(
        f"{org.label} by {by.replace('_', '-')}",
        org_info(ctx, org),
        summary,
        {"organisations": table},
        _common_notes(ctx, scenario) + notes + _fte_notes(ctx, org),
    )


# --- Benchmarks ---------------------------------------------------------------------------------
def staff_group_fte(fte: Array) -> Array:
    """FTE [..., r] summed into staff groups [..., g] (order of STAFF_GROUPS)."""
    return benchmarks.staff_group_fte(fte, staff_group_of(), len(STAFF_GROUPS))


def ratios(fte: Array, patients: float) -> tuple[Array, Array]:
    """(FTE per 1,000 patients, patients per FTE) for FTE by staff group [g]."""
    return benchmarks.fte_per_1000(fte, patients), benchmarks.patients_per_fte(fte, patients)


def benchmark_report(ctx: Context, org_code: str) -> Report:
    """FTE per 1,000 patients and patients per FTE by staff group against England, ICB and peers."""
    nd = ctx.data
    org = resolve(nd, org_code)
    list_size = nd.practices["patients"].to_numpy()
    fte_g = staff_group_fte(nd.fte)
    comparators: list[tuple[str, str, NDArray[np.bool_]]] = [(org.label, "organisation", org.mask)]
    if org.level == "practice":
        pcn = org.parent_code(nd, "pcn")
        if pcn:
            peers = (nd.practices["pcn_code"] == pcn).to_numpy() & ~org.mask
            if peers.any():
                comparators.append((f"Other practices in PCN {pcn}", "pcn_peers", peers))
    if org.level in ("practice", "pcn", "sub_icb"):
        icb = org.parent_code(nd, "icb")
        if icb:
            comparators.append((f"ICB {icb}", "icb", (nd.practices["icb_code"] == icb).to_numpy()))
    if org.level != "england":
        comparators.append(("England", "england", np.ones(len(list_size), dtype=bool)))
    rows = []
    for gi, group in enumerate(STAFF_GROUPS):
        row: dict[str, Any] = {"staff_group": group, "label": STAFF_GROUP_LABELS[group]}
        for _, key, mask in comparators:
            pats = float(list_size[mask].sum())
            f = float(fte_g[mask, gi].sum())
            per_1000, per_fte = ratios(np.array([f]), pats)
            row[f"{key}_fte"] = f
            row[f"{key}_fte_per_1000"] = float(per_1000[0])
            row[f"{key}_patients_per_fte"] = float(per_fte[0])
        rows.append(row)
    table = pd.DataFrame(rows)
    # where this organisation sits among the practices of its ICB (or England), per 1,000 patients
    if org.level == "practice":
        icb = org.parent_code(nd, "icb")
        pool = (nd.practices["icb_code"] == icb).to_numpy() if icb else np.ones(len(list_size), dtype=bool)
        per_1000 = benchmarks.fte_per_1000(fte_g[pool], list_size[pool, None])
        mine = benchmarks.fte_per_1000(fte_g[org.mask][0], list_size[org.mask][0])
        table["percentile_in_icb"] = benchmarks.percentile_in_pool(per_1000, mine)
    summary = {"comparators": [label for label, _, _ in comparators], "patients": float(list_size[org.mask].sum())}
    notes = [
        *_fte_notes(ctx, org),
        "FTE include PCN-employed staff shared by list size; GPs include locums and GPs in training",
    ]
    return Report(f"Benchmarks: {org.label}", org_info(ctx, org), summary, {"staff_groups": table}, notes)


def practice_level_columns() -> tuple[str, ...]:
    """Columns that identify a practice's parents (for exports)."""
    return tuple(c for level in ("practice", "pcn", "sub_icb", "icb", "region") for c in LEVEL_COLUMNS[level])
