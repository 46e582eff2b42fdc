"""Integration: the validation rows that need an earlier practice-level month, on a copy of the
national database with a constructed second month (only one real practice month is published
in ../shared/data, October 2025)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from gpworkforce import store
from gpworkforce.services import validation
from gpworkforce.services.versions import open_workspace

OWN = "population + sub-ICB + practice's own previous month"
POP_SUB = "population + sub-ICB calibration"


def _practices_rows(report: validation.ValidationReport) -> dict[str, validation.ValidationRow]:
    return {r.predictor: r for r in report.rows if r.check.startswith("out-of-region practices")}


@pytest.fixture(scope="module")
def two_months(national_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national database plus a September 2025 practice month: each practice's October count
    x 0.9, so every practice's share of its sub-ICB is exactly October's."""
    path = tmp_path_factory.mktemp("validation") / "gpworkforce.db"
    shutil.copyfile(national_sqlite_template, path)
    engine = store.make_engine(f"sqlite:///{path}")
    with store.session_scope(engine) as s:
        october, period = store.load_frame(s, "appointments")
        assert period == "2025-10"
        september = october.groupby("practice_code", as_index=False).agg(
            {c: "first" for c in october.columns if c not in ("practice_code", "appointments")}
            | {"appointments": "sum"}
        )
        september["appointments"] = np.round(september["appointments"] * 0.9).astype("int64")
        store.save_dataset(s, "appointments", "2025-09", september, "constructed for the test")
    engine.dispose()
    return path


def test_one_month_leaves_the_own_month_rows_empty_and_says_what_they_need(national_sqlite_template: Path) -> None:
    rows = _practices_rows(validation.validate(open_workspace(f"sqlite:///{national_sqlite_template}")))
    assert rows[OWN].n == 0
    assert "2025-09" in rows[OWN].note
    last_year = rows["last year's appointments (2024-10) x England's change"]
    assert last_year.n == 0 and "2024-10" in last_year.note


def test_the_practice_layer_from_the_previous_month_is_judged_when_it_is_loaded(two_months: Path) -> None:
    rows = _practices_rows(validation.validate(open_workspace(f"sqlite:///{two_months}")))
    own, pop_sub = rows[OWN], rows[POP_SUB]
    assert own.n == pop_sub.n > 2000
    assert own.median_ape is not None and pop_sub.median_ape is not None
    # September's shares are October's, so only the sub-ICB's level is left to miss
    assert own.median_ape < 0.5 * pop_sub.median_ape
    assert own.r is not None and own.r > 0.99
    persistence = rows["previous month's appointments (2025-09) x England's change"]
    assert persistence.n == own.n and persistence.r is not None and persistence.r > 0.999
    assert f"{own.n} of {own.n} practices have 2025-09" in own.note
