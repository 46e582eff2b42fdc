"""Everything the model needs for all of England, as aligned arrays, read once from the store.

One ``NationalData`` holds every practice in the latest mapping in a fixed order; all
per-practice arrays share that order, so organisation queries are index masks and group
sums rather than database round trips. The dataset part is cached per engine
(``store.cache``) and on disk, keyed by a fingerprint of the datasets; ``services.versions``
applies users' FTE corrections on top and says which version is current.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy.engine import Engine

from gpworkforce import store
from gpworkforce.frames import GP_AGE_BANDS, WORKFORCE_AGE_BANDS, WORKFORCE_STAFF
from gpworkforce.model.workforce import pcn_fte_by_practice
from gpworkforce.nomenclature import AGE_BANDS, ROLE_BY_CODE, ROLE_CODES, SEXES, STAFF_GROUPS, UNALLOCATED_PCN
from gpworkforce.reference import Reference
from gpworkforce.services.code_history import HistorySources, load_history_sources
from gpworkforce.services.practice_fte import (
    ESTIMATE_METHOD,
    STAFF_LABELS,
    estimated_shown,
    mix_note,
    practice_fte,
    source_labels,
)
from gpworkforce.store.aggregates import load_totals

Array = NDArray[np.float64]

WORKFORCE_NOTE = (
    "FTE by staff group are yearly averages of NHS England's GP workforce statistics, derived by a third "
    "party (Health Equity Evidence Centre), not an NHS publication"
)
PCN_NOTE = "PCN-employed staff (PCN workforce census) are shared across each PCN's practices by list size"

#: QOF registers counted in the morbidity covariate (long-term conditions with a register).
LTC_GROUPS = (
    "AF",
    "AST",
    "CAN",
    "CHD",
    "CKD",
    "COPD",
    "DEM",
    "DEP",
    "DM",
    "EP",
    "HF",
    "HYP",
    "LD",
    "MH",
    "NDH",
    "OB",
    "OST",
    "PAD",
    "PC",
    "RA",
    "STIA",
)
COVARIATES = ("imd_score", "ltc_prevalence")

#: What the model needs of the appointment tables, summed by the database.
APPOINTMENT_KEYS = ("practice_code", "hcp_type", "category", "status")
SERIES_KEYS = ("month", "sub_icb_code", "hcp_type", "status")

LEVEL_COLUMNS = {
    "practice": ("practice_code", "practice_name"),
    "pcn": ("pcn_code", "pcn_name"),
    "sub_icb": ("sub_icb_code", "sub_icb_name"),
    "icb": ("icb_code", "icb_name"),
    "region": ("region_code", "region_name"),
}


class DataMissingError(LookupError):
    """The database lacks a dataset this question needs (e.g. no patients imported yet)."""


@dataclass
class NationalData:
    """All practices with aligned arrays; ``practices`` row i is model index i."""

    practices: pd.DataFrame
    patients: Array  # [p, a, s]
    periods: dict[str, str | None]
    fte_practice: Array  # [p, r] practice-employed (or corrected) FTE
    fte_pcn: Array  # [p, r] share of PCN-employed FTE
    fte_source: NDArray[np.str_]  # [p] workforce | estimate | user correction (any role corrected)
    overridden: NDArray[np.bool_]  # [p, r]
    #: Staff groups [p, s] estimated because the workforce table had no value (order of
    #: ``staff_groups``; a corrected group stays flagged here, see :meth:`estimated_groups`).
    fte_estimated: NDArray[np.bool_]
    staff_groups: tuple[str, ...]
    staff_mix: Array  # [s, r] role mix each staff group was split by
    covariates: Array  # [p, k] raw values (NaN where unknown)
    observed_month: Array  # [p] appointments in the practice-level month (NaN where absent)
    appointments: pd.DataFrame  # practice-level appointments summed by APPOINTMENT_KEYS, may be empty
    subicb_series: pd.DataFrame  # national series summed by SERIES_KEYS, may be empty
    projection: pd.DataFrame  # ONS projection (canonical), may be empty
    workforce_history: pd.DataFrame  # practice x year GP FTE history where loaded
    code_sources: HistorySources | None = None  # older mappings and practice codes seen (old codes)
    notes: list[str] = field(default_factory=list)
    fingerprint: str = ""
    #: Users' FTE corrections in force: practice_code, role, fte, updated_at (UTC) and
    #: corrected_by (role and organisation of who made it, never an email address).
    corrections: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Integer group index per practice and the group codes, by level (see :meth:`groups`).
    group_index: dict[str, tuple[NDArray[np.intp], pd.Index]] = field(default_factory=dict, repr=False)
    #: GP headcount by age band [p, GP_AGE_BANDS] from the ``gp_age`` table; NaN where a practice
    #: has no age data (never guessed here; see services/supply_inputs.py).
    gp_age: Array = field(default_factory=lambda: np.zeros((0, len(GP_AGE_BANDS))), repr=False)
    #: Headcount by age band from the detailed file's ``workforce_age`` table, NaN where a practice has
    #: none: qualified permanent GPs [p, GP_AGE_BANDS] (the supply model's GP role) and nurses of every
    #: role [p, WORKFORCE_AGE_BANDS] (the file gives nurse ages only for all nurses together).
    gp_qualified_age: Array = field(default_factory=lambda: np.zeros((0, len(GP_AGE_BANDS))), repr=False)
    nurse_age: Array = field(default_factory=lambda: np.zeros((0, len(WORKFORCE_AGE_BANDS))), repr=False)
    #: Headcount by workforce staff group [p, WORKFORCE_STAFF] from the workforce table; NaN where absent.
    staff_headcount: Array = field(default_factory=lambda: np.zeros((0, len(WORKFORCE_STAFF))), repr=False)
    #: People in post on staff registers this month: practice_code, role, fte, birth_year, age_band
    #: (services.register_fte.register_people); retirement risk and supply take their ages.
    register_people: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def fte(self) -> Array:
        """FTE by role [p, r] used for capacity: practice staff plus the PCN share."""
        return self.fte_practice + self.fte_pcn

    def fte_of(self, rows: NDArray[np.intp]) -> Array:
        """:attr:`fte` for ``rows`` only (without summing the whole country first)."""
        return self.fte_practice[rows] + self.fte_pcn[rows]

    def estimated_groups(self) -> NDArray[np.bool_]:
        """Staff groups [p, s] whose FTE is an estimate that no user correction replaced."""
        return estimated_shown(self.fte_estimated, self.overridden, self.staff_mix)

    def fte_source_labels(self) -> NDArray[np.str_]:
        """Per practice, e.g. ``workforce; nurse, DPC estimated``."""
        return source_labels(self.fte_source, self.estimated_groups(), self.staff_groups)

    def groups(self, level: str) -> tuple[NDArray[np.intp], pd.Index]:
        """Integer group index per practice for ``level`` and the group codes (built with the data).

        Practices in the unallocated PCN ``U`` get -1 at PCN level: it is not a real PCN.
        """
        return self.group_index[level]


def _group_index(practices: pd.DataFrame) -> dict[str, tuple[NDArray[np.intp], pd.Index]]:
    out = {}
    for level, (col, _) in LEVEL_COLUMNS.items():
        codes = practices[col].fillna("")
        idx, uniques = pd.factorize(codes, sort=True)
        if level == "pcn":
            bad = uniques.get_indexer(pd.Index([UNALLOCATED_PCN, ""]))
            for b in bad[bad >= 0]:
                idx = np.where(idx == b, -1, idx)
        out[level] = (idx.astype(np.intp), pd.Index(uniques))
    return out


def _pivot_patients(frame: pd.DataFrame, order: pd.Index) -> Array:
    a = pd.Categorical(frame["age_band"], categories=list(AGE_BANDS)).codes
    s = pd.Categorical(frame["sex"], categories=list(SEXES)).codes
    p = order.get_indexer(pd.Index(frame["practice_code"]))
    ok = (p >= 0) & (a >= 0) & (s >= 0)
    out = np.zeros((len(order), len(AGE_BANDS), len(SEXES)))
    np.add.at(out, (p[ok], a[ok], s[ok]), frame["patients"].to_numpy(dtype=float)[ok])
    return out


def _pcn_fte(pcn: pd.DataFrame, practices: pd.DataFrame, list_size: Array) -> tuple[Array, float]:
    """Share each PCN's staff across its practices by list size; returns (fte, unmatched FTE)."""
    out = np.zeros((len(practices), len(ROLE_CODES)))
    if pcn.empty:
        return out, 0.0
    codes = practices["pcn_code"].fillna("").to_numpy()
    by_pcn = pcn.pivot_table(index="pcn_code", columns="role", values="fte", aggfunc="sum", fill_value=0.0)
    by_pcn = by_pcn.reindex(columns=list(ROLE_CODES), fill_value=0.0)
    # PCN index of each practice among those with staff; the unallocated code U is no network
    group = np.where(codes == UNALLOCATED_PCN, -1, by_pcn.index.get_indexer(pd.Index(codes))).astype(np.intp)
    out = pcn_fte_by_practice(by_pcn.to_numpy(dtype=float), group, list_size)
    unmatched = float(by_pcn.loc[~by_pcn.index.isin(pd.Index(codes))].to_numpy().sum())
    return out, unmatched


def _covariates(imd: pd.DataFrame, qof: pd.DataFrame, order: pd.Index) -> Array:
    cov = np.full((len(order), len(COVARIATES)), np.nan)
    if not imd.empty:
        cov[:, 0] = imd.set_index("practice_code")["imd_score"].reindex(order).to_numpy(dtype=float)
    if not qof.empty:
        q = qof[qof["group_code"].isin(LTC_GROUPS) & (qof["list_size"] > 0)]
        prev = (q["register"] / q["list_size"]).groupby(q["practice_code"]).sum()
        cov[:, 1] = prev.reindex(order).to_numpy(dtype=float)
    return cov


def build_national(engine: Engine, ref: Reference) -> NationalData:
    """Read every dataset the model uses and align it on the latest practice mapping.

    Users' FTE corrections are not applied here (see ``apply_overrides``), so a correction
    does not cost a rebuild of everything else.
    """
    with store.session_scope(engine) as s:
        fingerprint = datasets_fingerprint(s)
        frames = {}
        periods: dict[str, str | None] = {}
        kinds = ("mapping", "patients", "workforce", "workforce_roles", "pcn_workforce", "imd", "qof")
        for kind in (*kinds, "population_projection", "gp_age", "workforce_age"):
            frames[kind], periods[kind] = store.load_frame(s, kind)
        frames["appointments"], periods["appointments"] = load_totals(s, "appointments", APPOINTMENT_KEYS)
        frames["subicb_appointments"], periods["subicb_appointments"] = load_totals(
            s, "subicb_appointments", SERIES_KEYS
        )
        history = _workforce_history(s)
        code_sources = load_history_sources(s, periods["mapping"], history)
    mapping, patients_f = frames["mapping"], frames["patients"]
    if patients_f.empty:
        raise DataMissingError(
            "no registered-patients data: run `gpworkforce init` or `gpworkforce import patients FILE`"
        )
    practices = _practice_table(mapping, patients_f)
    order = pd.Index(practices["practice_code"])
    patients = _pivot_patients(patients_f, order)
    list_size = patients.sum(axis=(1, 2))
    practices["patients"] = list_size
    notes: list[str] = []

    own = practice_fte(frames["workforce"], practices, list_size, ref, frames["workforce_roles"])
    fte_p, source = own.fte, own.source
    if own.detailed is not None and own.detailed.any():
        notes.append(
            f"{int(own.detailed.any(axis=1).sum()):,} practices' nurse and DPC FTE split by their own roles, "
            f"published (detailed) {periods['workforce_roles']}; the others by England's mix"
        )
    if not frames["workforce"].empty:
        notes.append(f"{WORKFORCE_NOTE} ({periods['workforce']})")
        counts = own.estimated.sum(axis=0)
        if counts.any():
            listed = ", ".join(
                f"{STAFF_LABELS.get(g, g)} {int(n):,}" for g, n in zip(ref.staff_groups, counts, strict=True) if n
            )
            notes.append(f"practices with estimated FTE in England by staff group: {listed} ({ESTIMATE_METHOD})")
        mixed = mix_note(ref)
        if mixed:
            notes.append(mixed)
    else:
        notes.append("no workforce data loaded: capacity is zero until FTE is imported or corrected")
    fte_pcn, unmatched = _pcn_fte(frames["pcn_workforce"], practices, list_size)
    if not frames["pcn_workforce"].empty:
        notes.append(f"{PCN_NOTE} ({periods['pcn_workforce']})")
        if unmatched > 0:
            notes.append(
                f"{unmatched:,.1f} PCN FTE belong to PCN codes not in the practice mapping and are not counted"
            )

    overridden = np.zeros_like(fte_p, dtype=bool)
    appts = frames["appointments"]
    observed = np.full(len(order), np.nan)
    if not appts.empty:
        tot = appts.groupby("practice_code")["appointments"].sum()
        observed = tot.reindex(order).to_numpy(dtype=float)
    return NationalData(
        practices=practices,
        patients=patients,
        periods=periods,
        fte_practice=fte_p,
        fte_pcn=fte_pcn,
        fte_source=source,
        overridden=overridden,
        fte_estimated=own.estimated,
        staff_groups=ref.staff_groups,
        staff_mix=ref.staff_mix,
        covariates=_covariates(frames["imd"], frames["qof"], order),
        observed_month=observed,
        appointments=appts,
        subicb_series=frames["subicb_appointments"],
        projection=frames["population_projection"],
        workforce_history=history,
        code_sources=code_sources,
        notes=notes,
        fingerprint=fingerprint,
        group_index=_group_index(practices),
        gp_age=_wide(frames["gp_age"], order, "age_band", GP_AGE_BANDS, "headcount", fill=True),
        gp_qualified_age=_group_ages(frames["workforce_age"], order, "gp_qualified", GP_AGE_BANDS),
        nurse_age=_group_ages(frames["workforce_age"], order, "nurse", WORKFORCE_AGE_BANDS),
        staff_headcount=_wide(frames["workforce"], order, "staff", WORKFORCE_STAFF, "headcount"),
    )


def _group_ages(frame: pd.DataFrame, order: pd.Index, group: str, bands: tuple[str, ...]) -> Array:
    """Headcount by age band [p, bands] of one staff group of the ``workforce_age`` frame."""
    if frame.empty or "staff_group" not in frame.columns:
        return np.full((len(order), len(bands)), np.nan)
    return _wide(frame[frame["staff_group"] == group], order, "age_band", bands, "headcount", fill=True)


def _wide(
    frame: pd.DataFrame, order: pd.Index, column: str, codes: tuple[str, ...], value: str, fill: bool = False
) -> Array:
    """A long frame as [p, codes] in practice order; NaN where a practice has no row at all (and,
    unless ``fill``, where its value is missing)."""
    if frame.empty or value not in frame.columns:
        return np.full((len(order), len(codes)), np.nan)
    keys = [frame["practice_code"].astype(str), frame[column].astype(str)]
    wide = frame[value].astype(float).groupby(keys).sum(min_count=1).unstack()
    out = np.array(wide.reindex(index=order, columns=list(codes)).to_numpy(dtype=float))
    if fill:
        seen = order.isin(pd.Index(frame["practice_code"].unique()))
        out[seen] = np.nan_to_num(out[seen], nan=0.0)
    return out


def datasets_fingerprint(session: Any) -> str:
    """A token for the loaded datasets only (not FTE corrections): what ``build_national`` reads."""
    frame = store.list_datasets(session)
    text = "|".join(
        f"{i}:{k}:{p}:{r}" for i, k, p, r in frame[["id", "kind", "period", "rows"]].itertuples(index=False)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _workforce_history(session: object) -> pd.DataFrame:
    """GP and all-staff FTE by practice for every loaded workforce period (for trends)."""
    periods = store.list_periods(session, "workforce")  # type: ignore[arg-type]
    parts = []
    for period in periods:
        frame, _ = store.load_frame(session, "workforce", period)  # type: ignore[arg-type]
        parts.append(frame.assign(period=period))
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["practice_code", "staff", "fte", "period"])
    )


def _practice_table(mapping: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """One row per practice with a registered list; mapping columns where known."""
    codes = pd.Index(sorted(patients["practice_code"].unique()), name="practice_code")
    cols = [
        "practice_code",
        "practice_name",
        "postcode",
        "pcn_code",
        "pcn_name",
        "sub_icb_code",
        "sub_icb_name",
        "icb_code",
        "icb_name",
        "region_code",
        "region_name",
        "sub_icb_ons_code",
        "icb_ons_code",
        "region_ons_code",
    ]
    if mapping.empty:
        table = pd.DataFrame({"practice_code": codes})
        for c in cols[1:]:
            table[c] = ""
    else:
        table = mapping.drop_duplicates("practice_code").set_index("practice_code").reindex(codes).reset_index()
        for c in cols:
            if c not in table:
                table[c] = ""
        table = table[cols].fillna("")
    table["mapped"] = table["icb_code"] != ""
    return table.reset_index(drop=True)


def staff_group_of(role_codes: tuple[str, ...] = ROLE_CODES) -> NDArray[np.intp]:
    """Staff-group index [r] of every role (order of STAFF_GROUPS)."""
    return np.array([STAFF_GROUPS.index(ROLE_BY_CODE[r].staff_group) for r in role_codes], dtype=np.intp)
