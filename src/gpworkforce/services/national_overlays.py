"""What the people running practices know, laid over the published national arrays.

Two layers, applied in this order by ``services.versions``: a practice's staff register replaces
its own-staff FTE (:func:`apply_register`), then users' FTE corrections replace single roles
(:func:`apply_overrides`). Each copies only the [p, r] arrays it changes, so a new correction or
register entry costs milliseconds, not a rebuild of the national data.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.services.national import NationalData
from gpworkforce.services.practice_fte import FTE_SOURCE_OVERRIDE, FTE_SOURCE_REGISTER

__all__ = ["apply_overrides", "apply_register"]


def apply_register(base: NationalData, register: pd.DataFrame, people: pd.DataFrame | None = None) -> NationalData:
    """``base`` with the own-staff FTE of practices that keep a staff register taken from it.

    ``register`` is :func:`gpworkforce.services.register_fte.register_role_fte` (practice_code,
    role, fte). A register is the practice's whole list, so each listed practice's row of
    ``fte_practice`` is replaced outright (roles it lists no one in count 0), nothing of it is an
    estimate, and its source is ``register``; the PCN share is kept (PCN staff are on the PCN's
    list). Users' corrections still apply on top (:func:`apply_overrides`). ``people``
    (:func:`~gpworkforce.services.register_fte.register_people`) is kept as ``register_people``.
    """
    if people is not None and not people.empty:
        base = replace(base, register_people=people)
    if register.empty:
        return base
    order = pd.Index(base.practices["practice_code"])
    pos = order.get_indexer(pd.Index(register["practice_code"]))
    role = pd.Index(ROLE_CODES).get_indexer(pd.Index(register["role"]))
    rows = np.unique(pos[pos >= 0])
    fte_p, estimated, source = base.fte_practice.copy(), base.fte_estimated.copy(), base.fte_source.copy()
    fte_p[rows, :] = 0.0
    ok = (pos >= 0) & (role >= 0)
    np.add.at(fte_p, (pos[ok], role[ok]), register["fte"].to_numpy(dtype=float)[ok])
    estimated[rows, :] = False
    source = source.astype(object)
    source[rows] = FTE_SOURCE_REGISTER
    return replace(base, fte_practice=fte_p, fte_estimated=estimated, fte_source=source.astype(str))


def apply_overrides(base: NationalData, overrides: pd.DataFrame, fingerprint: str) -> NationalData:
    """``base`` with users' FTE corrections applied: each replaces the practice's whole FTE for
    that role (PCN share included). Cheap: copies two [p, r] arrays."""
    fte_p, fte_pcn = base.fte_practice.copy(), base.fte_pcn.copy()
    overridden = np.zeros_like(fte_p, dtype=bool)
    source = base.fte_source
    if not overrides.empty:
        order = pd.Index(base.practices["practice_code"])
        pos = order.get_indexer(pd.Index(overrides["practice_code"]))
        role = pd.Index(ROLE_CODES).get_indexer(pd.Index(overrides["role"]))
        ok = (pos >= 0) & (role >= 0)
        fte_p[pos[ok], role[ok]] = overrides["fte"].to_numpy(dtype=float)[ok]
        fte_pcn[pos[ok], role[ok]] = 0.0
        overridden[pos[ok], role[ok]] = True
        source = np.where(overridden.any(axis=1), FTE_SOURCE_OVERRIDE, source).astype(str)
    keep = [c for c in ("practice_code", "role", "fte", "updated_at", "corrected_by") if c in overrides.columns]
    return replace(
        base,
        fte_practice=fte_p,
        fte_pcn=fte_pcn,
        overridden=overridden,
        fte_source=source,
        fingerprint=fingerprint,
        corrections=overrides[keep].reset_index(drop=True),
    )
