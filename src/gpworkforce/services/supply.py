"""Supply projection of an organisation: FTE by role for 1-10 years with P10/P50/P90, and the
weekly appointment gap and GPs required against GPs available when combined with projected demand.

Selects and labels only: the flows are ``model.supply``, the parameters ``reference/supply_presets.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gpworkforce.model.supply import fte_factor, project_expected, quantiles, simulate
from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.reference.supply import PRESETS, ROUTES, SUPPLY_BANDS, SUPPLY_ROLES, load_supply_reference
from gpworkforce.scenario import Scenario
from gpworkforce.services.calibrate import GP_ROLES
from gpworkforce.services.organisations import resolve
from gpworkforce.services.scenario_run import org_info, run_scenario
from gpworkforce.services.supply_inputs import (
    ESTIMATE,
    ESTIMATE_NOTE,
    PUBLISHED,
    REGISTER,
    SupplyInputs,
    integer_heads,
    practice_inputs,
)
from gpworkforce.services.supply_results import SupplyReport, SupplySummary
from gpworkforce.services.versions import DataVersion

MAX_YEARS, MAX_DRAWS = 10, 10_000
#: Highest scenario year the demand projection accepts (``Scenario.year``).
MAX_DEMAND_YEAR = 2050


@dataclass(frozen=True)
class Recruits:
    """A recruitment plan line: heads of ``role`` a year by ``route`` for every projection year."""

    route: str
    role: str
    per_year: float


def check_request(years: int, draws: int, preset: str, recruits: tuple[Recruits, ...] = ()) -> None:
    """Refuse out-of-range requests with a message naming the field (ValueError)."""
    if not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years must be between 1 and {MAX_YEARS}, not {years}")
    if not 1 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws must be between 1 and {MAX_DRAWS:,}, not {draws}")
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, not {preset!r}")
    for r in recruits:
        if r.route not in ROUTES or r.role not in SUPPLY_ROLES or not 0 <= r.per_year <= 1000:
            raise ValueError(
                f"recruits {r.route}:{r.role}:{r.per_year}: route one of {', '.join(ROUTES)}, role one of "
                f"{', '.join(SUPPLY_ROLES)}, heads a year 0-1000"
            )


def _demand(version: DataVersion, org_code: str, years: int) -> list[dict[str, float]]:
    """Per projection year: weekly demand, capacity of the supply roles and of the rest, GP demand."""
    org = resolve(version, org_code)
    gp_i = ROLE_CODES.index("gp")
    supply_i = [ROLE_CODES.index(r) for r in SUPPLY_ROLES]
    out = []
    for t in range(years + 1):
        year = version.base_year + t
        scen = Scenario(year=min(year, MAX_DEMAND_YEAR)) if t else Scenario()
        res, _ = run_scenario(version, org, scen)
        cap = res.capacity_week.sum(axis=0)
        fte = res.fte.sum(axis=0)
        gp_cap = res.capacity_week[:, GP_ROLES].sum()
        out.append(
            {
                "demand": float(res.demand_week.sum() + res.unassigned_week.sum()),
                "cap_other": float(cap.sum() - cap[supply_i].sum()),
                **{f"cap_{r}": float(cap[i]) for r, i in zip(SUPPLY_ROLES, supply_i, strict=True)},
                **{f"fte_{r}": float(fte[i]) for r, i in zip(SUPPLY_ROLES, supply_i, strict=True)},
                "gp_demand": float(res.demand_week[:, GP_ROLES].sum()),
                "gp_other_cap": float(gp_cap - cap[gp_i]),
            }
        )
    return out


def supply_report(
    version: DataVersion,
    org_code: str,
    years: int = 10,
    draws: int = 1000,
    preset: str = "calibrated",
    seed: int = 1,
    recruits: tuple[Recruits, ...] = (),
    inputs: SupplyInputs | None = None,
) -> SupplyReport:
    """The projection; ``inputs`` replaces the published heads (e.g. from a staff register)."""
    check_request(years, draws, preset, recruits)
    key = ("supply", org_code, years, draws, preset, seed, recruits)
    if inputs is not None:
        return _build(version, org_code, years, draws, preset, seed, recruits, inputs)
    return version.memoised("reports", key, lambda: _build(version, org_code, years, draws, preset, seed, recruits))


def _build(
    version: DataVersion,
    org_code: str,
    years: int,
    draws: int,
    preset: str,
    seed: int,
    recruits: tuple[Recruits, ...],
    inputs: SupplyInputs | None = None,
) -> SupplyReport:
    org = resolve(version, org_code)
    sref = load_supply_reference()
    params = sref.parameters(preset)
    central = sref.parameters(preset, uncertainty=False)
    inp = inputs or practice_inputs(version.data, org.rows)
    n_r = len(SUPPLY_ROLES)
    plan = np.zeros((years, n_r))
    cost: float | None = 0.0
    for r in recruits:
        plan[:, SUPPLY_ROLES.index(r.role)] += r.per_year
        unit = sref.route_cost.get(r.route)
        cost = None if unit is None or cost is None else cost + unit * r.per_year * years
    # expected: the heads summed over practices (flows are linear), FTE per head weighted by heads
    heads0 = inp.expected_heads(sref.age_profile)
    fte0 = (heads0.sum(axis=2) * inp.fte_per_head).sum(axis=0)
    per_head = fte0 / np.maximum(heads0.sum(axis=(0, 2)), 1e-12)
    exp = project_expected(heads0.sum(axis=0), central, years, plan, sref.entry)
    factor = fte_factor(central.fte_drift, years)
    fte_exp = exp.heads.sum(axis=-1) * per_head * factor  # [t, r]
    known, unknown = integer_heads(inp)
    sim = simulate(known, unknown, sref.age_profile, inp.fte_per_head, params, years, draws, seed)
    # recruits in expectation (a plan is a decision, not a chance), added to every draw
    rec = project_expected(np.zeros((n_r, len(SUPPLY_BANDS))), central, years, plan, sref.entry)
    fte_draws = sim.fte[:, :, 0, :] + (rec.heads.sum(axis=-1) * per_head * factor)[:, None, :]  # [t, d, r]
    scale = fte0 / np.maximum(sim.fte[0, 0, 0, :], 1e-12)  # whole heads -> the published FTE
    fte_draws = fte_draws * np.where(sim.fte[0, 0, 0, :] > 0, scale, 1.0)
    q = quantiles(fte_draws)  # [3, t, r]
    base = version.base_year
    fte_rows = [
        {
            "year": t, "calendar_year": base + t, "role": role,
            "heads_expected": float(exp.heads[t, i].sum()), "fte_expected": float(fte_exp[t, i]),
            "fte_p10": float(q[0, t, i]), "fte_p50": float(q[1, t, i]), "fte_p90": float(q[2, t, i]),
            "retirements_expected": float(exp.retirements[t - 1, i].sum()) if t else 0.0,
            "preset_cohort_retirements_expected": float(exp.cohort_retirements[t - 1, i].sum()) if t else 0.0,
            "other_leavers_expected": float(exp.leavers[t - 1, i].sum()) if t else 0.0,
            "recruits": float(plan[t - 1, i]) if t else 0.0,
        }
        for t in range(years + 1)
        for i, role in enumerate(SUPPLY_ROLES)
    ]  # fmt: skip
    age_rows = [
        {"year": t, "role": role, "age_band": band, "heads_expected": float(exp.heads[t, i, b])}
        for t in range(years + 1)
        for i, role in enumerate(SUPPLY_ROLES)
        for b, band in enumerate(SUPPLY_BANDS)
    ]
    gap_rows, demand_note = _gap_rows(version, org_code, years, fte_draws, fte_exp)
    gp_final = q[:, years, 0]
    summary = SupplySummary(
        preset=preset, years=years, draws=draws, seed=seed, base_year=base,
        practices=len(inp.practice_codes),
        practices_age_published=int(inp.count(PUBLISHED)[0]),
        practices_age_estimated=int(inp.count(ESTIMATE)[0]),
        practices_age_register=int(inp.count(REGISTER)[0]),
        gp_fte_now=float(fte0[0]),
        gp_fte_final_p10=float(gp_final[0]), gp_fte_final_p50=float(gp_final[1]), gp_fte_final_p90=float(gp_final[2]),
        preset_cohort_retirements_expected=float(exp.cohort_retirements[..., 0, :].sum()),
        recruitment_cost=cost,
        estimate=bool((inp.source == ESTIMATE).any()),
    )  # fmt: skip
    notes = _notes(version, sref.sources(preset), inp, preset, draws, seed, demand_note, cost, recruits)
    return SupplyReport.build(
        {"fte": pd.DataFrame(fte_rows), "gap": pd.DataFrame(gap_rows), "age_bands": pd.DataFrame(age_rows)},
        title=f"Workforce supply ({preset}): {org.label}",
        organisation=org_info(version, org),
        summary=summary,
        notes=notes,
    )


def _gap_rows(
    version: DataVersion, org_code: str, years: int, fte_draws: np.ndarray, fte_exp: np.ndarray
) -> tuple[list[dict[str, float | int | None]], str]:
    demand = _demand(version, org_code, years)
    rows: list[dict[str, float | int | None]] = []
    now = demand[0]
    for t, d in enumerate(demand):
        per_fte = [now[f"cap_{r}"] / now[f"fte_{r}"] if now[f"fte_{r}"] > 0 else 0.0 for r in SUPPLY_ROLES]
        cap_draws = d["cap_other"] + fte_draws[t] @ np.asarray(per_fte)
        cap_exp = d["cap_other"] + sum(fte_exp[t, i] * per_fte[i] for i in range(len(SUPPLY_ROLES)))
        gap = d["demand"] - cap_draws
        gq = quantiles(gap, axis=0)
        gp_avail = fte_draws[t, :, 0]
        aq = quantiles(gp_avail, axis=0)
        required = (d["gp_demand"] - d["gp_other_cap"]) / per_fte[0] if per_fte[0] > 0 else None
        gp_gap = quantiles(required - gp_avail, axis=0) if required is not None else None
        rows.append(
            {
                "year": t, "calendar_year": version.base_year + t,
                "demand_per_week": d["demand"], "gap_per_week_expected": d["demand"] - cap_exp,
                "gap_per_week_p10": float(gq[0]), "gap_per_week_p50": float(gq[1]), "gap_per_week_p90": float(gq[2]),
                "gp_fte_required": required, "gp_fte_available_expected": float(fte_exp[t, 0]),
                "gp_fte_available_p10": float(aq[0]), "gp_fte_available_p50": float(aq[1]),
                "gp_fte_available_p90": float(aq[2]),
                "gp_gap_fte_p10": None if gp_gap is None else float(gp_gap[0]),
                "gp_gap_fte_p50": None if gp_gap is None else float(gp_gap[1]),
                "gp_gap_fte_p90": None if gp_gap is None else float(gp_gap[2]),
                "gp_gap_share_of_demand_p50": None if gp_gap is None or not required else float(gp_gap[1] / required),
            }
        )  # fmt: skip
    note = (
        "demand: the gap model's projection for each calendar year (default scenario; ONS population projection), "
        f"capped at {MAX_DEMAND_YEAR}; capacity of GPs and practice nurses scales with their projected FTE at today's "
        "slots per FTE, other roles' capacity as projected; GPs required = GP-role demand less locum and trainee "
        "capacity, over slots per qualified GP FTE"
    )
    return rows, note


def _age_period(version: DataVersion, role: str) -> str:
    """Month of the age data a role's published ages come from (qualified permanent GPs from the
    detailed tables where loaded, else all GPs from ``gp_age``)."""
    detailed = version.data.periods.get("workforce_age")
    if role == "gp" and not detailed:
        return f"all GPs, {version.data.periods.get('gp_age') or 'not loaded'}"
    return f"qualified permanent GPs, {detailed}" if role == "gp" else str(detailed or "not loaded")


def _notes(
    version: DataVersion,
    sources: list[str],
    inp: SupplyInputs,
    preset: str,
    draws: int,
    seed: int,
    demand_note: str,
    cost: float | None,
    recruits: tuple[Recruits, ...],
) -> list[str]:
    est = int(inp.count(ESTIMATE)[0])
    notes = [
        f"GP ages: {int(inp.count(PUBLISHED)[0]):,} practices published (NHS GP workforce age bands, "
        f"{_age_period(version, 'gp')}), {est:,} estimated, "
        f"{int(inp.count(REGISTER)[0]):,} from a staff register",
        f"practice nurses: {int(inp.count(PUBLISHED)[1]):,} practices published (age bands of all the "
        f"practice's nurses, NHS detailed file, {version.data.periods.get('workforce_age') or 'not loaded'}), "
        f"{int(inp.count(ESTIMATE)[1]):,} estimated, {int(inp.count(REGISTER)[1]):,} from a staff register",
        f"Monte Carlo: {draws:,} draws, seed {seed}: each person retires or leaves at random each year "
        "(the year and reason drawn at once from the yearly chances), with the hazard multiplier "
        "(lognormal) and the leaver rate (beta) drawn per draw; "
        "'expected' columns use the central parameters",
        demand_note,
        f"preset {preset}; parameters and sources: reference/supply_presets.csv",
        *[f"source: {s}" for s in sources[:12]],
    ]
    if est or (inp.source == ESTIMATE).any():
        notes.insert(0, ESTIMATE_NOTE)
    if recruits:
        words = ", ".join(f"{r.per_year:g} {r.role} a year by {r.route}" for r in recruits)
        money = "unknown (a route without a sourced cost)" if cost is None else f"£{cost:,.0f}"
        notes.append(f"recruits: {words}; cost over the projection {money}")
    return notes
