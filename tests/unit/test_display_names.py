"""Organisation names as people write them (nomenclature.display_name)."""

from __future__ import annotations

import pytest

from gpworkforce.nomenclature import display_name


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("THE DENSHAM SURGERY", "The Densham Surgery"),
        ("NPC NORTH TYNESIDE", "NPC North Tyneside"),  # not "Npc North Tyneside"
        ("SWB PCN", "SWB PCN"),  # vowelless words are acronyms
        ("KWH PCN", "KWH PCN"),
        ("MY GP PRACTICE", "My GP Practice"),
        ("NHS NORTH EAST AND NORTH CUMBRIA", "NHS North East and North Cumbria"),
        ("DR SMITH & PTNRS", "Dr Smith & Ptnrs"),  # abbreviations of words are not acronyms
        ("ST. MARY'S SURGERY", "St. Mary's Surgery"),
        ("HEALTH CENTRE 2", "Health Centre 2"),
        ("NHS North East and North Cumbria ICB - 16C", "NHS North East and North Cumbria ICB - 16C"),  # mixed: as is
        (None, ""),
    ],
)
def test_display_name(raw: str | None, shown: str) -> None:
    assert display_name(raw) == shown
