"""Unit: what old codes became, on a hand-made store of two mappings (shares worked by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from gpworkforce.services.code_history import HistorySources, derive_history, period_key

MAP_COLUMNS = ("practice_code", "practice_name", "pcn_code", "pcn_name", "sub_icb_code", "sub_icb_name")
MAP_COLUMNS += ("icb_code", "icb_name", "region_code", "region_name")


def _mapping(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(MAP_COLUMNS)).astype("str")


# Old: ICB QOLD (sub-ICBs S1, S2) held P1..P4; ICB QKEEP held P5. P4 closed; P6 is new.
OLD = _mapping(
    [
        ("P1", "ONE", "U1", "PCN ONE", "S1", "SUB ONE", "QOLD", "OLD ICB", "Y1", "REGION"),
        ("P2", "TWO", "U1", "PCN ONE", "S1", "SUB ONE", "QOLD", "OLD ICB", "Y1", "REGION"),
        ("P3", "THREE", "U2", "PCN TWO", "S2", "SUB TWO", "QOLD", "OLD ICB", "Y1", "REGION"),
        ("P4", "FOUR", "U2", "PCN TWO", "S2", "SUB TWO", "QOLD", "OLD ICB", "Y1", "REGION"),
        ("P5", "FIVE", "U3", "PCN THREE", "S3", "SUB THREE", "QKEEP", "KEPT ICB", "Y1", "REGION"),
    ]
).assign(period="2025-10")
# Now: P1, P2 in new ICB NEW1 (sub-ICB S1 kept); P3 moved to QKEEP (sub-ICB S3); S2 is gone.
NOW = _mapping(
    [
        ("P1", "ONE", "U1", "PCN ONE", "S1", "SUB ONE", "NEW1", "NEW ICB", "Y1", "REGION"),
        ("P2", "TWO", "U1", "PCN ONE", "S1", "SUB ONE", "NEW1", "NEW ICB", "Y1", "REGION"),
        ("P3", "THREE", "U3", "PCN THREE", "S3", "SUB THREE", "QKEEP", "KEPT ICB", "Y1", "REGION"),
        ("P5", "FIVE", "U3", "PCN THREE", "S3", "SUB THREE", "QKEEP", "KEPT ICB", "Y1", "REGION"),
        ("P6", "SIX", "U3", "PCN THREE", "S3", "SUB THREE", "QKEEP", "KEPT ICB", "Y1", "REGION"),
    ]
).assign(patients=[1000.0, 3000.0, 6000.0, 500.0, 100.0])
SEEN = pd.DataFrame({"practice_code": ["P1", "P4", "P9", "P9"], "period": ["2025-10", "FY2025", "FY2019", "2019-20"]})


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return derive_history(NOW, HistorySources(mappings=OLD, practices_seen=SEEN))


def _rows(h: pd.DataFrame, code: str, relation: str = "successor") -> pd.DataFrame:
    return h[(h["code"] == code) & (h["relation"] == relation)]


def test_merged_icb_splits_by_where_its_practices_are_now(history: pd.DataFrame) -> None:
    rows = _rows(history, "QOLD")
    # 4 practices when last seen; P1+P2 (4,000 patients) in NEW1, P3 (6,000) in QKEEP, P4 closed.
    assert list(rows["new_code"]) == ["NEW1", "QKEEP"]
    assert list(rows["new_practices"]) == [2, 1]
    assert list(rows["share_of_practices"]) == pytest.approx([0.5, 0.25])
    assert list(rows["share_of_patients"]) == pytest.approx([0.4, 0.6])
    assert set(rows["practices"]) == {4} and set(rows["last_seen"]) == {"2025-10"}
    parts = _rows(history, "QOLD", "part")
    assert dict(zip(parts["new_code"], parts["new_practices"], strict=True)) == {"S1": 2, "S3": 1}


def test_codes_still_in_use_have_no_history(history: pd.DataFrame) -> None:
    assert not set(history["code"]) & {"QKEEP", "S1", "S3", "U1", "U3", "Y1", "P1", "P2", "P3", "P5"}


def test_gone_sub_icb_and_pcn(history: pd.DataFrame) -> None:
    assert list(_rows(history, "S2")["new_code"]) == ["S3"]  # P3 (P4 closed)
    assert list(_rows(history, "U2")["share_of_practices"]) == [0.5]


def test_closed_practices_with_the_last_period_they_were_seen(history: pd.DataFrame) -> None:
    practices = history[history["level"] == "practice"].set_index("code")
    assert sorted(practices.index) == ["P4", "P9"]
    # P4: mapping 2025-10 beats workforce FY2025 (March 2025); P9 only in a QOF year and a workforce year.
    assert practices.loc["P4", "last_seen"] == "2025-10" and practices.loc["P4", "name"] == "FOUR"
    assert practices.loc["P9", "last_seen"] == "2019-20" and practices.loc["P9", "name"] == ""
    assert (practices["new_code"] == "").all()


def test_old_code_whose_practices_all_closed_says_so() -> None:
    old = OLD[OLD["practice_code"] == "P4"].assign(icb_code="QGONE")
    h = derive_history(NOW, HistorySources(mappings=old, practices_seen=SEEN.iloc[0:0]))
    row = _rows(h, "QGONE")
    assert list(row["new_code"]) == [""] and list(row["practices"]) == [1]


def test_no_older_mapping_no_history_but_closed_practices() -> None:
    h = derive_history(NOW, HistorySources(mappings=OLD.iloc[0:0], practices_seen=SEEN))
    assert sorted(h["code"]) == ["P4", "P9"]


def test_period_key_orders_months_financial_and_qof_years() -> None:
    keys = period_key(pd.Series(["2025-10", "FY2025", "2024-25", "IMD2025"]))
    assert list(keys) == ["2025-10", "2025-03", "2025-03", ""]
