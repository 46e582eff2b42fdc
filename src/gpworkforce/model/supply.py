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
expected values; :func:`simulate` the Monte Carlo: the hazard multiplier and the leaver rate are
drawn per draw, and within a draw each person's yearly Bernoulli trials (exit, then ageing) are
taken together as one outcome (the year and kind of leaving, or still in post) drawn from its exact
distribution (:func:`exit_probabilities`), one uniform per person and draw instead of one a year.
Its mean equals the expected projection when the parameter uncertainty is zero.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.sampling import guide_tables, lookup

Array = NDArray[np.float64]
#: Person-draws per Monte Carlo chunk (memory ~ 40 bytes each, besides the chunk's yearly totals).
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


#: Outcomes of one person over the projection, per year t = 1..years: retired (rest), other leaver,
#: retired (preset cohort); the last outcome (index 3 x years) is "still in post".
KINDS = 3


def exit_probabilities(mult: Array, leave: Array, params: SupplyParameters, years: int) -> Array:
    """Probability [d, 2, r, b0, 3 x years + 1] that a person of role r starting in band b0, outside (0)
    or inside (1) the preset's cohort, leaves in year t by kind (retired, other, cohort retirement),
    or is still in post after ``years``, in draw d (hazard multiplier mult [d], leaver rate leave [d, r]).

    The same flows as :func:`project_expected` applied to one head, with the age band's path
    summed out: the yearly Bernoulli trials of exit and ageing, taken together."""
    d = len(mult)
    n_r, n_b = params.hazard.shape
    hazard = np.minimum(params.hazard[None] * mult[:, None, None], 1.0)[:, :, None, :]  # [d, r, 1, b]
    rate = leave[:, :, None, None]
    eye = np.broadcast_to(np.eye(n_b), (d, n_r, n_b, n_b))  # [d, r, b0, b]
    out = np.zeros((d, 2, n_r, n_b, KINDS * years + 1))
    cohort_on = bool((params.cohort_bands & (params.cohort_share > 0)[:, None]).any()) and params.cohort_years > 0
    for c in (0, 1) if cohort_on else (0,):  # without a cohort, no one starts in it
        rest = eye.copy() if c == 0 else np.zeros_like(eye)
        cohort = eye.copy() if c == 1 else np.zeros_like(eye)
        for t in range(1, years + 1):
            r_rest = rest * hazard
            o_rest = rest * (1.0 - hazard) * rate
            r_coh = cohort * cohort_hazard(params.cohort_share, params.cohort_years, t)[None, :, None, None]
            rest = _age(rest - r_rest - o_rest, params.ageing)
            cohort = _age(cohort - r_coh, params.ageing)
            if t == params.cohort_years:
                rest, cohort = rest + cohort, np.zeros_like(cohort)
            k = KINDS * (t - 1)
            out[:, c, :, :, k] = r_rest.sum(axis=-1)
            out[:, c, :, :, k + 1] = o_rest.sum(axis=-1)
            out[:, c, :, :, k + 2] = r_coh.sum(axis=-1)
        out[:, c, :, :, -1] = (rest + cohort).sum(axis=-1)
    return out


def start_rows(mult: Array, leave: Array, profile: Array, params: SupplyParameters, years: int) -> Array:
    """Outcome probabilities [d, 2 r b + r, K] by start: (outside or inside the cohort, role, band),
    then each role with its band unknown (a mixture over the bands by ``profile`` [r, b])."""
    probs = exit_probabilities(mult, leave, params, years)  # [d, 2, r, b, K]
    d, _, n_r, n_b, n_k = probs.shape
    weights = profile / np.maximum(profile.sum(axis=1, keepdims=True), 1e-300)
    in_cohort = params.cohort_bands & (params.cohort_share > 0)[:, None]
    own = np.where(in_cohort[None, :, :, None], probs[:, 1], probs[:, 0])  # [d, r, b, K]
    mixed = np.einsum("rb,drbk->drk", weights, own)
    return np.concatenate([probs.reshape(d, 2 * n_r * n_b, n_k), mixed], axis=1)


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
    Per draw the hazard multiplier and the leaver rate are drawn; then each person gets one outcome
    (the year and kind of leaving, or still in post) from its exact distribution under them
    (:func:`start_rows`), one 32-bit uniform per person and draw (model/sampling.py).
    Reproducible: the same inputs and seed give the same figures (one child generator per chunk).
    """
    known = np.asarray(known, np.int64)
    p, n_r, n_b = known.shape
    group = np.zeros(p, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
    n_groups = int(group.max()) + 1 if p else 1
    root = np.random.default_rng(seed)
    mult, leave = draw_parameters(params, draws, root)
    # persons: practice x role, and start row (cohort x role x band; 2rb + role if the band is unknown)
    cells = np.arange(p * n_r * n_b)
    k_pr, k_b = np.repeat(cells // n_b, known.ravel()), np.repeat(cells % n_b, known.ravel())
    e_pr = np.repeat(np.arange(p * n_r), np.asarray(estimated, np.int64).ravel())
    in_cohort = params.cohort_bands & (params.cohort_share > 0)[:, None]
    k_r = k_pr % n_r
    start = np.concatenate([in_cohort[k_r, k_b] * (n_r * n_b) + k_r * n_b + k_b, 2 * n_r * n_b + e_pr % n_r])
    used, key = np.unique(start, return_inverse=True)
    rows = start_rows(mult, leave, profile, params, years)[:, used]  # [d, used, K]
    thresholds, table = guide_tables(rows.reshape(-1, rows.shape[-1]))
    pr = np.concatenate([k_pr, e_pr])
    cell = group[pr // n_r] * n_r + pr % n_r
    weight = np.asarray(fte_per_head, np.float64).ravel()[pr]
    size = n_groups * n_r
    step = max(1, CHUNK_CELLS // max(draws, 1))
    starts = list(range(0, len(pr), step)) or [0]
    rngs = root.spawn(len(starts))
    cohort_on = bool(in_cohort.any()) and params.cohort_years > 0

    def chunk(i: int) -> list[Array]:
        sl = slice(starts[i], starts[i] + step)
        return _leavers(
            rngs[i], key[sl], len(used), cell[sl], weight[sl], size, years, draws, thresholds, table, cohort_on
        )

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        parts = pool.map(chunk, range(len(starts)))
        totals = next(parts)
        for more in parts:  # in chunk order, so threads give the same sums
            for total, part in zip(totals, more, strict=True):
                total += part
    lost, lost_fte, retired, cohort = totals
    shape = (years, draws, n_groups, n_r)
    base_heads = np.bincount(cell, minlength=size).reshape(n_groups, n_r)
    base_fte = np.bincount(cell, weights=weight, minlength=size).reshape(n_groups, n_r)
    heads = np.empty((years + 1, draws, n_groups, n_r))
    fte = np.empty_like(heads)
    heads[0], fte[0] = base_heads, base_fte
    lost, lost_fte = lost.reshape(shape), lost_fte.reshape(shape)
    for t in range(1, years + 1):  # year by year: faster than a cumsum over the leading axis
        np.subtract(heads[t - 1], lost[t - 1], out=heads[t])
        np.subtract(fte[t - 1], lost_fte[t - 1], out=fte[t])
    np.maximum(fte, 0.0, out=fte)
    fte[1:] *= heads[1:] > 0  # rounding leaves no FTE without heads
    fte *= fte_factor(params.fte_drift, years)[:, None, None, :]
    return Simulation(
        heads=heads,
        fte=fte,
        retirements=retired.reshape(shape),
        cohort_retirements=cohort.reshape(shape),
    )


def _leavers(
    rng: np.random.Generator,
    key: NDArray[np.intp],
    n_keys: int,
    cell: NDArray[np.intp],
    weight: Array,
    size: int,
    years: int,
    draws: int,
    thresholds: NDArray[np.uint64],
    table: NDArray[Any],
    cohort_on: bool,
) -> list[Array]:
    """One chunk of persons: heads and FTE leaving, retirements and cohort retirements [t, d, cell]
    (flat) in year t = 1..years, from one outcome per person and draw."""
    n = len(key)
    bins = years * draws * size
    if n == 0:
        return [np.zeros(bins), np.zeros(bins), np.zeros(bins), np.zeros(bins)]
    u = rng.integers(0, 2**32, size=(draws, n), dtype=np.uint32)
    row = (np.arange(draws, dtype=np.intp) * n_keys)[:, None] + key[None, :]
    outcome = lookup(u, row, thresholds, table).ravel()
    del u, row
    gone = np.flatnonzero(outcome < thresholds.shape[1])  # the last outcome is "still in post"
    o = outcome[gone].astype(np.intp)
    del outcome
    year, kind = np.divmod(o, KINDS)
    draw, person = np.divmod(gone, n)
    at = (year * draws + draw) * size + cell[person]
    lost = _total(at, np.ones(len(at)), bins)
    lost_fte = _total(at, weight[person], bins)
    ret = at[kind != 1]
    retired = _total(ret, np.ones(len(ret)), bins)
    coh = at[kind == 2]
    cohort = _total(coh, np.ones(len(coh)), bins) if cohort_on else np.zeros(bins)
    return [lost, lost_fte, retired, cohort]


def _total(at: NDArray[np.intp], weights: Array, bins: int) -> Array:
    """Sum of ``weights`` by bin (weighted, so float64 at once: no second pass over the bins)."""
    return np.asarray(np.bincount(at, weights=weights, minlength=bins), dtype=np.float64)


def quantiles(x: Array, axis: int = 1, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> Array:
    """P10/P50/P90 (by default) over the draws axis; the quantile axis comes first."""
    return np.quantile(x, qs, axis=axis)
