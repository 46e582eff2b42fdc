"""The ICB / sub-ICB / PCN workforce table of local workforce strategies.

One row per organisation inside the chosen one (and a total row, and England): practices,
registered patients, GP headcount and how many are aged 55+ and 60+, GP FTE, and for each
role FTE, FTE per 1,000 patients and patients per FTE, with GP FTE against a user-set
standard (``gp_fte_per_1000_standard`` in reference/general.csv, 0.58 by default).

Roles (from the NHS detailed practice CSV, kind ``workforce_roles``):

* ``gp``: partners and salaried GPs, i.e. excluding registrars, retainers and locums;
* ``nurse``: all nurses, advanced nurse practitioners included; ``anp``; ``hca``;
* ``pharmacist``: practice pharmacists and advanced pharmacist practitioners.

Where the detailed file is not loaded, GP and nurse FTE come from the ``workforce`` dataset
(HEEC-derived or NHS totals; its GPs are qualified permanent GPs, retainers included) and say
so; the other roles and the age columns say "not loaded", never zero. Headcounts are summed
over practices, so a GP working in two practices counts twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from gpworkforce import store
from gpworkforce.model.benchmarks import fte_at_standard, fte_per_1000, fte_vs_standard, patients_per_fte
from gpworkforce.reference import load_reference

NOT_LOADED = "not loaded"
#: Table role -> roles of ``workforce_roles`` summed into it.
TABLE_ROLES: dict[str, tuple[str, ...]] = {
    "gp": ("gp_senior_partner", "gp_partner", "gp_salaried", "gp_salaried_by_other"),
    "nurse": ("nurse_all",),
    "anp": ("advanced_nurse_practitioner",),
    "hca": ("hca",),
    "pharmacist": ("pharmacist", "advanced_pharmacist"),
}
#: Table role -> staff group of the ``workforce`` dataset used where the detailed file is not loaded.
FALLBACK_STAFF = {"gp": "gp", "nurse": "nurse"}
#: ``--by`` level -> (code column, name column) of the practice mapping.
LEVELS: dict[str, tuple[str, str]] = {
    "icb": ("icb_code", "icb_name"),
    "sub_icb": ("sub_icb_code", "sub_icb_name"),
    "pcn": ("pcn_code", "pcn_name"),
    "practice": ("practice_code", "practice_name"),
}
_BELOW = {"england": "icb", "region": "icb", "icb": "sub_icb", "sub_icb": "pcn", "pcn": "practice", "group": "practice"}
_OLD_BANDS = {"55_plus": ("55_59", "60_64", "65_69", "70_plus"), "60_plus": ("60_64", "65_69", "70_plus")}


class UnknownOrganisationCode(ValueError):
    """No practice, PCN, sub-ICB, ICB or region of the loaded mapping has this code."""


@dataclass(frozen=True)
class WorkforceRow:
    """One organisation (or the total, or England). ``None`` = not available (see ``sources``)."""

    code: str
    name: str
    kind: str  # "organisation", "total" or "england"
    practices: int
    patients: float
    gp_headcount: float | None
    gp_headcount_55_plus: float | None
    gp_headcount_60_plus: float | None
    fte: dict[str, float | None]
    fte_per_1000: dict[str, float | None]
    patients_per_fte: dict[str, float | None]
    gp_fte_at_standard: float
    gp_fte_vs_standard: float | None


@dataclass(frozen=True)
class WorkforceTable:
    """The table for ``org_code`` by ``level``, with where each column came from."""

    org_code: str
    org_name: str
    level: str
    standard_per_1000: float
    rows: list[WorkforceRow]
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """Flat table for CSV/Excel; unavailable cells say "not loaded" (never zero)."""
        records = []
        for r in self.rows:
            rec: dict[str, object] = {
                "code": r.code,
                "name": r.name,
                "row": r.kind,
                "practices": r.practices,
                "patients": r.patients,
                "gp_headcount": r.gp_headcount,
                "gp_headcount_55_plus": r.gp_headcount_55_plus,
                "gp_headcount_60_plus": r.gp_headcount_60_plus,
            }
            for role in TABLE_ROLES:
                rec[f"{role}_fte"] = r.fte[role]
                rec[f"{role}_fte_per_1000"] = r.fte_per_1000[role]
                rec[f"patients_per_{role}_fte"] = r.patients_per_fte[role]
            rec["gp_fte_at_standard"] = r.gp_fte_at_standard
            rec["gp_fte_vs_standard"] = r.gp_fte_vs_standard
            records.append(rec)
        out = pd.DataFrame.from_records(records)
        for source, label in self.sources.items():
            if label == NOT_LOADED:
                for c in _columns_of(source):
                    out[c] = out[c].astype(object).where(out[c].notna(), NOT_LOADED)
        return out


def _columns_of(source: str) -> tuple[str, ...]:
    """The table columns a source (``sources`` key) fills."""
    if source == "gp_headcount":
        return ("gp_headcount", "gp_headcount_55_plus", "gp_headcount_60_plus")
    if source in TABLE_ROLES:
        extra = ("gp_fte_vs_standard",) if source == "gp" else ()
        return (f"{source}_fte", f"{source}_fte_per_1000", f"patients_per_{source}_fte", *extra)
    return ()


@dataclass(frozen=True)
class _Practices:
    """Per practice: mapping, patients, GP headcount by age, FTE by table role, and sources."""

    frame: pd.DataFrame
    sources: dict[str, str]
    notes: list[str]


def _latest(engine: Engine, kind: str) -> tuple[pd.DataFrame, str | None]:
    with store.session_scope(engine) as s:
        if not store.list_periods(s, kind):
            return store.empty_frame(kind), None
        return store.load_frame(s, kind)


def _sum_by_practice(frame: pd.DataFrame, value: str) -> pd.Series:
    return frame.groupby("practice_code")[value].sum(min_count=1)


def practice_workforce(engine: Engine) -> _Practices:
    """Every mapped practice with what the table needs; roles from the detailed file if loaded."""
    mapping, map_period = _latest(engine, "mapping")
    if mapping.empty:
        raise UnknownOrganisationCode("no practice mapping is loaded (gpworkforce init or import mapping)")
    patients, pat_period = _latest(engine, "patients")
    frame = mapping.set_index("practice_code")
    frame["patients"] = _sum_by_practice(patients, "patients").reindex(frame.index)
    sources = {"patients": f"registered patients {pat_period or NOT_LOADED}"}
    notes = [f"practices and organisations from the mapping of {map_period}"]

    ages, age_period = _latest(engine, "gp_age")
    if age_period is None:
        for c in ("gp_headcount", "gp_headcount_55_plus", "gp_headcount_60_plus"):
            frame[c] = np.nan
        sources["gp_headcount"] = NOT_LOADED
    else:
        frame["gp_headcount"] = _sum_by_practice(ages, "headcount").reindex(frame.index)
        for name, bands in _OLD_BANDS.items():
            older = ages[ages["age_band"].isin(bands)]
            frame[f"gp_headcount_{name}"] = _sum_by_practice(older, "headcount").reindex(frame.index)
        sources["gp_headcount"] = f"published (detailed) {age_period}: all GPs by age band"

    roles, roles_period = _latest(engine, "workforce_roles")
    staff, staff_period = _latest(engine, "workforce")
    for role, members in TABLE_ROLES.items():
        if roles_period is not None:
            chosen = roles[roles["role"].isin(members)]
            frame[f"{role}_fte"] = _sum_by_practice(chosen, "fte").reindex(frame.index)
            sources[role] = f"published (detailed) {roles_period}: {', '.join(members)}"
        elif role in FALLBACK_STAFF and (staff["staff"] == FALLBACK_STAFF.get(role)).any():
            chosen = staff[staff["staff"] == FALLBACK_STAFF[role]]
            frame[f"{role}_fte"] = _sum_by_practice(chosen, "fte").reindex(frame.index)
            what = "qualified permanent GPs, retainers included" if role == "gp" else "all nurses"
            sources[role] = f"workforce totals {staff_period} ({what}; detailed file not loaded)"
        else:
            frame[f"{role}_fte"] = np.nan
            sources[role] = NOT_LOADED
    return _Practices(frame.reset_index(), sources, notes)


def _level_of(mapping: pd.DataFrame, code: str, groups: pd.DataFrame) -> tuple[str, str, np.ndarray]:
    """(level, name, practice mask) of an organisation code in the mapping, or of a practice group."""
    key = code.strip().upper()
    if key in ("ENG", "ENGLAND"):
        return "england", "England", np.ones(len(mapping), dtype=bool)
    members = groups[groups["code"].str.upper() == key]
    if len(members):
        mask = mapping["practice_code"].isin(members["practice_code"]).to_numpy()
        if mask.any():
            return "group", str(members["name"].iat[0]), mask
    for level, (code_col, name_col) in (*LEVELS.items(), ("region", ("region_code", "region_name"))):
        mask = (mapping[code_col].astype(str).str.upper() == key).to_numpy()
        if mask.any():
            name = str(mapping.loc[mask, name_col].iloc[0] or key)
            return level, name, mask
    raise UnknownOrganisationCode(f"no practice, PCN, sub-ICB, ICB or region has the code {code!r}")


def _row(code: str, name: str, kind: str, part: pd.DataFrame, standard: float) -> WorkforceRow:
    patients = float(part["patients"].sum())

    def total(column: str) -> float | None:
        value = part[column].sum(min_count=1)
        return None if pd.isna(value) else float(value)

    fte = {role: total(f"{role}_fte") for role in TABLE_ROLES}
    per_1000 = {r: (None if v is None else float(fte_per_1000(np.array(v), patients))) for r, v in fte.items()}
    per_fte = {
        r: (None if v is None or v == 0 else float(patients_per_fte(np.array(v), patients))) for r, v in fte.items()
    }
    gp = fte["gp"]
    return WorkforceRow(
        code=code,
        name=name,
        kind=kind,
        practices=len(part),
        patients=patients,
        gp_headcount=total("gp_headcount"),
        gp_headcount_55_plus=total("gp_headcount_55_plus"),
        gp_headcount_60_plus=total("gp_headcount_60_plus"),
        fte=fte,
        fte_per_1000=per_1000,
        patients_per_fte=per_fte,
        gp_fte_at_standard=float(fte_at_standard(patients, standard)),
        gp_fte_vs_standard=None if gp is None else float(fte_vs_standard(gp, patients, standard)),
    )


def default_standard() -> float:
    """GP FTE per 1,000 patients of the reference (``gp_fte_per_1000_standard``)."""
    return float(load_reference().general["gp_fte_per_1000_standard"])


def workforce_table(
    engine: Engine, org_code: str, by: str | None = None, standard: float | None = None
) -> WorkforceTable:
    """The table for the organisations ``by`` level inside ``org_code`` (default: the level below)."""
    standard = default_standard() if standard is None else float(standard)
    if not np.isfinite(standard) or standard <= 0:
        raise ValueError(f"--standard must be a positive number of GP FTE per 1,000 patients, not {standard}")
    data = practice_workforce(engine)
    practices = data.frame
    with store.session_scope(engine) as session:
        groups = store.load_groups(session)
    level, name, mask = _level_of(practices, org_code, groups)
    by = (by or _BELOW.get(level, "practice")).replace("-", "_")
    if by not in LEVELS:
        raise ValueError(f"--by must be one of {', '.join(LEVELS)}, not {by!r}")
    inside = practices[mask]
    code_col, name_col = LEVELS[by]
    rows = []
    for code, part in inside.groupby(code_col, sort=True, dropna=False):
        label = part[name_col].dropna()
        rows.append(_row(str(code), str(label.iloc[0]) if len(label) else str(code), "organisation", part, standard))
    rows.append(_row(org_code.upper(), name, "total", inside, standard))
    rows.append(_row("ENG", "England", "england", practices, standard))
    notes = [
        *data.notes,
        (
            "GP FTE excludes registrars, retainers and locums (partners and salaried GPs)"
            if data.sources.get("gp", "").startswith("published")
            else "GP FTE are the workforce totals' qualified permanent GPs (retainers included; registrars and "
            "locums excluded): the detailed file, which separates retainers, is not loaded"
        ),
        "headcounts are summed over practices: a GP in two practices counts twice",
        f"standard: {standard} GP FTE per 1,000 patients (gp_fte_per_1000_standard, reference/general.csv)",
    ]
    return WorkforceTable(org_code.upper(), name, by, standard, rows, data.sources, notes)
