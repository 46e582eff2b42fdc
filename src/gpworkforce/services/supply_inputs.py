"""Supply inputs per practice: heads by role x age band, FTE per head, and where each came from.

One input shape serves every source, so a staff register (ages and roles per person) can feed the
same model later: heads [p, r, b] with a known age band, heads [p, r] of unknown age (drawn from
England's profile in the Monte Carlo, never shown as a practice's own ages), FTE per head [p, r]
and a source label per practice and role: ``published`` (NHS workforce age bands),
``estimate`` (England's age profile) or ``register`` (a practice's own staff register).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.frames import GP_AGE_BANDS, WORKFORCE_AGE_BANDS, WORKFORCE_STAFF
from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.reference.supply import SUPPLY_BANDS, SUPPLY_ROLES
from gpworkforce.services.national import NationalData

Array = NDArray[np.float64]
PUBLISHED, ESTIMATE, REGISTER = "published", "estimate", "register"
SOURCE_LABELS = (PUBLISHED, ESTIMATE, REGISTER)
ESTIMATE_NOTE = (
    "estimate: practices without age data take England's published age profile (GP: 23.4% of FTE aged 55+, "
    "GPonline Mar 2022 from NHS Digital; practice nurses: an assumption near the Queen's Nursing Institute's "
    "33.4% due to retire within 5 years), drawn afresh in each Monte Carlo draw"
)


@dataclass(frozen=True)
class SupplyInputs:
    """Heads and FTE per head of the supply roles for a set of practices (rows of ``practice_codes``)."""

    practice_codes: tuple[str, ...]
    known: Array  # [p, r, b] heads with a known age band
    unknown: Array  # [p, r] heads of unknown age
    fte_per_head: Array  # [p, r]
    fte: Array  # [p, r] FTE now
    source: NDArray[np.str_]  # [p, r] published | estimate | register
    has_age_data: NDArray[np.bool_]  # [p, r] some heads have a known age band

    def expected_heads(self, profile: Array) -> Array:
        """Heads [p, r, b] with unknown ages spread by ``profile`` [r, b] (for expected values)."""
        return self.known + self.unknown[..., None] * profile[None]

    def count(self, label: str) -> NDArray[np.intp]:
        """Practices [r] whose heads of each role come from ``label``."""
        return np.asarray((self.source == label).sum(axis=0), dtype=np.intp)


def _heads(total: Array, fte: Array, national_fte_per_head: float) -> Array:
    """Heads from the workforce table, else FTE / England's FTE per head (a head count is never zero
    where FTE is positive)."""
    est = np.where(fte > 0, fte / national_fte_per_head, 0.0)
    return np.where(np.isfinite(total) & ((total > 0) | (fte <= 0)), total, est)


def published_inputs(data: NationalData, rows: NDArray[np.intp]) -> SupplyInputs:
    """Inputs for the practices ``rows`` from the loaded national tables.

    GP (qualified, permanent): FTE from the workforce table; heads by age band from the detailed
    file's qualified permanent GPs, else the ``gp_age`` table (all GPs); heads in "unknown" age and
    every head of a practice without age data take England's profile. Practice nurses: FTE of the
    role; heads from the nurse headcount in proportion; ages from the detailed file's nurse age
    bands where loaded (``published``), else ``estimate``. See :func:`_role_ages`.
    """
    n, n_r, n_b = len(rows), len(SUPPLY_ROLES), len(SUPPLY_BANDS)
    fte = np.stack([data.fte[rows, ROLE_CODES.index(r)] for r in SUPPLY_ROLES], axis=1)
    heads_all = data.staff_headcount
    if heads_all.shape[0] != len(data.practices):
        heads_all = np.full((len(data.practices), len(WORKFORCE_STAFF)), np.nan)
    gp_staff_fte = data.fte_practice[:, ROLE_CODES.index("gp")]
    nurse_fte = data.fte_practice[:, [ROLE_CODES.index(r) for r in ("anp", "practice_nurse")]].sum(axis=1)
    staff_fte = {"gp": gp_staff_fte, "nurse": nurse_fte}
    per_head = []
    for role, staff in zip(SUPPLY_ROLES, ("gp", "nurse"), strict=True):
        hc = heads_all[:, WORKFORCE_STAFF.index(staff)]
        ok = np.isfinite(hc) & (hc > 0) & (staff_fte[staff] > 0)
        national = float(staff_fte[staff][ok].sum() / hc[ok].sum()) if ok.any() else 1.0
        ratio = np.where(ok, staff_fte[staff] / np.where(ok, hc, 1.0), national)
        per_head.append(np.minimum(ratio[rows], 2.0) if role == "gp" else ratio[rows])
    fte_per_head = np.maximum(np.stack(per_head, axis=1), 1e-6)
    heads = fte / fte_per_head
    known = np.zeros((n, n_r, n_b))
    has = np.zeros((n, n_r), dtype=bool)
    for j, (role, ages) in enumerate(zip(SUPPLY_ROLES, _role_ages(data, rows), strict=True)):
        bands, counted = ages
        has[:, j] = np.isfinite(bands).all(axis=1) & (counted > 0)
        # the age table counts the practice's own staff: its band shares apply to the practice-employed
        # heads; PCN-employed staff shared to the practice stay of unknown age (England's profile)
        share = np.divide(np.nan_to_num(bands), counted[:, None], out=np.zeros_like(bands), where=counted[:, None] > 0)
        own = np.minimum(data.fte_practice[rows, ROLE_CODES.index(role)] / fte_per_head[:, j], heads[:, j])
        known[:, j] = np.where(has[:, j : j + 1], share * own[:, None], 0.0)
    unknown = heads - known.sum(axis=2)
    source = np.where(has, PUBLISHED, ESTIMATE).astype(str)
    return SupplyInputs(
        practice_codes=tuple(data.practices["practice_code"].to_numpy()[rows]),
        known=known,
        unknown=np.maximum(unknown, 0.0),
        fte_per_head=fte_per_head,
        fte=fte,
        source=source,
        has_age_data=has,
    )


def _role_ages(data: NationalData, rows: NDArray[np.intp]) -> list[tuple[Array, Array]]:
    """Per supply role: headcount [p, SUPPLY_BANDS] by age band (NaN: no age data) and the headcount
    counted over every band, "unknown" included [p].

    GPs: the detailed file's qualified permanent GPs (the model's GP role: no registrars, no locums)
    where loaded, else the ``gp_age`` table (all GPs, the only GP ages before the detailed tables).
    Practice nurses: the detailed file's nurse ages (all nurse roles together, the only nurse ages it
    publishes; under 25 and 25-29 make the under-30 band); none otherwise."""
    n_all = len(data.practices)

    def table(ages: Array, width: int) -> Array:
        return ages[rows] if ages.shape[0] == n_all else np.full((len(rows), width), np.nan)

    all_gp = table(data.gp_age, len(GP_AGE_BANDS))
    qualified = table(data.gp_qualified_age, len(GP_AGE_BANDS))
    use = (np.nansum(qualified, axis=1) > 0)[:, None]
    gp = np.where(use, qualified, all_gp)
    nurse = table(data.nurse_age, len(WORKFORCE_AGE_BANDS))
    young = nurse[:, [WORKFORCE_AGE_BANDS.index("under_25"), WORKFORCE_AGE_BANDS.index("25_29")]]
    nurse_bands = np.column_stack(
        [young.sum(axis=1), nurse[:, [WORKFORCE_AGE_BANDS.index(b) for b in SUPPLY_BANDS[1:]]]]
    )
    return [
        (gp[:, [GP_AGE_BANDS.index(b) for b in SUPPLY_BANDS]], np.nansum(gp, axis=1)),
        (nurse_bands, np.nansum(nurse, axis=1)),
    ]


def integer_heads(inputs: SupplyInputs) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Whole heads for the person-level Monte Carlo: known cells and unknown totals rounded half up
    per practice and role, keeping each practice's total at its rounded head count."""
    total = np.floor(inputs.known.sum(axis=2) + inputs.unknown + 0.5)
    known = np.floor(inputs.known + 0.5)
    over = known.sum(axis=2) - total
    # drop any excess from the largest bands (rounding several halves up can overshoot)
    while (over > 0).any():
        top = known.argmax(axis=2)
        p, r = np.nonzero(over > 0)
        known[p, r, top[p, r]] -= 1
        over = known.sum(axis=2) - total
    return known.astype(np.int64), np.maximum(total - known.sum(axis=2), 0).astype(np.int64)


def age_band_of(birth_year: object, age_band: object, year: int) -> str | None:
    """The supply age band of a register entry: from the birth year (age reached in ``year``), else
    the band the register gives; None when neither is known (``unknown`` or blank)."""
    if birth_year is not None and not pd.isna(birth_year):  # type: ignore[call-overload]
        age = year - int(birth_year)  # type: ignore[call-overload]
        if age < 30:
            return SUPPLY_BANDS[0]
        if age >= 70:
            return SUPPLY_BANDS[-1]
        return SUPPLY_BANDS[1 + (age - 30) // 5]
    band = None if age_band is None or pd.isna(age_band) else str(age_band)  # type: ignore[call-overload]
    return band if band in SUPPLY_BANDS else None


def register_overlay(inputs: SupplyInputs, people: pd.DataFrame, year: int | None = None) -> SupplyInputs:
    """``inputs`` with practices that keep a staff register taking their supply roles from it.

    A register is the practice's whole list: heads by age band are its people in post (age from
    birth year, else age band; ``unknown`` stays unknown), FTE per head theirs, and the source
    ``register`` for every supply role (a role it lists no one in has no age data). FTE stays the
    capacity FTE (the register's plus any PCN share), the PCN share's heads of unknown age.
    """
    if people.empty:
        return inputs
    codes = pd.Index(inputs.practice_codes)
    on = people[people["practice_code"].isin(codes) & people["role"].isin(SUPPLY_ROLES)]
    with_register = codes.isin(pd.Index(people["practice_code"].unique()))
    if not with_register.any():
        return inputs
    year = year or datetime.now(UTC).year
    known, per_head = inputs.known.copy(), inputs.fte_per_head.copy()
    reg_heads = np.zeros_like(per_head)
    reg_fte = np.zeros_like(per_head)
    rows = np.flatnonzero(with_register)
    known[rows] = 0.0
    for person in on.to_dict("records"):
        p, r = codes.get_loc(person["practice_code"]), SUPPLY_ROLES.index(str(person["role"]))
        reg_heads[p, r] += 1
        reg_fte[p, r] += float(person["fte"])
        band = age_band_of(person["birth_year"], person["age_band"], year)
        if band is not None:
            known[p, r, SUPPLY_BANDS.index(band)] += 1
    listed = reg_heads > 0
    per_head = np.where(listed, np.maximum(reg_fte / np.where(listed, reg_heads, 1.0), 1e-6), per_head)
    heads = np.where(listed, np.maximum(inputs.fte / per_head, reg_heads), inputs.fte / per_head)
    mask = with_register[:, None]
    has = np.where(mask, known.sum(axis=2) > 0, inputs.has_age_data)
    source = np.where(mask, REGISTER, inputs.source).astype(str)
    unknown = np.where(mask, np.maximum(heads - known.sum(axis=2), 0.0), inputs.unknown)
    return replace(inputs, known=known, unknown=unknown, fte_per_head=per_head, source=source, has_age_data=has)


def practice_inputs(data: NationalData, rows: NDArray[np.intp]) -> SupplyInputs:
    """Inputs for ``rows``: :func:`published_inputs`, with register practices' own people
    (:func:`register_overlay`) where a staff register is kept."""
    return register_overlay(published_inputs(data, rows), data.register_people)
