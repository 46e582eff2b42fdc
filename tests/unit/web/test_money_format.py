"""Unit: pounds on the pages, said as a reader would (costs are estimates: three figures at most)."""

from __future__ import annotations

import math

from gpworkforce.web.formatting import fmt_money


def test_money_is_rounded_to_three_figures_and_named_in_millions() -> None:
    assert fmt_money(159_998.4) == "£160,000"
    assert fmt_money(91_877) == "£91,900"
    assert fmt_money(2_430_000) == "£2.4 million"
    assert fmt_money(3.1e9) == "£3.1 billion"
    assert fmt_money(642.4) == "£642"
    assert fmt_money(-12_345) == "-£12,300"
    assert fmt_money(None) == "–" and fmt_money(math.nan) == "–"
