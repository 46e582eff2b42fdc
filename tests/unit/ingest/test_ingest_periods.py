"""Months and periods from cells, file names, release pages and ``--period`` (ingest.periods)."""

from __future__ import annotations

import pandas as pd
import pytest

from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.periods import (
    check_period,
    check_qof_period,
    month_in_name,
    parse_month,
    parse_months,
    qof_period,
)
from gpworkforce.ingest.problems import ProblemLog


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-07-01", "2026-07"),
        ("2026-07", "2026-07"),
        ("01Jul2026", "2026-07"),
        ("01JUL2026", "2026-07"),
        ("NOV2025", "2025-11"),
        ("01-November-2025", "2025-11"),
        ("01/07/2026", "2026-07"),
        (" 2025-11-01 ", "2025-11"),
        ("2025-11-01 00:00:00", "2025-11"),
        ("2025-13-01", None),
        ("01/13/2026", None),
        ("SEPT2025", None),
        ("July", None),
        ("", None),
    ],
)
def test_parse_month(text: str, month: str | None) -> None:
    assert parse_month(text) == month


def test_parse_months_reports_each_bad_cell_with_its_row() -> None:
    frame = pd.DataFrame({"d": ["2025-11-01", "soon", "NOV2025", "soon"]}, dtype=str)
    log = ProblemLog("f.csv")
    months = parse_months(frame, "d", log, published="EXTRACT_DATE")
    assert months.tolist() == ["2025-11", "", "2025-11", ""]
    assert [(p.row, p.column) for p in log.items] == [(3, "EXTRACT_DATE"), (5, "EXTRACT_DATE")]
    assert log.items[0].message == "'soon' is not a month (expected e.g. 2025-11-01, 01NOV2025 or NOV2025)"


@pytest.mark.parametrize(
    ("text", "month"),
    [
        # file names
        ("gpad-practice-mapping_2025-10.csv", "2025-10"),
        ("1 General Practice – November 2025 Practice Level - Detailed.csv", "2025-11"),
        ("Mapping.csv", None),
        ("qof-prevalence_2024-25.csv.gz", None),
        ("gp-reg-pat-prac-map_2026-13.csv", None),
        # release slugs and titles
        ("july-2026", "2026-07"),
        ("30-june-2026", "2026-06"),
        ("Appointments in General Practice, October 2025", "2025-10"),
        ("sept-2025", "2025-09"),
        ("Practice_Level_Crosstab_Oct_2025", "2025-10"),
        ("General%20Practice%20-%20May%202024.csv", "2024-05"),
        ("2026-01", "2026-01"),
        ("methodology", None),
        ("decision-2026", None),
        ("latest", None),
    ],
)
def test_month_in_name(text: str, month: str | None) -> None:
    assert month_in_name(text) == month


def test_qof_years_from_file_names() -> None:
    assert qof_period("qof-prevalence_2024-25.csv.gz") == "2024-25"
    assert qof_period("PREVALENCE_2425.csv") == "2024-25"
    assert qof_period("qof_2024-26.csv") is None
    assert qof_period("prevalence.csv") is None


def test_periods_passed_by_the_caller_are_checked() -> None:
    assert check_period("2025-11", file="f.csv") == "2025-11"
    assert check_period(None, file="f.csv") is None
    with pytest.raises(IngestError, match=r"^f\.csv: period '2025-13' is not of the form YYYY-MM$"):
        check_period("2025-13", file="f.csv")
    assert check_qof_period("2024-25", file="q.csv") == "2024-25"
    with pytest.raises(IngestError, match=r"^q\.csv: period '2024' is not a QOF year like 2024-25$"):
        check_qof_period("2024", file="q.csv")
