"""Categorical draws in bulk: one 32-bit uniform per draw, read through a guide table.

Each row of a probability table [rows, K] becomes K - 1 integer thresholds (cumulative
probability x 2**32, rounded); the outcome of a uniform u is the number of thresholds <= u, so
outcome k has probability (T[k] - T[k - 1]) / 2**32, within 2**-32 of the row's own. A guide
table of 2**BUCKET_BITS buckets per row gives that count from u's top bits in one lookup; only
where a threshold falls inside u's bucket (at most K - 1 buckets of a row) are the thresholds read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

BUCKET_BITS = 10


def guide_tables(probs: NDArray[np.float64]) -> tuple[NDArray[np.uint64], NDArray[Any]]:
    """Thresholds [rows, K - 1] in units of 2**-32 and the guide table [rows, 2**BUCKET_BITS]: each
    bucket's outcome at its lowest u, plus a flag (128, or 32768 when K >= 128) where a threshold
    falls inside the bucket. Rows are normalised to sum to 1."""
    rows, k = probs.shape
    cum = np.cumsum(probs[:, :-1], axis=1) / np.maximum(probs.sum(axis=1, keepdims=True), 1e-300)
    thresholds = np.round(np.clip(cum, 0.0, 1.0) * 2.0**32).astype(np.uint64)
    nb = 1 << BUCKET_BITS
    shift = np.uint64(32 - BUCKET_BITS)
    width = np.uint64(1) << shift
    first = (thresholds + width - np.uint64(1)) >> shift  # first bucket whose lowest u is at or past it
    at = (np.arange(rows)[:, None] * (nb + 1) + np.minimum(first, nb).astype(np.intp)).ravel()
    counts = np.bincount(at, minlength=rows * (nb + 1)).reshape(rows, nb + 1)[:, :nb]
    dtype, flag = (np.uint8, 128) if k < 128 else (np.uint16, 32768)
    table = np.cumsum(counts, axis=1, dtype=dtype)
    inside = (thresholds & (width - np.uint64(1))) != 0
    r, c = np.nonzero(inside & ((thresholds >> shift) < nb))
    table[r, (thresholds[r, c] >> shift).astype(np.intp)] |= dtype(flag)
    return thresholds, table


def lookup(
    u: NDArray[np.uint32], row: NDArray[Any], thresholds: NDArray[np.uint64], table: NDArray[Any]
) -> NDArray[Any]:
    """Outcome of each uniform ``u`` (uint32) in its ``row`` (same shape): the number of the row's
    thresholds <= u, as the table's dtype."""
    n_k = thresholds.shape[1] + 1
    flag = 128 if table.dtype == np.uint8 else 32768
    outcome = table.ravel().take(row * (1 << BUCKET_BITS) + (u >> np.uint32(32 - BUCKET_BITS)))
    hard = np.flatnonzero(outcome >= flag)
    if len(hard):
        r = np.ravel(row)[hard]
        o = (outcome.ravel()[hard] - flag).astype(np.intp)
        uh = u.ravel()[hard].astype(np.uint64)
        todo = np.arange(len(hard))
        while len(todo):
            on = (o[todo] < n_k - 1) & (thresholds[r[todo], np.minimum(o[todo], n_k - 2)] <= uh[todo])
            todo = todo[on]
            o[todo] += 1
        outcome.ravel()[hard] = o
    return outcome
