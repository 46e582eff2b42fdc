"""Unit: the scenarios of a sweep from a grid or a file, and the messages that refuse bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpworkforce.scenario import Scenario
from gpworkforce.services import sweep_spec
from gpworkforce.services.sweep_spec import SweepInputError, file_scenarios, grid_scenarios


def test_grid_is_the_cartesian_product_last_item_fastest() -> None:
    got = grid_scenarios(["year=2026,2030", "shift_share=0,0.2,0.4", "added_fte.pharmacist=none,50"])
    assert len(got) == 12
    assert got[0] == Scenario(year=2026)
    assert got[1] == Scenario(year=2026, added_fte={"pharmacist": 50})
    assert got[2] == Scenario(year=2026, shift_share=0.2)
    assert got[-1] == Scenario(year=2030, shift_share=0.4, added_fte={"pharmacist": 50})


def test_grid_reads_booleans_choices_and_minutes() -> None:
    got = grid_scenarios(["local_calibration=false", "capacity_standard=safe,throughput", "minutes.gp=12"])
    assert [s.capacity_standard for s in got] == ["safe", "throughput"]
    assert all(s.local_calibration is False and s.minutes == {"gp": 12.0} for s in got)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["yeer=2030"], "--grid 'yeer=2030': unknown scenario field 'yeer' (did you mean year?)"),
        (["year"], "expected FIELD=VALUE"),
        (["year=2030", "year=2031"], "year is given twice"),
        (["shift_share=0,2"], "--grid shift_share=2, field shift_share: Input should be less than or equal to 1"),
        (["added_fte.wizard=1"], "field added_fte.wizard: Value error, unknown role 'wizard'"),
        (["minutes.gp=1"], "field minutes.gp: Input should be greater than or equal to 5"),
        (["added_fte=1"], "unknown scenario field 'added_fte'"),
        ([], "--grid: no scenarios to sweep"),
    ],
)
def test_bad_grid_names_the_item_and_field(items: list[str], message: str) -> None:
    with pytest.raises(SweepInputError) as exc:
        grid_scenarios(items)
    assert message in str(exc.value)


def test_grid_larger_than_the_limit_is_refused_before_it_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sweep_spec, "MAX_SCENARIOS", 5)
    assert len(grid_scenarios(["shift_share=0,0.1,0.2,0.3,0.4"])) == 5
    with pytest.raises(SweepInputError, match="more than 5 scenarios"):
        grid_scenarios(["shift_share=0,0.1,0.2", "year=2030,2031"])


def test_json_file_gives_each_scenario(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps([{}, {"year": 2030, "added_fte": {"pharmacist": 2}}]))
    assert file_scenarios(path) == [Scenario(), Scenario(year=2030, added_fte={"pharmacist": 2})]


def test_csv_file_gives_each_row_blank_cells_default(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("year,shift_share,added_fte.pharmacist,capacity_standard\n2030,0.1,,\n,0,3,safe\n\n")
    assert file_scenarios(path) == [
        Scenario(year=2030, shift_share=0.1),
        Scenario(added_fte={"pharmacist": 3}, capacity_standard="safe"),
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("s.json", '[{"year": 2030}, {"year": 1900}]', "s.json, scenario 2, field year: Input should be greater"),
        ("s.json", '[{"shift": 0.1}]', "s.json, scenario 1, field shift: Extra inputs are not permitted"),
        ("s.json", '{"year": 2030}', "s.json: expected a JSON list of scenario objects, got dict"),
        ("s.json", "[1]", "s.json, scenario 1: expected a scenario object, got int"),
        ("s.json", "[{", "s.json: not JSON"),
        ("s.json", "[]", "s.json: no scenarios to sweep"),
        ("s.csv", "year,dna_rate\n2030,0.03\n2031,0.9\n", "s.csv, row 3, field dna_rate: Input should be less"),
        ("s.csv", "year,dna\n2030,0.03\n", "s.csv, row 1 (header), column 'dna': unknown scenario field 'dna'"),
        ("s.csv", "year,shift_share\n2030\n", "s.csv, row 2: 1 cells, the header has 2"),
        ("s.csv", "year,year\n2030,2030\n", "s.csv, row 1 (header): a column is named twice"),
        ("s.csv", "", "s.csv: empty file"),
        ("s.yaml", "- year: 2030\n", "s.yaml: a scenario file is .json"),
    ],
)
def test_bad_file_names_file_row_and_field(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SweepInputError) as exc:
        file_scenarios(path)
    assert message in str(exc.value)
