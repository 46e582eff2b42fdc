"""What became of organisation codes that the latest mapping no longer has.

Why: ICBs and sub-ICBs merge and practices close, so a planner's code from last year fails.
Every older practice mapping in the database says which practices each old code held; where
those practices are in the latest list says what the code became (with the share of its
practices and of their patients that went to each successor). A practice missing from the
latest registered-patients list closed or merged: whether it merged into another practice
cannot be known from these files, so only that is said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gpworkforce import store
from gpworkforce.nomenclature import UNALLOCATED_PCN
from gpworkforce.store.aggregates import load_distinct

#: Level -> (code column, name column) of the canonical mapping, coarsest last.
HISTORY_LEVELS = {
    "practice": ("practice_code", "practice_name"),
    "pcn": ("pcn_code", "pcn_name"),
    "sub_icb": ("sub_icb_code", "sub_icb_name"),
    "icb": ("icb_code", "icb_name"),
    "region": ("region_code", "region_name"),
}
#: Where an old organisation's former practices are now, one level down (the "matching sub-ICBs").
PART_LEVELS = {"region": "icb", "icb": "sub_icb", "sub_icb": "pcn"}
#: Kinds whose practice codes count as "seen" (besides the mappings and the workforce years,
#: which the national data read in full anyway).
SEEN_KINDS = ("appointments", "qof", "gp_age")
#: Columns of :func:`derive_history`'s frame.
HISTORY_COLUMNS = (
    "level",
    "code",
    "name",
    "last_seen",
    "practices",
    "relation",
    "new_level",
    "new_code",
    "new_name",
    "new_practices",
    "share_of_practices",
    "share_of_patients",
)


@dataclass(frozen=True)
class HistorySources:
    """What the database says about codes of the past: the older mappings and the practice
    codes other datasets named (practice_code, period)."""

    mappings: pd.DataFrame
    practices_seen: pd.DataFrame


def load_history_sources(session: Any, latest_mapping: str | None, also_seen: pd.DataFrame) -> HistorySources:
    """Every mapping period but ``latest_mapping`` (with a ``period`` column), and the distinct
    practice codes of :data:`SEEN_KINDS` in every period (a DISTINCT in the database) plus
    ``also_seen`` (practice_code, period: the workforce years already read)."""
    parts = [
        store.load_frame(session, "mapping", period)[0].assign(period=period)
        for period in store.list_periods(session, "mapping")
        if period != latest_mapping
    ]
    mappings = (
        pd.concat(parts, ignore_index=True)
        if parts
        else store.empty_frame("mapping").assign(period=pd.Series(dtype="str"))
    )
    seen = pd.concat(
        [
            *(load_distinct(session, kind, "practice_code") for kind in SEEN_KINDS),
            also_seen[["practice_code", "period"]],
        ],
        ignore_index=True,
    ).drop_duplicates(ignore_index=True)
    return HistorySources(mappings=mappings, practices_seen=seen)


def period_key(periods: pd.Series) -> pd.Series:
    """A sortable month for each period label: ``YYYY-MM`` as is, financial year ``FY2024`` and
    QOF year ``2023-24`` as the March they end in; anything else sorts first."""
    text = periods.astype(str)
    key = text.where(text.str.fullmatch(r"\d{4}-\d{2}"), "")
    fy = text.str.extract(r"^FY(\d{4})$", flags=re.IGNORECASE)[0]
    key = key.mask(fy.notna(), fy + "-03")
    qof = text.str.extract(r"^(\d{2})\d{2}-(\d{2})$")
    is_qof = qof[1].notna() & ~text.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    return key.mask(is_qof, qof[0] + qof[1] + "-03")


def derive_history(practices: pd.DataFrame, sources: HistorySources) -> pd.DataFrame:
    """Old codes (not in ``practices``, the latest list with its mapping columns and ``patients``)
    and where their practices are now: one row per old code and successor (``relation``
    "successor", same level) or current organisation one level down holding its practices
    (``relation`` "part"); old codes whose practices are all gone get one row with empty
    ``new_code``. Columns :data:`HISTORY_COLUMNS`, sorted by level, code, relation, share."""
    now = practices.set_index("practice_code")
    frames = [_practice_rows(now.index, sources)]
    m = sources.mappings
    for level, (col, name_col) in HISTORY_LEVELS.items():
        if level == "practice" or m.empty:
            continue
        rows = m.loc[(m[col] != "") & (m[col] != UNALLOCATED_PCN), ["practice_code", col, name_col, "period"]]
        rows = rows[~rows[col].isin(set(now[col]))]
        if rows.empty:
            continue
        last = rows.groupby(col)["period"].transform("max")
        members = rows[rows["period"] == last].drop_duplicates(["practice_code", col])
        members = members.rename(columns={col: "code", name_col: "name", "period": "last_seen"})
        members["practices"] = members.groupby("code")["practice_code"].transform("size")
        targets = [("successor", level)] + ([("part", PART_LEVELS[level])] if level in PART_LEVELS else [])
        for relation, new_level in targets:
            frames.append(_moves(members, now, level, relation, new_level))
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(
        ["level", "code", "relation", "share_of_practices", "new_code"], ascending=[True, True, False, False, True]
    )
    return out.reset_index(drop=True)[list(HISTORY_COLUMNS)]


def _moves(members: pd.DataFrame, now: pd.DataFrame, level: str, relation: str, new_level: str) -> pd.DataFrame:
    """Old code -> current codes at ``new_level`` of its former practices, with shares."""
    col, name_col = HISTORY_LEVELS[new_level]
    here = members.join(now[[col, name_col, "patients"]], on="practice_code", how="left")
    here = here.rename(columns={col: "new_code", name_col: "new_name"})
    here["new_code"] = here["new_code"].fillna("")
    gone = ~(here["new_code"] != "").groupby(here["code"]).transform("any")
    live = here[(here["new_code"] != "") & (here["new_code"] != UNALLOCATED_PCN)]
    moved = live.groupby(["code", "new_code"], as_index=False).agg(
        name=("name", "first"),
        last_seen=("last_seen", "first"),
        practices=("practices", "first"),
        new_name=("new_name", "first"),
        new_practices=("practice_code", "size"),
        patients=("patients", "sum"),
    )
    moved["share_of_practices"] = moved["new_practices"] / moved["practices"]
    moved["share_of_patients"] = moved["patients"] / moved.groupby("code")["patients"].transform("sum")
    closed = here[gone].drop_duplicates("code")[["code", "name", "last_seen", "practices"]]
    if relation == "part":
        closed = closed.iloc[0:0]  # said once, on the successor rows
    out = pd.concat([moved.drop(columns="patients"), closed], ignore_index=True)
    return out.assign(level=level, relation=relation, new_level=new_level).fillna(
        {"new_code": "", "new_name": "", "new_practices": 0, "share_of_practices": 0.0, "share_of_patients": 0.0}
    )


def _practice_rows(current: pd.Index, sources: HistorySources) -> pd.DataFrame:
    """Practices named by an older mapping or another dataset but not in the latest list."""
    m = sources.mappings
    named = m[["practice_code", "practice_name", "period"]].rename(columns={"practice_name": "name"})
    seen = pd.concat([named, sources.practices_seen.assign(name="")], ignore_index=True)
    seen = seen[(seen["practice_code"] != "") & ~seen["practice_code"].isin(current)]
    seen = seen.assign(key=period_key(seen["period"]))
    last = seen.sort_values(["practice_code", "key", "name"]).groupby("practice_code").last()
    names = named[named["name"] != ""].sort_values("period").groupby("practice_code")["name"].last()
    out = pd.DataFrame(
        {
            "code": last.index,
            "name": names.reindex(last.index).fillna("").to_numpy(),
            "last_seen": last["period"].to_numpy(),
        }
    )
    return out.assign(
        level="practice",
        practices=1,
        relation="successor",
        new_level="practice",
        new_code="",
        new_name="",
        new_practices=0,
        share_of_practices=0.0,
        share_of_patients=0.0,
    )
