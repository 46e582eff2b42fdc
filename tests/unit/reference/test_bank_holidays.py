"""Unit: the bank-holiday table equals the published rules plus the listed one-offs, and the rules
give the dates GOV.UK lists (England and Wales)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from gpworkforce.reference.bank_holidays import (
    CSV,
    GOVUK,
    ONE_OFF,
    YEARS,
    by_rule,
    easter_sunday,
    generate,
    load_bank_holidays,
)


def _dates(year: int) -> list[str]:
    frame = generate(range(year, year + 1))
    return frame["date"].to_list()


def test_shipped_table_is_the_generated_one() -> None:
    shipped = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(shipped, generate())
    assert shipped["date"].str[:4].astype(int).min() == 2020 and YEARS[-1] >= 2040
    assert (shipped["date"].str[:4] == "2040").sum() == 8


@pytest.mark.parametrize(
    "year, expected",
    [
        # GOV.UK, https://www.gov.uk/bank-holidays (England and Wales)
        (2025, ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"]),
        (2026, ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"]),
        (2027, ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"]),
        (2021, ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"]),
        # one-offs: VE day moved early May; jubilee moved spring and added a day; state funeral
        (2020, ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"]),
        (2022, ["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"]),
        (2023, ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"]),
    ],
)
def test_dates_match_govuk(year: int, expected: list[str]) -> None:
    assert _dates(year) == [f"{year}-{d}" for d in expected]


def test_easter_and_substitute_days() -> None:
    assert easter_sunday(2024) == dt.date(2024, 3, 31)
    assert easter_sunday(2038) == dt.date(2038, 4, 25)  # the latest possible
    # Christmas on a Sunday: Boxing Day stays on Monday, Christmas moves to Tuesday 27
    names = dict(by_rule(2033))
    assert names[dt.date(2033, 12, 26)] == "Boxing Day"
    assert names[dt.date(2033, 12, 27)] == "Christmas Day (substitute day)"


def test_sources_name_govuk_and_each_one_off() -> None:
    table = generate()
    by_date = dict(zip(table["date"], table["source"], strict=True))
    assert by_date["2025-12-25"] == GOVUK
    assert "rules" in by_date["2035-12-25"]
    for one in ONE_OFF:
        assert by_date[one.date.isoformat()] == one.source


def test_loaded_dates_are_read_only_days() -> None:
    days = load_bank_holidays()
    assert str(days.dtype) == "datetime64[D]" and len(days) == len(generate())
    assert not days.flags.writeable
