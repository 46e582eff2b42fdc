"""Versioned default parameters, every number with its source, and user overrides.

The CSV files beside this module are the defaults. A user file with the same columns as
one of them (its header says which) replaces the matching rows; anything it names that
the defaults do not know is refused with the file, row and column, so a misspelt role or
parameter can never be silently ignored.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.nomenclature import AGE_BANDS, NEED_CODES, ROLE_CODES, SEXES

HERE = Path(__file__).parent
Array = NDArray[np.float64]

#: table name -> (key columns, value column)
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "consultation_rates": (("age_band", "sex"), "rate"),
    "roles": (("role", "parameter"), "value"),
    "skills": (("role", "category"), "value"),
    "general": (("parameter",), "value"),
    "category_mix": (("category",), "appointment_share"),
    "staff_role_mix": (("staff", "role"), "share"),
}
#: Tables whose user files may add rows the defaults lack (other tables only replace rows).
EXTENSIBLE = ("skills", "staff_role_mix")
ROLE_PARAMETERS = ("minutes", "patient_facing_share", "weeks_worked", "hourly_cost")


class ReferenceError(ValueError):
    """A user reference file that cannot be applied; the message names file, row and column."""


@dataclass(frozen=True)
class Reference:
    """Reference parameters as arrays in nomenclature order, plus the source tables."""

    rates: Array  # [a, s] consultations per person-year
    minutes: Array  # [r]
    patient_facing: Array  # [r]
    weeks_worked: Array  # [r]
    hourly_cost: Array  # [r] GBP per paid hour
    skills: Array  # [r, c]
    category_share: Array  # [c]
    gp_share: Array  # [c]
    general: dict[str, float]
    #: Workforce staff groups (order of ``staff_role_mix.csv``) and each one's role mix [s, r];
    #: rows sum to 1.
    staff_groups: tuple[str, ...]
    staff_mix: Array
    tables: dict[str, pd.DataFrame] = field(repr=False)
    overrides: tuple[str, ...] = ()
    #: Content digest of every table (after overrides): two references with equal digests give
    #: equal figures, so caches key on it rather than on the object.
    digest: str = ""


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / f"{name}.csv", dtype=str, keep_default_na=False)


@functools.cache
def import_ranges() -> dict[tuple[str, str], tuple[float, float, str]]:
    """Plausible range of each imported number: (kind, measure) -> (low, high, unit).

    Why: a damaged file (``1e308`` as an FTE) must be refused at import rather than stored;
    the bounds, each with its source, live in ``import_ranges.csv`` beside the defaults.
    """
    table = _read("import_ranges")
    return {
        (kind, measure): (float(low), float(high), unit)
        for kind, measure, low, high, unit in zip(
            table["kind"], table["measure"], table["low"], table["high"], table["unit"], strict=True
        )
    }


def _table_of(frame: pd.DataFrame) -> str | None:
    cols = set(frame.columns)
    for name, (keys, value) in TABLES.items():
        if set(keys) | {value} <= cols and (name != "general" or "role" not in cols):
            return name
    return None


def apply_override(tables: dict[str, pd.DataFrame], path: Path) -> str:
    """Merge one user file into ``tables`` in place; returns the table name it replaced rows in."""
    try:
        user = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReferenceError(f"{path.name}: cannot read as CSV ({exc})") from exc
    name = _table_of(user)
    if name is None:
        known = "; ".join(f"{n}: {', '.join((*k, v))}" for n, (k, v) in TABLES.items())
        raise ReferenceError(f"{path.name}: row 1: header {list(user.columns)} matches no reference table ({known})")
    keys, value = TABLES[name]
    base = tables[name]
    index = {tuple(row): i for i, row in enumerate(base[list(keys)].itertuples(index=False, name=None))}
    valid = {"role": set(ROLE_CODES), "category": set(NEED_CODES), "age_band": set(AGE_BANDS), "sex": set(SEXES)}
    if "staff" in base.columns:
        valid["staff"] = set(base["staff"])
    out = base.copy()
    for i, row in enumerate(user.to_dict("records"), start=2):
        for col in keys:
            if col in valid and row[col] not in valid[col]:
                raise ReferenceError(f"{path.name}: row {i}, column {col}: unknown value {row[col]!r}")
        try:
            number = float(row[value])
        except ValueError:
            raise ReferenceError(f"{path.name}: row {i}, column {value}: {row[value]!r} is not a number") from None
        if number < 0 or not np.isfinite(number):
            raise ReferenceError(f"{path.name}: row {i}, column {value}: must be a finite number >= 0")
        key = tuple(row[k] for k in keys)
        if key in index:
            out.loc[index[key], value] = row[value]
            if "source" in out.columns:
                out.loc[index[key], "source"] = row.get("source") or f"user override ({path.name})"
        elif name in EXTENSIBLE:
            out = pd.concat(
                [out, pd.DataFrame([{**row, "source": row.get("source") or f"user override ({path.name})"}])]
            )
        else:
            raise ReferenceError(f"{path.name}: row {i}, column {keys[-1]}: {key!r} is not a known {name} entry")
    tables[name] = out.reset_index(drop=True)
    return name


def load_reference(overrides: list[Path] | tuple[Path, ...] = ()) -> Reference:
    """Load the defaults and apply the user's override files in order."""
    tables = {name: _read(name) for name in TABLES}
    applied = tuple(f"{apply_override(tables, Path(p))}: {Path(p).name}" for p in overrides)

    rates = np.zeros((len(AGE_BANDS), len(SEXES)))
    cr = tables["consultation_rates"]
    for band, sex, rate in cr[["age_band", "sex", "rate"]].itertuples(index=False):
        rates[AGE_BANDS.index(band), SEXES.index(sex)] = float(rate)
    if (rates <= 0).any():
        raise ReferenceError("consultation_rates: every age band and sex needs a positive rate")

    roles = tables["roles"]
    per_role = {p: np.zeros(len(ROLE_CODES)) for p in ROLE_PARAMETERS}
    for role, param, value in roles[["role", "parameter", "value"]].itertuples(index=False):
        per_role[param][ROLE_CODES.index(role)] = float(value)

    skills = np.zeros((len(ROLE_CODES), len(NEED_CODES)))
    for role, cat, value in tables["skills"][["role", "category", "value"]].itertuples(index=False):
        v = float(value)
        if v > 1:
            raise ReferenceError(f"skills: {role}/{cat} = {v} must be between 0 and 1")
        skills[ROLE_CODES.index(role), NEED_CODES.index(cat)] = v

    mix = tables["category_mix"].set_index("category").reindex(list(NEED_CODES))
    share = mix["appointment_share"].astype(float).to_numpy()
    general = {r["parameter"]: float(r["value"]) for r in tables["general"].to_dict("records")}
    staff_groups, staff_mix = _staff_mix(tables["staff_role_mix"], applied)
    return Reference(
        rates=rates,
        minutes=per_role["minutes"],
        patient_facing=per_role["patient_facing_share"],
        weeks_worked=per_role["weeks_worked"],
        hourly_cost=per_role["hourly_cost"],
        skills=skills,
        category_share=share / share.sum(),
        gp_share=np.asarray(mix["gp_share"].astype(float).to_numpy(), dtype=np.float64),
        general=general,
        staff_groups=staff_groups,
        staff_mix=staff_mix,
        tables=tables,
        overrides=applied,
        digest=_digest(tables),
    )


def _staff_mix(table: pd.DataFrame, applied: tuple[str, ...]) -> tuple[tuple[str, ...], Array]:
    """Role mix [s, r] of each workforce staff group; each group's shares must add up to 1."""
    groups = tuple(dict.fromkeys(table["staff"]))
    mix = np.zeros((len(groups), len(ROLE_CODES)))
    for staff, role, share in table[["staff", "role", "share"]].itertuples(index=False):
        mix[groups.index(staff), ROLE_CODES.index(role)] += float(share)
    for staff, total in zip(groups, mix.sum(axis=1), strict=True):
        if abs(total - 1.0) > 1e-6:
            files = f" (after {', '.join(applied)})" if applied else ""
            raise ReferenceError(
                f"staff_role_mix{files}: column share: the shares of staff group {staff!r} add up to {total:g}, not 1"
            )
    return groups, mix


def _digest(tables: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in sorted(tables):
        h.update(name.encode())
        h.update(tables[name].to_csv(index=False).encode())
    return h.hexdigest()[:16]


@functools.cache
def register_roles() -> pd.DataFrame:
    """The staff register's role list: role -> NHS England staff group and the PCN file's
    ``STAFF_ROLE`` values (``;``-separated), each row with its source (``register_roles.csv``).

    Why data, not code: the staff-group mapping decides which capacity FTE a register role
    becomes, so it is reviewable beside the other sourced parameters.
    """
    table = _read("register_roles")
    unknown = sorted(set(table["role"]) - set(ROLE_CODES))
    if unknown or list(table["role"]) != list(ROLE_CODES):
        raise ReferenceError(f"register_roles.csv must list the roles of nomenclature.ROLES in order; got {unknown}")
    return table
