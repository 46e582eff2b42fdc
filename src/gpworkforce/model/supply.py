"""Workforce supply projection: ageing, retirement, other leavers, recruits and FTE drift.

Headcount sits in cells [..., r, b] (role x 5-year age band) with any leading axes
(practices). Each year, in this order:

1. exits from the stock at the start of the year: retirement with probability ``h[r, b]``
   (times a per-draw multiplier ``m``), other leaving with ``(1 - h m) l[r]``; members of a
   preset's cohort (for example GPs aged 55+ at the start, HEE) retire instead on the
   preset's schedule ``c_t = (f / H) / (1 - (t - 1) f / H)`` for ``t <= H``, so a share ``f``
   of the cohort has retired after ``H`` years, and face no other exit until then;
2. ageing of the survivors: a share ``1 / width[b]`` of each band moves up one band
   (``width = 5`` years; the top band keeps everyone);
3. recruits of the year's plan enter by their entry age profile.

FTE = headcount x FTE per head x ``(1 + drift[r]) ** t``. :func:`project_expected` gives the
expected values; :func:`simulate` the Monte Carlo (a Bernoulli trial per person and year, i.e.
binomial draws on each cell, with the hazard multiplier and the leaver rate drawn per draw), whose
mean equals the expected projection when the parameter uncertainty is zero.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
#: Person-draw cells per Monte Carlo chunk (memory ~ 12 bytes each).
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class SupplyParameters:
    """Flows of one preset, by role r and age band b.

    hazard [r, b] retirement probability a year; leaver_rate [r] other leavers a year;
    ageing [b] share of a band moving up a band a year (1/5; 0 for the top band);
    fte_drift [r] relative change of FTE per head a year; cohort_share [r] share f of the
    cohort retiring within cohort_years H (0: no cohort for that role); cohort_bands [r, b]
    bands whose members at the start form the cohort; hazard_sigma lognormal sd of the
    hazard multiplier across draws; leaver_cv coefficient of variation of the leaver rate
    across draws (beta).
    """

    hazard: Array
    leaver_rate: Array
    ageing: Array
    fte_drift: Array
    cohort_share: Array
    cohort_bands: NDArray[np.bool_]
    cohort_years: int
    hazard_sigma: float = 0.0
    leaver_cv: float = 0.0


def cohort_hazard(share: Array, years: int, t: int) -> Array:
    """Retirement probability in year t (1-based) of a cohort that loses ``share`` evenly over ``years``."""
    share = np.asarray(share, dtype=np.float64)
    if t > years or years <= 0:
        return np.zeros_like(share)
    left = 1.0 - (t - 1) * share / years
    return np.divide(share / years, left, out=np.ones_like(share), where=left > 1e-12)


def _age(stock: Array, ageing: Array) -> Array:
    move = stock * ageing
    out = stock - move
    out[..., 1:] += move[..., :-1]
    return out


@dataclass(frozen=True)
class Projection:
    """Expected projection: heads [t, ..., r, b] for t = 0..years (0 = start), retirements,
    other leavers and cohort retirements [t, ..., r, b] for t = 1..years (index t - 1)."""

    heads: Array
    retirements: Array
    leavers: Array
    cohort_retirements: Array


def project_expected(
    heads: Array, params: SupplyParameters, years: int, recruits: Array | None = None, entry: Array | None = None
) -> Projection:
    """Expected headcount [..., r, b] year by year; recruits [years, ..., r] enter by entry [r, b]."""
    heads = np.asarray(heads, dtype=np.float64)
    cohort = heads * params.cohort_bands * (params.cohort_share > 0)[:, None]
    rest = heads - cohort
    out = [heads.copy()]
    ret, oth, cret = [], [], []
    for t in range(1, years + 1):
        h = params.hazard
        r_rest = rest * h
        o_rest = rest * (1.0 - h) * params.leaver_rate[:, None]
        r_coh = cohort * cohort_hazard(params.cohort_share, params.cohort_years, t)[:, None]
        rest = _age(rest - r_rest - o_rest, params.ageing)
        cohort = _age(cohort - r_coh, params.ageing)
        if recruits is not None and entry is not None:
            rest = rest + recruits[t - 1][..., None] * entry
        if t == params.cohort_years:
            rest, cohort = rest + cohort, np.zeros_like(cohort)
        out.append(rest + cohort)
        ret.append(r_rest + r_coh)
        oth.append(o_rest)
        cret.append(r_coh)
    return Projection(np.stack(out), np.stack(ret), np.stack(oth), np.stack(cret))


def fte_factor(drift: Array, years: int) -> Array:
    """FTE per head relative to the start [t, r] for t = 0..years: (1 + drift) ** t."""
    return (1.0 + np.asarray(drift))[None, :] ** np.arange(years + 1)[:, None]


def draw_parameters(params: SupplyParameters, draws: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """Hazard multiplier [d] (lognormal, mean 1) and leaver rate [d, r] (beta, mean leaver_rate)."""
    s = params.hazard_sigma
    mult = np.exp(rng.normal(-s * s / 2, s, draws)) if s > 0 else np.ones(draws)
    mean = np.clip(params.leaver_rate, 1e-9, 1 - 1e-9)
    cv = params.leaver_cv
    if cv <= 0:
        return mult, np.broadcast_to(params.leaver_rate, (draws, len(mean))).copy()
    var = np.minimum((cv * mean) ** 2, mean * (1 - mean) * 0.99)
    k = mean * (1 - mean) / var - 1
    return mult, rng.beta(mean * k, (1 - mean) * k, (draws, len(mean)))


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo totals by group g and role r: heads and fte [t, d, g, r] for t = 0..years;
    retirements and cohort_retirements [t, d, g, r] for t = 1..years (index t - 1)."""

    heads: Array
    fte: Array
    retirements: Array
    cohort_retirements: Array


def _persons(known: NDArray[np.int64], estimated: NDArray[np.int64]) -> tuple[NDArray[np.intp], ...]:
    p, r, b = known.shape
    cells = np.repeat(np.arange(p * r * b), known.ravel())
    est = np.repeat(np.arange(p * r), estimated.ravel())
    practice = np.concatenate([cells // (r * b), est // r])
    role = np.concatenate([(cells // b) % r, est % r])
    band = np.concatenate([cells % b, np.full(len(est), -1)])
    return practice, role, band


def simulate(
    known: NDArray[np.int64],
    estimated: NDArray[np.int64],
    profile: Array,
    fte_per_head: Array,
    params: SupplyParameters,
    years: int,
    draws: int,
    seed: int,
    group: NDArray[np.intp] | None = None,
    workers: int = 1,
) -> Simulation:
    """Monte Carlo projection summed by group.

    known [p, r, b] heads with a known age band; estimated [p, r] heads of unknown age, whose band
    is drawn per draw from profile [r, b]; fte_per_head [p, r]; group [p] (default: one group).
    Reproducible: the same inputs and seed give the same figures (one child generator per chunk).
    """
    p, r, b = known.shape
    group = np.zeros(p, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
    n_groups = int(group.max()) + 1 if p else 1
    root = np.random.default_rng(seed)
    mult, leave = draw_parameters(params, draws, root)
    practice, role, band = _persons(np.asarray(known, np.int64), np.asarray(estimated, np.int64))
    n = len(practice)
    step = max(1, CHUNK_CELLS // max(draws, 1))
    starts = list(range(0, n, step)) or [0]
    rngs = root.spawn(len(starts))
    shape = (years + 1, draws, n_groups, r)
    factor = fte_factor(params.fte_drift, years)
    cdf = np.cumsum(profile, axis=1) / np.maximum(profile.sum(axis=1, keepdims=True), 1e-300)

    out: tuple[Array, Array, Array, Array] = (np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape))
    lock = threading.Lock()

    def chunk(i: int) -> None:
        sl = slice(starts[i], starts[i] + step)
        _simulate_chunk(
            rngs[i], practice[sl], role[sl], band[sl], group, n_groups, r, b, fte_per_head, cdf,
            params, years, mult, leave, factor, out, lock,
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(chunk, range(len(starts))))
    return Simulation(heads=out[0], fte=out[1], retirements=out[2][1:], cohort_retirements=out[3][1:])


def _simulate_chunk(
    rng: np.random.Generator,
    practice: NDArray[np.intp],
    role: NDArray[np.intp],
    band0: NDArray[np.intp],
    group: NDArray[np.intp],
    n_groups: int,
    n_roles: int,
    n_bands: int,
    fte_per_head: Array,
    cdf: Array,
    params: SupplyParameters,
    years: int,
    mult: Array,
    leave: Array,
    factor: Array,
    out: tuple[Array, Array, Array, Array],
    lock: threading.Lock,
) -> None:
    """One chunk of persons, added into ``out`` (heads, fte, retirements, cohort retirements [t, d, g, r]).

    Each person-draw holds a slot index into per-draw probability tables:
    slot = role x band (rest), n_roles x n_bands + role x band (preset cohort), or the last slot
    (gone: never exits or ages again). One uniform u per person and year decides: exit if
    u < p_exit; else age up a band if u < p_exit + ageing (1 - p_exit) (u given no exit is uniform).
    Exits are few, so they are accounted sparsely."""
    d, n = len(mult), len(practice)
    rb = n_roles * n_bands
    slots = 2 * rb + 1
    gone = 2 * rb
    shape = (years + 1, d, n_groups, n_roles)
    heads, fte, ret, coh = out
    if n == 0:
        return
    band = np.broadcast_to(band0, (d, n)).astype(np.int32)
    unknown = np.flatnonzero(band0 < 0)
    if len(unknown):
        draw_u = rng.random((d, len(unknown)))
        for r in np.unique(role[unknown]):
            cols = unknown[role[unknown] == r]
            picked = np.searchsorted(cdf[r], draw_u[:, np.isin(unknown, cols)], side="right")
            band[:, cols] = np.minimum(picked, n_bands - 1)
    cohort_role = params.cohort_share[role] > 0
    in_cohort = cohort_role[None, :] & params.cohort_bands[role[None, :], band]
    slot = (role * n_bands)[None, :] + band + np.where(in_cohort, rb, 0)
    slot = np.ascontiguousarray(slot + (np.arange(d) * slots)[:, None], dtype=np.int32)  # flat views must be views
    del band, in_cohort
    cell = group[practice] * n_roles + role  # [n]
    weight = fte_per_head[practice, role]
    size = n_groups * n_roles
    base_heads = np.bincount(cell, minlength=size).astype(np.float64)
    base_fte = np.bincount(cell, weights=weight, minlength=size)
    heads_now = np.broadcast_to(base_heads, (d, size)).copy()
    fte_now = np.broadcast_to(base_fte, (d, size)).copy()
    with lock:
        heads[0] += heads_now.reshape(shape[1:])
        fte[0] += fte_now.reshape(shape[1:]) * factor[0]
    hazard = np.minimum(params.hazard[None] * mult[:, None, None], 1.0)  # [d, r, b]
    p_other = (1 - hazard) * leave[:, :, None]
    ageing = np.broadcast_to(params.ageing, (n_roles, n_bands))
    for t in range(1, years + 1):
        c = cohort_hazard(params.cohort_share, params.cohort_years, t)
        p_ret = np.zeros((d, slots))
        p_ret[:, :rb] = hazard.reshape(d, rb)
        p_ret[:, rb:gone] = np.repeat(c, n_bands)[None, :]
        p_exit = p_ret.copy()
        p_exit[:, :rb] += p_other.reshape(d, rb)
        age = np.zeros((d, slots))
        age[:, :rb] = ageing.reshape(rb)
        age[:, rb:gone] = ageing.reshape(rb)
        p_age = p_exit + age * (1 - p_exit)
        # 16-bit uniforms against thresholds in 1/65536 (p = 1 is 65536: always)
        t_exit = np.round(p_exit * 65536).astype(np.uint32).ravel()
        t_age = np.round(p_age * 65536).astype(np.uint32).ravel()
        u = rng.integers(0, 65536, size=(d, n), dtype=np.uint16)
        exit_at = t_exit[slot]
        grow = (u >= exit_at) & (u < t_age[slot])
        idx = np.flatnonzero(u < exit_at)
        s_exit = slot.ravel()[idx]
        local = s_exit % slots
        draw = idx // n
        person = idx % n
        retire = u.ravel()[idx] < np.round(p_ret * 65536).astype(np.uint32).ravel()[s_exit]
        where = draw * size + cell[person]
        lost_heads = np.bincount(where, minlength=d * size).reshape(d, size)
        lost_fte = np.bincount(where, weights=weight[person], minlength=d * size).reshape(d, size)
        is_coh = retire & (local >= rb) & (local < gone)
        retired = np.bincount(where[retire], minlength=d * size).reshape(shape[1:])
        retired_cohort = np.bincount(where[is_coh], minlength=d * size).reshape(shape[1:])
        slot += grow
        slot.ravel()[idx] = draw * slots + gone
        if t == params.cohort_years:
            local_all = slot % slots
            slot -= np.where((local_all >= rb) & (local_all < gone), rb, 0).astype(slot.dtype)
        heads_now -= lost_heads
        fte_now -= lost_fte
        with lock:
            heads[t] += heads_now.reshape(shape[1:])
            fte[t] += fte_now.reshape(shape[1:]) * factor[t]
            ret[t] += retired
            coh[t] += retired_cohort


def quantiles(x: Array, axis: int = 1, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> Array:
    """P10/P50/P90 (by default) over the draws axis; the quantile axis comes first."""
    return np.quantile(x, qs, axis=axis)
