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

    def chunk(i: int) -> tuple[Array, Array, Array, Array]:
        sl = slice(starts[i], starts[i] + step)
        return _simulate_chunk(
            rngs[i], practice[sl], role[sl], band[sl], group, n_groups, r, b, fte_per_head, cdf,
            params, years, mult, leave, factor,
        )  # fmt: skip

    out = [np.zeros(shape) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for part in pool.map(chunk, range(len(starts))):
            for acc, x in zip(out, part, strict=True):
                acc += x
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
) -> tuple[Array, Array, Array, Array]:
    d, n = len(mult), len(practice)
    shape = (years + 1, d, n_groups, n_roles)
    acc = [np.zeros(shape) for _ in range(4)]
    if n == 0:
        return acc[0], acc[1], acc[2], acc[3]
    band = np.broadcast_to(band0, (d, n)).astype(np.int16)
    unknown = band0 < 0
    if unknown.any():
        u = rng.random((d, int(unknown.sum())))
        drawn = (u[..., None] > cdf[role[unknown]][None]).sum(axis=-1)
        band[:, unknown] = np.minimum(drawn, n_bands - 1)
    in_cohort = (params.cohort_share[role] > 0)[None, :] & params.cohort_bands[role[None, :], band]
    alive = np.ones((d, n), dtype=bool)
    cell = (group[practice] * n_roles + role)[None, :] + (np.arange(d) * n_groups * n_roles)[:, None]
    weight = fte_per_head[practice, role]
    size = d * n_groups * n_roles
    hazard = (params.hazard * 1.0).astype(np.float32)
    ageing = np.asarray(params.ageing, dtype=np.float32)
    m = mult.astype(np.float32)[:, None]
    lv = leave.astype(np.float32)[:, role]

    def add(t: int, k: int, mask: NDArray[np.bool_], w: Array | None = None) -> None:
        ww = mask.astype(np.float64) if w is None else np.where(mask, w[None, :], 0.0)
        acc[k][t] += np.bincount(cell.ravel(), weights=ww.ravel(), minlength=size).reshape(shape[1:])

    add(0, 0, alive)
    add(0, 1, alive, weight * factor[0, role])
    for t in range(1, years + 1):
        u = rng.random((d, n), dtype=np.float32)
        h = np.minimum(hazard[role[None, :], band] * m, 1.0)
        c = cohort_hazard(params.cohort_share, params.cohort_years, t).astype(np.float32)[role][None, :]
        p_ret = np.where(in_cohort, c, h)
        p_out = np.where(in_cohort, p_ret, p_ret + (1 - h) * lv)
        retire = alive & (u < p_ret)
        cohort_retire = retire & in_cohort
        alive &= ~(u < p_out)
        up = rng.random((d, n), dtype=np.float32) < ageing[band]
        band = band + (up & alive)
        if t == params.cohort_years:
            in_cohort = np.zeros_like(in_cohort)
        add(t, 0, alive)
        add(t, 1, alive, weight * factor[t, role])
        add(t, 2, retire)
        add(t, 3, cohort_retire)
    return acc[0], acc[1], acc[2], acc[3]


def quantiles(x: Array, axis: int = 1, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> Array:
    """P10/P50/P90 (by default) over the draws axis; the quantile axis comes first."""
    return np.quantile(x, qs, axis=axis)
