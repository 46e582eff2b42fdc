"""A comparison of saved scenarios as an Excel workbook (the reports' workbook, ``reports.excel``).

Sheets: ``summary`` (one row per scenario and headline figure, each value formatted by its
unit), ``roles`` (weekly demand, capacity and gap by role and scenario), ``settings`` (each
scenario's organisation, link and levers in words) and ``notes`` (who, which scenarios, the
page it came from, where the FTE came from, the sources and the licence).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from gpworkforce.reports.excel import About, workbook_bytes
from gpworkforce.web.scenario_compare import METRICS, CompareItem, compared_roles, describe_params, unique_names

#: Unit of each headline figure in the summary sheet (the workbook formats values by unit).
UNITS: Final = {
    "year": "year",
    "patients": "patients",
    "gap_share_of_demand": "share",
}
GAP_NOTE: Final = "Gaps are appointments a week: a positive gap is a shortfall, a negative one is spare capacity."


def _text(value: str) -> str:
    """User text as text: openpyxl writes a string starting with "=" as a formula."""
    return "'" + value if value.startswith("=") else value


def _names(items: Sequence[CompareItem]) -> list[str]:
    return [_text(name) for name in unique_names(items)]


def comparison_tables(items: Sequence[CompareItem]) -> dict[str, pd.DataFrame]:
    """The summary, roles and settings sheets of a comparison (raw numbers, not display text)."""
    names = _names(items)
    summary = [
        {
            "scenario": name,
            "organisation_code": item.org["code"],
            "figure": key,
            "label": label,
            "unit": UNITS.get(key, "appointments a week"),
            "value": item.figures["summary"].get(key),
        }
        for item, name in zip(items, names, strict=True)
        for key, label, _ in METRICS
    ]
    roles = [
        {
            "scenario": name,
            "organisation_code": item.org["code"],
            "role": role,
            "label": label,
            **{m: item.figures["roles"][role][m] for m in ("demand_per_week", "capacity_per_week", "gap_per_week")},
        }
        for item, name in zip(items, names, strict=True)
        for role, label in compared_roles(items)
    ]
    settings = [
        {
            "scenario": name,
            "organisation_code": item.org["code"],
            "organisation": _text(item.org["name"]),
            "link": item.url or "",
            "setting": setting,
            "value": _text(value),
        }
        for item, name in zip(items, names, strict=True)
        for setting, value in describe_params(item.params)
    ]
    return {"summary": pd.DataFrame(summary), "roles": pd.DataFrame(roles), "settings": pd.DataFrame(settings)}


def comparison_workbook(items: Sequence[CompareItem], link: str, notes: Sequence[str]) -> bytes:
    """The .xlsx download of a comparison; ``link`` is the comparison page, ``notes`` the data's notes."""
    names = _names(items)
    organisations = "; ".join(dict.fromkeys(f"{i.org['name']} ({i.org['code']})" for i in items))
    years = ", ".join(dict.fromkeys(str(i.figures["summary"].get("year")) for i in items))
    scenarios = {
        name: "; ".join(f"{k} {v}" if k != "Settings" else v for k, v in describe_params(item.params))
        for item, name in zip(items, names, strict=True)
    }
    info = About(organisations, scenarios, years, ("Web page", link), [GAP_NOTE, *notes])
    return workbook_bytes(comparison_tables(items), info)
