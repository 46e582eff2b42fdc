"""Organisation names and parents for breadcrumbs and search, built once per data version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from gpworkforce.nomenclature import UNALLOCATED_PCN
from gpworkforce.services.national import LEVEL_COLUMNS, NationalData
from gpworkforce.services.organisations import BY_CHOICES, LEVEL_LABELS
from gpworkforce.services.results import OrgInfo

#: Top to bottom; ``england`` is the root of every breadcrumb.
LEVEL_ORDER: Final = ("england", "region", "icb", "sub_icb", "pcn", "practice")


@dataclass(frozen=True)
class Crumb:
    """One organisation in a breadcrumb or search result: level, code, name, page path."""

    level: str
    code: str
    name: str

    @property
    def href(self) -> str:
        return f"/org/{self.code}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code, "name": self.name, "url": self.href}


ENGLAND: Final = Crumb("england", "england", "England")


@dataclass
class Lookups:
    """Names and parents of every organisation, per data version (for breadcrumbs and search)."""

    names: dict[str, dict[str, str]]
    parents: dict[str, dict[str, str]]  # level -> code -> parent code at the level above

    @classmethod
    def build(cls, nd: NationalData) -> Lookups:
        p = nd.practices
        names: dict[str, dict[str, str]] = {}
        parents: dict[str, dict[str, str]] = {}
        for level, (col, name_col) in LEVEL_COLUMNS.items():
            frame = p[p[col].fillna("").ne("") & p[col].ne(UNALLOCATED_PCN)].drop_duplicates(col)
            names[level] = dict(zip(frame[col].astype(str), frame[name_col].astype(str), strict=True))
            above = parent_level(level)
            if above and above != "england":
                parent_col = LEVEL_COLUMNS[above][0]
                parents[level] = dict(zip(frame[col].astype(str), frame[parent_col].astype(str), strict=True))
        # a practice outside any PCN hangs from its sub-ICB
        no_pcn = p[p["pcn_code"].fillna("").isin(["", UNALLOCATED_PCN])]
        for code, sub_icb in zip(no_pcn["practice_code"], no_pcn["sub_icb_code"], strict=True):
            parents["practice"][str(code)] = str(sub_icb)
        return cls(names, parents)

    def crumb(self, level: str, code: str | None) -> Crumb | None:
        if level == "england":
            return ENGLAND
        if not code or code not in self.names.get(level, {}):
            return None
        return Crumb(level, code, self.names[level][code])

    def parent(self, level: str, code: str) -> Crumb | None:
        """The organisation one level up (a practice without a PCN: its sub-ICB)."""
        above = parent_level(level)
        if above is None:
            return None
        if above == "england":
            return ENGLAND
        parent_code = self.parents.get(level, {}).get(code)
        if level == "practice" and parent_code in self.names["sub_icb"] and parent_code not in self.names["pcn"]:
            return self.crumb("sub_icb", parent_code)
        return self.crumb(above, parent_code)

    def ancestors(self, org: OrgInfo) -> list[Crumb]:
        """England first, then each enclosing organisation down to the parent of ``org``."""
        level = org.level
        if level == "england":
            return []
        if level == "group":  # a user-defined group sits directly under England
            return [ENGLAND]
        out = [ENGLAND]
        for above in LEVEL_ORDER[1 : LEVEL_ORDER.index(level)]:
            crumb = self.crumb(above, getattr(org, f"{above}_code", None))
            if crumb is not None:
                out.append(crumb)
        return out


def parent_level(level: str) -> str | None:
    """The level directly above (practice -> pcn, region -> england, england -> None)."""
    if level == "group":
        return "england"
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i - 1] if i > 0 else None


def levels_below(level: str) -> list[str]:
    """Levels a ``by`` table can use inside an organisation at ``level``."""
    if level == "group":  # its practices first (a group is usually a handful), then their PCNs
        return ["practice", "pcn", "sub_icb", "icb"]
    return [lv for lv in LEVEL_ORDER[LEVEL_ORDER.index(level) + 1 :] if lv in BY_CHOICES]


@dataclass(frozen=True)
class SearchHit:
    """One search result: the organisation, what the search matched on, and its parent."""

    level: str
    code: str
    name: str
    detail: str
    parent: Crumb | None
    match: str = "name"  # why it matched: code, ONS code, postcode, name, place, similar name, old code

    @property
    def href(self) -> str:
        return f"/org/{self.code}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "name": self.name,
            "detail": self.detail,
            "match": self.match,
            "url": self.href,
            "parent": self.parent.to_dict() if self.parent else None,
        }
