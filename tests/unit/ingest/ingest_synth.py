"""Small synthetic files in the published NHS layouts, for reader tests.

Each builder returns the rows it wrote so tests can compute expected totals and locate
cells ("row" = 1-based file line, header = 1).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Sequence
from pathlib import Path

from gpworkforce.nomenclature import AGE_BANDS

PATIENTS_HEADER = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "ORG_TYPE",
    "ORG_CODE",
    "ONS_CODE",
    "POSTCODE",
    "SEX",
    "AGE_GROUP_5",
    "NUMBER_OF_PATIENTS",
]
MAPPING_HEADER = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "PRACTICE_POSTCODE",
    "PCN_CODE",
    "PCN_NAME",
    "ONS_SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_NAME",
    "ONS_ICB_CODE",
    "ICB_CODE",
    "ICB_NAME",
    "ONS_COMM_REGION_CODE",
    "COMM_REGION_CODE",
    "COMM_REGION_NAME",
    "SUPPLIER_NAME",
]
GPAD_MAPPING_HEADER = [
    "GP_CODE",
    "GP_NAME",
    "SUPPLIER",
    "PCN_CODE",
    "PCN_NAME",
    "SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_NAME",
    "ICB_CODE",
    "ICB_NAME",
    "REGION_CODE",
    "REGION_NAME",
]
CROSSTAB_HEADER = [
    "APPOINTMENT_MONTH_START_DATE",
    "GP_CODE",
    "GP_NAME",
    "SUPPLIER",
    "PCN_CODE",
    "PCN_NAME",
    "SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_NAME",
    "HCP_TYPE",
    "APPT_MODE",
    "NATIONAL_CATEGORY",
    "TIME_BETWEEN_BOOK_AND_APPT",
    "COUNT_OF_APPOINTMENTS",
    "APPT_STATUS",
]
SUBICB_HEADER = [
    "SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_ONS_CODE",
    "SUB_ICB_LOCATION_NAME",
    "ICB_ONS_CODE",
    "ICB_NAME",
    "REGION_ONS_CODE",
    "REGION_NAME",
    "APPOINTMENT_MONTH",
    "APPT_STATUS",
    "HCP_TYPE",
    "APPT_MODE",
    "TIME_BETWEEN_BOOK_AND_APPT",
    "COUNT_OF_APPOINTMENTS",
]
PCN_HEADER = [
    "Data_source",
    "CENSUS_YEAR",
    "CENSUS_MONTH",
    "PCN_CODE",
    "PCN_NAME",
    "SUB_ICB_CODE",
    "SUB_ICB_NAME",
    "ICB_CODE",
    "ICB_NAME",
    "COMM_REGION_CODE",
    "COMM_REGION_NAME",
    "STAFF_GROUP",
    "STAFF_ROLE",
    "DETAILED_STAFF_ROLE",
    "FTE",
    "UNIQUE_IDENTIFIER",
]
HEEC_HEADER = [
    "Practice.Code",
    "Year",
    "ICB_NAME",
    "TOTAL_PATIENTS",
    "TOTAL_GP_EXTGL_FTE",
    "TOTAL_LOCUUM_TRN_FTE",
    "TOTAL_NURSES_FTE",
    "TOTAL_DPC_FTE",
    "TOTAL_ADMIN_FTE",
    "TOTAL_GP_EXTGL_HC",
    "TOTAL_LOCUUM_TRN_HC",
    "TOTAL_NURSES_HC",
    "TOTAL_DPC_HC",
    "TOTAL_ADMIN_HC",
    "IMD",
    "IMD_quintile",
]

#: Published label spellings as they occur in real files (crosstab and regional CSVs).
HCP_LABELS = ["GP", "Other Practice staff", "Unknown"]
MODE_LABELS = ["Face-to-Face", "Telephone", "Video Conference/Online", "Video/Online", "Home Visit", "Unknown"]
INTERVAL_LABELS = [
    "Same Day",
    "1 Day",
    "2 to 7 Days",
    "8  to 14 Days",
    "15  to 21 Days",
    "22  to 28 Days",
    "More than 28 Days",
    "Unknown / Data Issue",
    "Unknown / Data Quality",
]
STATUS_LABELS = ["Attended", "DNA", "Unknown"]


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, gz: bool = False, bom: bool = False
) -> Path:
    """Write a CSV (optionally gzipped / with a UTF-8 BOM) the way NHS England does."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[str(v) for v in row] for row in rows])
    data = (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def patients_rows(
    counts: dict[str, dict[tuple[str, str], int]],
    extract: str = "2026-07-01",
    with_sex_totals: bool = True,
    with_aggregates: bool = True,
) -> list[list[object]]:
    """Rows of a gp-reg-pat-prac-quin-age file: per practice ALL/ALL, then sex x band (and sex/ALL)."""
    rows: list[list[object]] = []
    if with_aggregates:
        national = sum(sum(c.values()) for c in counts.values())
        rows.append(["GP_PRAC_PAT_LIST", extract, "Comm Region", "Y56", "E40000003", "", "ALL", "ALL", national])
    for code, cells in counts.items():
        rows.append(["GP_PRAC_PAT_LIST", extract, "GP", code, "", "AB1 2CD", "ALL", "ALL", sum(cells.values())])
        for sex in ("FEMALE", "MALE"):
            for band in AGE_BANDS:
                rows.append(
                    ["GP_PRAC_PAT_LIST", extract, "GP", code, "", "AB1 2CD", sex, band, cells.get((sex, band), 0)]
                )
            if with_sex_totals:
                total = sum(v for (s, _), v in cells.items() if s == sex)
                rows.append(["GP_PRAC_PAT_LIST", extract, "GP", code, "", "AB1 2CD", sex, "ALL", total])
    return rows


def crosstab_row(
    practice: str,
    hcp: str,
    mode: str,
    category: str,
    interval: str,
    count: object,
    status: str,
    month: str = "01OCT2025",
) -> list[object]:
    """One Practice Level Crosstab row with filler names."""
    return [
        month,
        practice,
        f"PRACTICE {practice}",
        "EMIS",
        "U12345",
        "SOME PCN",
        "06H",
        "NHS SOMEWHERE ICB - 06H",
        hcp,
        mode,
        category,
        interval,
        count,
        status,
    ]


def subicb_row(
    sub_icb: str, month: str, status: str, hcp: str, mode: str, interval: str, count: object
) -> list[object]:
    """One regional-CSV row with filler names."""
    return [
        sub_icb,
        "E38000001",
        f"NHS X ICB - {sub_icb}",
        "E54000001",
        "NHS X ICB",
        "E40000003",
        "London",
        month,
        status,
        hcp,
        mode,
        interval,
        count,
    ]


def pcn_row(
    pcn: str, role: str, fte: object, person: object, year: object = 2026, month: object = 6, source: str = "NWRS Staff"
) -> list[object]:
    """One PCN individual-level row with filler names."""
    return [
        source,
        year,
        month,
        pcn,
        f"{pcn} PCN",
        "93C",
        "SUB ICB",
        "QMJ",
        "ICB",
        "Y56",
        "London",
        "Other Direct Patient Care staff",
        role,
        role.rstrip("s"),
        fte,
        person,
    ]


def mapping_row(
    practice: str, pcn: str = "U11111", sub_icb: str = "16C", icb: str = "QHM", extract: str = "01Jul2026"
) -> list[object]:
    """One registration-mapping row."""
    return [
        "GP_PRAC_PAT_LIST",
        extract,
        practice,
        f"SURGERY {practice}",
        "TS18 1HU",
        pcn,
        f"{pcn} PCN",
        "E38000247",
        sub_icb,
        f"NHS X ICB - {sub_icb}",
        "E54000050",
        icb,
        "NHS X ICB",
        "E40000012",
        "Y63",
        "North East and Yorkshire",
        "TPP",
    ]
