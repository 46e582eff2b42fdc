"""Organisation search on all of England: misspellings, postcodes without the space, ONS codes,
places, and every match returned (the web pages them)."""

from __future__ import annotations

import pandas as pd
import pytest

from gpworkforce.services.org_search import normalise, search, trigrams
from gpworkforce.services.versions import DataVersion, Workspace


@pytest.fixture(scope="module")
def version(ctx: Workspace) -> DataVersion:
    return ctx.version()


def codes(table: pd.DataFrame) -> list[str]:
    return table["code"].tolist()


def test_keys_and_trigrams() -> None:
    assert normalise("St. Mary's  surgery") == "ST MARY S SURGERY"
    assert trigrams("DENSAM") == {" DE", "DEN", "ENS", "NSA", "SAM", "AM "}
    assert trigrams("") == set()


def test_a_misspelt_name_finds_the_practice_first(version: DataVersion) -> None:
    found = search(version, "Densam")
    assert codes(found)[0] == "A81001"
    assert found["match"].iat[0] == "similar name"
    assert search(version, "densham surgery")["code"].iat[0] == "A81001"  # spelt right: a name match
    assert search(version, "zzqqxx").empty


def test_postcode_with_or_without_the_space_any_case(version: DataVersion) -> None:
    spaced, packed, lower = (codes(search(version, q)) for q in ("TS18 1HU", "TS181HU", "ts181hu"))
    assert spaced == packed == lower
    assert set(spaced[:2]) == {"A81001", "A81025"}  # both practices at TS18 1HU, found exactly
    assert search(version, "TS181HU")["match"].iat[0] == "postcode"
    district = search(version, "ts18")
    assert "A81001" in codes(district) and len(district) > 2


@pytest.mark.parametrize(
    ("ons", "level", "code"),
    [("E54000050", "icb", "QHM"), ("e38000247", "sub_icb", "16C"), ("E40000012", "region", "Y63")],
)
def test_ons_codes_are_searchable(version: DataVersion, ons: str, level: str, code: str) -> None:
    found = search(version, ons)
    assert (found["level"].iat[0], found["code"].iat[0], found["match"].iat[0]) == (level, code, "ONS code")


def test_a_place_finds_its_sub_icb_and_the_practices_there(version: DataVersion) -> None:
    found = search(version, "Stockton")
    sub_icbs = found[found["level"] == "sub_icb"]
    assert codes(sub_icbs) == ["16C"] and sub_icbs["match"].iat[0] == "place"
    practices = found[found["level"] == "practice"]
    assert {"A81001", "A81002"} <= set(codes(practices))  # in Stockton PCN and North Stockton PCN
    # ranked: the PCNs named Stockton before the sub-ICB holding them, before their practices
    assert found["level"].tolist().index("pcn") < found["level"].tolist().index("sub_icb")


def test_every_match_is_returned_not_only_twenty(version: DataVersion) -> None:
    found = search(version, "surgery")
    assert len(found) > 100
    assert not found.duplicated(["level", "code"]).any()
