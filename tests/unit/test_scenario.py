"""Unit: a scenario written down as text (share links, saved-scenario links, workbooks)."""

from __future__ import annotations

import pytest

from gpworkforce.scenario import Scenario


@pytest.mark.parametrize(
    ("scenario", "fields"),
    [
        (Scenario(), {}),
        (Scenario(year=2030, shift_share=0.3), {"year": "2030", "shift_share": "0.3"}),
        (
            Scenario(added_fte={"pharmacist": 1.5, "gp": -0.5}, minutes={"gp": 12.0}, local_calibration=False),
            {"added_fte.gp": "-0.5", "added_fte.pharmacist": "1.5", "minutes.gp": "12", "local_calibration": "false"},
        ),
        (
            Scenario(dna_rate=0.05, growth_rate=0.01, demand_change=-0.02),
            {"dna_rate": "0.05", "growth_rate": "0.01", "demand_change": "-0.02"},
        ),
    ],
)
def test_changed_fields_are_the_fields_that_differ_from_the_baseline(
    scenario: Scenario, fields: dict[str, str]
) -> None:
    assert scenario.changed_fields() == fields


def test_changed_fields_list_roles_in_order_and_keep_field_order() -> None:
    fields = Scenario(minutes={"pharmacist": 15.0, "gp": 10.0}, year=2035).changed_fields()
    assert list(fields) == ["year", "minutes.gp", "minutes.pharmacist"]


def test_a_value_equal_to_the_baseline_is_left_out() -> None:
    assert Scenario(shift_share=0.0, demand_change=0.0, local_calibration=True).changed_fields() == {}


def test_capacity_standard_is_a_choice_with_a_stated_default() -> None:
    from pydantic import ValidationError

    from gpworkforce.cli.options import Standard
    from gpworkforce.scenario import CAPACITY_STANDARDS, DEFAULT_CAPACITY_STANDARD

    assert Scenario().capacity_standard == DEFAULT_CAPACITY_STANDARD == "reference"
    assert tuple(s.value for s in Standard) == CAPACITY_STANDARDS  # the CLI's choices are the Scenario's
    assert Scenario(capacity_standard="throughput").changed_fields() == {"capacity_standard": "throughput"}
    assert Scenario(capacity_standard="reference").changed_fields() == {}
    with pytest.raises(ValidationError, match="capacity_standard"):
        Scenario(capacity_standard="fastest")  # type: ignore[arg-type]
