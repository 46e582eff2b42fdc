"""Resolve an organisation code (practice, PCN, sub-ICB, ICB, region, England) to practices."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.nomenclature import ENGLAND_CODE, UNALLOCATED_PCN
from gpworkforce.services.code_history import HISTORY_COLUMNS, derive_history
from gpworkforce.services.national import LEVEL_COLUMNS, NationalData
from gpworkforce.services.versions import DataVersion

LEVEL_LABELS = {
    "practice": "Practice",
    "pcn": "PCN",
    "sub_icb": "Sub-ICB location",
    "icb": "ICB",
    "region": "Region",
    "england": "England",
    "group": "Practice group",
}
ONS_COLUMNS = {"sub_icb": "sub_icb_ons_code", "icb": "icb_ons_code", "region": "region_ons_code"}
CHILD_LEVELS = {
    "england": "region",
    "region": "icb",
    "icb": "sub_icb",
    "sub_icb": "pcn",
    "pcn": "practice",
    "group": "practice",
}
BY_CHOICES = ("practice", "pcn", "sub_icb", "icb", "region")


class UnknownOrganisation(LookupError):
    """No organisation has this code; the message suggests what codes look like."""


@dataclass(frozen=True)
class Successor:
    """A current organisation holding some of an old code's former practices."""

    level: str
    code: str
    name: str
    practices: int  # former practices it holds now
    share_of_practices: float  # of the old code's practices when last seen [0-1]
    share_of_patients: float  # of the registered patients of those still open [0-1]

    @property
    def label(self) -> str:
        """'ICB D7T5G (NHS Essex ICB)'."""
        return f"{LEVEL_LABELS[self.level]} {self.code} ({self.name})"


@dataclass(frozen=True)
class CodeChange:
    """An old code, when it was last seen and what holds its practices now."""

    level: str
    code: str
    name: str
    last_seen: str
    practices: int  # in the mapping it was last seen in
    successors: tuple[Successor, ...]  # same level, largest share first; empty: closed or all gone
    parts: tuple[Successor, ...] = ()  # one level down (e.g. the sub-ICBs now holding an old ICB's practices)

    @property
    def label(self) -> str:
        named = f" ({self.name})" if self.name else ""
        return f"{LEVEL_LABELS[self.level]} {self.code}{named}"

    @property
    def message(self) -> str:
        """What the code became, in one sentence (and the parts on a second line)."""
        if self.level == "practice":
            return (
                f"{self.label} is not in the latest registered-patients list (last seen {self.last_seen}): "
                "it closed or merged; these files do not say whether it became part of another practice"
            )
        head = f"{self.label} is no longer in use (last seen {self.last_seen})"
        if not self.successors:
            return f"{head}: none of its practices is in the latest list"
        if len(self.successors) == 1 and self.successors[0].share_of_practices >= 1.0:
            text = f"{head}: its practices are now in {self.successors[0].label}"
        else:
            listed = ", ".join(f"{s.label}: {s.practices} of its {self.practices} practices" for s in self.successors)
            text = f"{head}: its practices are now in {listed}"
        if self.parts:
            text += f"\n{LEVEL_LABELS[self.parts[0].level]}s now holding its former practices: " + ", ".join(
                f"{p.code} ({p.name})" for p in self.parts
            )
        return text


class SupersededOrganisation(UnknownOrganisation):
    """The code was in use in an older mapping; :attr:`change` says what it became."""

    def __init__(self, change: CodeChange) -> None:
        super().__init__(change.message)
        self.change = change


@dataclass(frozen=True)
class Organisation:
    """An organisation and the practices inside it (a boolean mask over the national order)."""

    level: str
    code: str
    name: str
    mask: NDArray[np.bool_]
    note: str | None = None

    @cached_property
    def rows(self) -> NDArray[np.intp]:
        """Positions of the practices inside, in national order (cheaper than the mask on big arrays)."""
        return np.flatnonzero(self.mask)

    @property
    def label(self) -> str:
        """Human label such as 'ICB QHM: NHS North East and North Cumbria ICB'."""
        if self.level == "england":
            return "England"
        return f"{LEVEL_LABELS[self.level]} {self.code}: {self.name}"

    def parent_code(self, nd: NationalData, level: str) -> str | None:
        """Code of the enclosing organisation at ``level`` (the most common one, if split)."""
        idx, codes = nd.groups(level)
        inside = idx[self.mask]
        inside = inside[inside >= 0]
        if inside.size == 0:
            return None
        counts = np.bincount(inside, minlength=len(codes))
        code = str(codes[int(np.argmax(counts))])
        return code or None


def code_index(version: DataVersion) -> dict[str, tuple[str, int, str | None]]:
    """Upper-cased ODS and ONS codes -> (level, group position, note), built once per version."""
    return version.memoised("derived", "code-index", lambda: _code_index(version.data))


def _code_index(nd: NationalData) -> dict[str, tuple[str, int, str | None]]:
    index: dict[str, tuple[str, int, str | None]] = {}
    for level in reversed(list(LEVEL_COLUMNS)):  # practice codes win over anything else
        _, codes = nd.groups(level)
        for position, c in enumerate(codes):
            if c:
                index[str(c).upper()] = (level, position, None)
    for level, col in ONS_COLUMNS.items():
        if col not in nd.practices:
            continue
        idx, codes = nd.groups(level)
        pairs = pd.DataFrame({"ons": nd.practices[col], "group": idx}).drop_duplicates("ons")
        for ons, group in pairs.itertuples(index=False):
            if ons and group >= 0 and str(ons).upper() not in index:
                index[str(ons).upper()] = (level, int(group), f"ONS code {ons} is {LEVEL_LABELS[level]} {codes[group]}")
    return index


def code_history(version: DataVersion) -> pd.DataFrame:
    """Every old code and where its practices are now (``code_history.derive_history``), once per version."""
    return version.memoised("derived", "code-history", lambda: _code_history(version.data))


def _code_history(nd: NationalData) -> pd.DataFrame:
    if nd.code_sources is None:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    table = derive_history(nd.practices, nd.code_sources)
    table["key"] = table["code"].str.upper()
    return table.set_index("key")


def code_change(version: DataVersion, code: str) -> CodeChange | None:
    """What became of ``code`` (upper case) if an older dataset had it, else None."""
    table = code_history(version)
    if code not in table.index:
        return None
    rows = table.loc[[code]]
    first = rows.iloc[0]
    rows = rows[rows["level"] == first["level"]]

    def successors(relation: str) -> tuple[Successor, ...]:
        sel = rows[(rows["relation"] == relation) & (rows["new_code"] != "")]
        return tuple(
            Successor(
                str(r.new_level),
                str(r.new_code),
                str(r.new_name),
                int(r.new_practices),
                float(r.share_of_practices),
                float(r.share_of_patients),
            )
            for r in sel.itertuples()
        )

    return CodeChange(
        str(first["level"]),
        str(first["code"]),
        str(first["name"]),
        str(first["last_seen"]),
        int(first["practices"]),
        successors("successor"),
        successors("part"),
    )


def normalise_level(by: str) -> str:
    """Accept 'sub-icb' and 'sub_icb' alike."""
    level = by.strip().lower().replace("-", "_")
    if level not in BY_CHOICES:
        raise ValueError(f"--by must be one of {', '.join(c.replace('_', '-') for c in BY_CHOICES)}; got {by!r}")
    return level


def resolve(version: DataVersion, org: str) -> Organisation:
    """Find ``org`` as an ODS code at any level, an ONS code alias, or 'england'."""
    nd = version.data
    code = org.strip()
    if code.lower() == ENGLAND_CODE:
        return Organisation("england", ENGLAND_CODE, "England", np.ones(len(nd.practices), dtype=bool))
    upper = code.upper()
    if upper == UNALLOCATED_PCN:
        raise UnknownOrganisation(f"{code!r} marks practices with no PCN; it is not an organisation")
    group = version.groups.get(upper)
    if group is not None:
        return _group(nd, upper, *group)
    hit = code_index(version).get(upper)
    if hit is not None:
        level, position, note = hit
        idx, codes = nd.groups(level)
        mask = idx == position
        name_col = LEVEL_COLUMNS[level][1]
        first = int(np.argmax(mask))
        return Organisation(level, str(codes[position]), str(nd.practices[name_col].iat[first]), mask, note=note)
    change = code_change(version, upper)
    if change is not None:
        raise SupersededOrganisation(change)
    raise UnknownOrganisation(
        f"unknown organisation {org!r}: give a practice (e.g. A81001), PCN (U-code), sub-ICB (e.g. 16C), "
        "ICB (e.g. QHM) or region (e.g. Y63) ODS code, an ONS code (E38/E54/E40...), or 'england'"
    )


def _group(nd: NationalData, code: str, name: str, members: tuple[str, ...]) -> Organisation:
    """A user-defined group as an organisation: its members that the national data hold."""
    mask = nd.practices["practice_code"].isin(members).to_numpy()
    if not mask.any():
        raise UnknownOrganisation(f"practice group {code!r} has no practice that is open in the loaded data")
    gone = len(set(members)) - int(mask.sum())
    note = (
        f"{gone} of its {len(set(members))} practices are not in the loaded data (closed or merged)" if gone else None
    )
    return Organisation("group", code, name, mask, note=note)


def children(version: DataVersion, org: Organisation, by: str) -> pd.DataFrame:
    """The organisations at level ``by`` inside ``org``: code, name, group index (memoised)."""
    return version.memoised("derived", ("children", org.code, by), lambda: _children(version.data, org, by))


def _children(nd: NationalData, org: Organisation, by: str) -> pd.DataFrame:
    col, name_col = LEVEL_COLUMNS[by]
    idx, _ = nd.groups(by)
    sel = org.mask & (idx >= 0)
    table = pd.DataFrame(
        {"group": idx[sel], "code": nd.practices.loc[sel, col], "name": nd.practices.loc[sel, name_col]}
    )
    return table.drop_duplicates("group").sort_values("code").reset_index(drop=True)
