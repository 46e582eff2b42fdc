"""Unit: the panel's levers and the API's parameters come from Scenario's bounds; field errors
come from ``ValidationError.errors()`` and name the panel's label."""

from __future__ import annotations

import pytest

from gpworkforce.scenario import Scenario
from gpworkforce.web.routes.api import SCENARIO_DOC
from gpworkforce.web.scenario_form import LEVERS, ScenarioError, field_bounds, parse_scenario, scenario_from_params


def test_levers_take_bounds_from_scenario() -> None:
    assert [lv.name for lv in LEVERS] == ["year", "shift_share", "dna_rate", "demand_change", "growth_rate"]
    for lever in LEVERS:
        low, high = field_bounds(lever.name)
        assert (lever.valid_min, lever.valid_max) == (low, high)
        assert low is not None and high is not None and low <= lever.minimum < lever.maximum <= high


def test_api_parameters_take_bounds_from_scenario() -> None:
    schema = {p["name"]: p["schema"] for p in SCENARIO_DOC["parameters"]}
    for lever in LEVERS:
        assert (schema[lever.name]["minimum"], schema[lever.name]["maximum"]) == field_bounds(lever.name)
    assert (schema["minutes.gp"]["minimum"], schema["minutes.gp"]["maximum"]) == (5, 60)
    assert (schema["added_fte.gp"]["minimum"], schema["added_fte.gp"]["maximum"]) == (-10_000, 10_000)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"dna_rate": "0.9"}, "dna_rate", "Missed appointments (DNA rate): must be at most 50%"),
        ({"shift_share": "-0.1"}, "shift_share", "GP work moved to other roles: must be at least 0%"),
        ({"year": "2100"}, "year", "Year: must be at most 2050"),
        ({"dna_rate": "x"}, "dna_rate", "Missed appointments (DNA rate): 'x' is not a number"),
        (
            {"minutes.gp": "0"},
            "minutes.gp",
            "Slot length in minutes: GP (qualified, permanent): minutes for gp must be between 5 and 60",
        ),
        ({"added_fte.anp": "1e6"}, "added_fte.anp", "added FTE for anp is out of range"),
        ({"minutes.admin": "10"}, "minutes.admin", "unknown clinical role 'admin'"),
        ({"added_fte.wizard": "1"}, "added_fte.wizard", "added_fte.wizard: unknown role 'wizard'"),
        ({"warp_speed": "9"}, "warp_speed", "warp_speed: not a scenario setting"),
    ],
)
def test_errors_name_the_field(params: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_params(params)
    assert caught.value.field == field
    assert message in caught.value.message
    assert caught.value.field_id == "lever-" + field.replace(".", "-")


def test_parse_scenario_round_trip() -> None:
    scenario, params = parse_scenario(
        {"year": "2030", "shift_share": "0.3", "added_fte.pharmacist": "1.5", "sort": "gap", "panel": "1"}, 2024
    )
    assert scenario == Scenario(year=2030, shift_share=0.3, added_fte={"pharmacist": 1.5})
    assert scenario_from_params(params) == scenario
    base, _ = parse_scenario({"year": "2024"}, 2024)
    assert base.year is None  # the base year means "no projection"


def test_panel_calibration_switches_unticked_mean_off() -> None:
    # the panel sends calibration_set=1 beside its checkboxes; an unticked box is not sent at all
    off, params = parse_scenario({"panel": "1", "calibration_set": "1", "local_calibration": "true"}, 2024)
    assert off == Scenario(subicb_calibration=False)
    assert params == {"subicb_calibration": "false"}
    assert scenario_from_params(params) == off  # the share link reads back the same
    both, _ = parse_scenario({"calibration_set": "1"}, 2024)
    assert not both.subicb_calibration and not both.local_calibration
    # a share link or the API without the marker: a missing switch keeps its default (on)
    default, params = parse_scenario({"panel": "1", "month": "2026-11"}, 2024)
    assert default == Scenario() and params == {}


def test_every_invalid_field_is_reported_in_panel_order() -> None:
    params = {"minutes.gp": "x", "shift_share": "9", "year": "3000", "added_fte.anp": "-1e9", "nonsense": "1"}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_params(params)
    fields = [p.field for p in caught.value.problems]
    assert fields == ["year", "shift_share", "added_fte.anp", "minutes.gp", "nonsense"]
    assert caught.value.field == "year"  # the first, for callers that name one field
    assert [item["href"] for item in caught.value.error_list] == [
        "#lever-year",
        "#lever-shift_share",
        "#lever-added_fte-anp",
        "#lever-minutes-gp",
        "#lever-nonsense",
    ]
    assert "'x' is not a number" in str(caught.value) and "must be at most 100%" in str(caught.value)


def test_pages_ignore_unknown_fields_the_api_refuses_them() -> None:
    tracked = {"shift_share": "0.2", "utm_source": "email", "fbclid": "abc"}
    scenario, params = parse_scenario(tracked, 2026, strict=False)
    assert scenario.shift_share == 0.2 and params == {"shift_share": "0.2"}  # the share link drops them
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(tracked, 2026)
    assert [p.field for p in caught.value.problems] == ["utm_source", "fbclid"]  # as found
    with pytest.raises(ScenarioError):  # lenient about names, never about values
        parse_scenario({"shift_share": "9", "utm_source": "email"}, 2026, strict=False)
