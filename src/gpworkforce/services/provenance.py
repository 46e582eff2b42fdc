"""Where the FTE behind an organisation's capacity came from: published, estimated or corrected
by a user, counted per organisation and said in plain English wherever a capacity figure is shown.

A correction changes the public figures (A81001's capacity 516 -> 623), so a page or file that
said only "FTE from NHS England statistics" would be wrong; each report carries this typed
summary, and the pages, API, notes and downloads all read it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.services.organisations import Organisation
from gpworkforce.services.periods_text import period_words
from gpworkforce.services.practice_fte import FTE_SOURCE_OVERRIDE, FTE_SOURCE_REGISTER
from gpworkforce.services.results import FteCorrection, FteProvenance
from gpworkforce.services.versions import DataVersion

#: Staff groups whose FTE counts as appointment capacity (admin does not).
CAPACITY_STAFF_GROUPS = ("gp", "gp_locum_trainee", "nurse", "dpc")
#: Tags shown beside a practice in tables, and the legend under them.
TAG_CORRECTED = "FTE corrected"
TAG_ESTIMATED = "FTE estimated"
TAG_REGISTER = "FTE from register"
TAG_LEGEND = (
    f"{TAG_CORRECTED}: a signed-in user replaced the published FTE of one or more roles; "
    f"{TAG_REGISTER}: the practice's own staff FTE come from its staff register (this month), not the "
    "national table; "
    f"{TAG_ESTIMATED}: NHS England's workforce figures had no value for one or more clinical staff groups, "
    "so they are estimated from similar practices nearby."
)


def practice_tags(version: DataVersion) -> pd.Series:
    """Per practice code: ``FTE corrected``, ``FTE estimated`` or "" (memoised per version)."""

    def build() -> pd.Series:
        nd = version.data
        corrected = nd.fte_source == FTE_SOURCE_OVERRIDE
        clinical = [i for i, s in enumerate(nd.staff_groups) if s in CAPACITY_STAFF_GROUPS]
        estimated = nd.estimated_groups()[:, clinical].any(axis=1) & ~corrected
        register = nd.fte_source == FTE_SOURCE_REGISTER
        tags = np.where(
            corrected, TAG_CORRECTED, np.where(register, TAG_REGISTER, np.where(estimated, TAG_ESTIMATED, ""))
        )
        return pd.Series(tags, index=nd.practices["practice_code"].to_numpy(), dtype=object)

    result: pd.Series = version.memoised("derived", "fte-tags", build)
    return result


def _corrections(version: DataVersion, codes: set[str]) -> list[FteCorrection]:
    frame = version.data.corrections
    if frame.empty or "corrected_by" not in frame.columns:
        return []
    frame = frame[frame["practice_code"].isin(codes)]
    out = []
    for code, rows in frame.groupby("practice_code", sort=True):
        latest = rows.sort_values("updated_at").iloc[-1]
        out.append(
            FteCorrection(
                practice_code=str(code),
                roles=sorted(str(r) for r in rows["role"]),
                corrected_by=str(latest["corrected_by"]),
                corrected_at=pd.Timestamp(latest["updated_at"]).to_pydatetime(),
            )
        )
    return out


def _plural(n: int, word: str = "practice") -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def provenance_text(p: FteProvenance) -> str:
    """``FTE: 12 practices published, 2 estimated, 1 corrected (by Practice manager, A81001, 2 Dec 2026)``."""
    when = f" ({period_words(p.workforce_period)})" if p.workforce_period else ""
    parts = [f"{p.published:,} published by NHS England{when}"]
    if p.from_register:
        parts.append(f"{p.from_register:,} from the practice's own staff register")
    if p.estimated:
        parts.append(f"{p.estimated:,} estimated")
    if p.corrected:
        who = "; ".join(
            f"{c.practice_code} by {c.corrected_by}, {c.corrected_at:%-d %b %Y}: "
            + ", ".join(ROLE_BY_CODE[r].label.lower() if r in ROLE_BY_CODE else r for r in c.roles)
            for c in p.corrections[:5]
        )
        more = f"; and {p.corrected - 5:,} more" if p.corrected > 5 else ""
        parts.append(f"{p.corrected:,} corrected by a user ({who}{more})")
    return f"FTE of {_plural(p.practices)}: {', '.join(parts)}"


def fte_provenance(version: DataVersion, org: Organisation) -> FteProvenance:
    """The FTE provenance of ``org``'s practices (memoised per version)."""

    def build() -> FteProvenance:
        nd = version.data
        tags = practice_tags(version).to_numpy()[org.mask]
        codes = set(nd.practices["practice_code"].to_numpy()[org.mask & (nd.fte_source == FTE_SOURCE_OVERRIDE)])
        corrected, estimated = int((tags == TAG_CORRECTED).sum()), int((tags == TAG_ESTIMATED).sum())
        register = int((tags == TAG_REGISTER).sum())
        given = {"from_register": register} if register else {}  # the field appears only when used
        draft = FteProvenance(
            practices=len(tags),
            published=len(tags) - corrected - estimated - register,
            estimated=estimated,
            corrected=corrected,
            **given,
            workforce_period=nd.periods.get("workforce"),
            corrections=_corrections(version, {str(c) for c in codes}),
            text="",
        )
        return draft.model_copy(update={"text": provenance_text(draft)})

    result: FteProvenance = version.memoised("derived", ("fte-provenance", org.code), build)
    return result
