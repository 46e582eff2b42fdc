"""Generate NHS England "Practice Level - Detailed" GP workforce CSVs from the definitions workbook.

No original file is available offline, so tests build one: the header is every ``Name of
Field`` of the field-definitions workbook in order (805 fields in the November 2025
definitions), each practice gets the values a test chooses, text fields get filler, other
numbers 0, and chosen cells get NHS England's ``NA``/``ND`` ("no valid records") codes.

:func:`black_country_practices` builds 236 practices whose rows add up to the Black Country
STP 2017 table of DESIGN.md (1,442,402 patients, 882 GP headcount, 216 aged 55+, 136 aged 60+,
681.6 GP FTE).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import openpyxl

Value = str | int | float
DETAILED_WORKBOOK = "gpw-practice-detailed-definitions_2025-11.xlsx"
OLD_WORKBOOK = "gpw-practice-definitions_2019-09.xlsx"
TEXT_SUFFIXES = ("_NAME", "_CODE", "_SOURCE")


@lru_cache(maxsize=4)
def field_names(workbook: Path) -> tuple[str, ...]:
    """The workbook's ``Name of Field`` column, in order (cached: openpyxl is slow)."""
    sheet = openpyxl.load_workbook(workbook, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = list(rows[0]).index("Name of Field")
    return tuple(str(r[column]).strip() for r in rows[1:] if r[column])


def row_values(header: tuple[str, ...] | list[str], code: str, given: Mapping[str, Value]) -> list[Value]:
    """One practice row: given values, else filler text for text fields and 0 for numbers."""
    unknown = set(given) - set(header)
    if unknown:
        raise KeyError(f"not fields of this layout: {sorted(unknown)}")
    row: list[Value] = []
    for name in header:
        if name == "PRAC_CODE":
            row.append(code)
        elif name in given:
            row.append(given[name])
        elif name.endswith(TEXT_SUFFIXES) or name == "CONTRACT":
            row.append("Synthetic")
        else:
            row.append(0)
    return row


def write_detailed_csv(
    path: Path,
    header: tuple[str, ...] | list[str],
    practices: Mapping[str, Mapping[str, Value]],
    *,
    drop: tuple[str, ...] = (),
) -> Path:
    """Write the CSV (header minus ``drop``) with one row per practice, as NHS England does."""
    keep = [i for i, name in enumerate(header) if name not in drop]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([header[i] for i in keep])
        for code, given in practices.items():
            row = row_values(header, code, given)
            writer.writerow([row[i] for i in keep])
    return path


def gp_practice(
    *,
    partner_fte: float,
    salaried_fte: float,
    ages: Mapping[str, int],
    registrar_fte: float = 0.0,
    retainer_fte: float = 0.0,
    locum_fte: Mapping[str, float] | None = None,
    patients: int = 0,
) -> dict[str, Value]:
    """Consistent GP fields of one practice: role FTE, totals, and headcount by age band
    (``ages``: published suffix -> GPs, e.g. ``{"55TO59": 1}``); each GP is one headcount."""
    locum = dict(locum_fte or {})
    qualified = partner_fte + salaried_fte + retainer_fte
    total = qualified + registrar_fte + sum(locum.values())
    heads = sum(ages.values())
    values: dict[str, Value] = {
        "TOTAL_PATIENTS": patients,
        "TOTAL_GP_FTE": round(total, 6),
        "TOTAL_GP_EXTGL_FTE": round(qualified, 6),
        "TOTAL_GP_PTNR_PROV_FTE": partner_fte,
        "TOTAL_GP_SAL_BY_PRAC_FTE": salaried_fte,
        "TOTAL_GP_RET_FTE": retainer_fte,
        "TOTAL_GP_TRN_GR_ST3_FTE": registrar_fte,
        "TOTAL_GP_HC": heads,
        "TOTAL_GP_EXTGL_HC": heads,
        **{f"TOTAL_GP_LOCUM_{reason}_FTE": fte for reason, fte in locum.items()},
        **{f"TOTAL_GP_HC_{suffix}": n for suffix, n in ages.items()},
    }
    return values


#: The Black Country STP 2017 table (DESIGN.md, "Reference numbers").
BLACK_COUNTRY = {
    "practices": 236,
    "patients": 1_442_402,
    "gp_headcount": 882,
    "gp_55_plus": 216,
    "gp_60_plus": 136,
    "gp_fte": 681.6,
}


def black_country_practices() -> dict[str, dict[str, Value]]:
    """236 practices (codes M80000 ...) adding up to :data:`BLACK_COUNTRY`.

    Patients 6,111 or 6,112 each; 3 or 4 GPs each (174 practices have 4: 882 = 236*3 + 174);
    80 practices have one GP aged 55-59 and 136 one aged 60-64 (216 aged 55+, 136 aged 60+),
    the others are 40-44; GP FTE 2.9 in 208 practices and 2.8 in 28 (681.6), 2.0 partner and the
    rest salaried. Registrars and a locum are added so the table must leave them out.
    """
    n = BLACK_COUNTRY["practices"]
    base, extra = divmod(BLACK_COUNTRY["patients"], n)
    out: dict[str, dict[str, Value]] = {}
    for i in range(n):
        heads = 3 + (i < 174)
        ages = {"40TO44": heads}
        if i < 80:
            ages = {"40TO44": heads - 1, "55TO59": 1}
        elif i < 216:
            ages = {"40TO44": heads - 1, "60TO64": 1}
        fte = 2.9 if i < 208 else 2.8
        values = gp_practice(
            partner_fte=2.0,
            salaried_fte=round(fte - 2.0, 1),
            ages=ages,
            registrar_fte=1.0 if i % 5 == 0 else 0.0,
            locum_fte={"VAC": 0.25} if i % 7 == 0 else None,
            patients=base + (i < extra),
        )
        out[f"M8{i:04d}"] = values
    return out
