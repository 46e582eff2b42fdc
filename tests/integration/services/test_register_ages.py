"""Integration: a practice's staff register feeds retirement risk and the supply projection with
its own people's ages (source "register"), replacing the published or missing age data."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from gpworkforce import store
from gpworkforce.services.register import LOCAL_OPERATOR, add_staff
from gpworkforce.services.retirement import retirement_report
from gpworkforce.services.supply import supply_report
from gpworkforce.services.versions import Workspace, open_workspace


@pytest.fixture(scope="module")
def ws(national_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    path = tmp_path_factory.mktemp("register_ages") / "db.sqlite"
    shutil.copyfile(national_sqlite_template, path)
    return open_workspace(f"sqlite:///{path}")


def _practice(ws: Workspace) -> str:
    """A practice with GP FTE and no PCN share of GPs (so the register GP is its only GP)."""
    data = ws.version().data
    gp = 0
    ok = np.flatnonzero((data.fte_practice[:, gp] > 0) & (data.fte_pcn[:, gp] == 0))
    return str(data.practices["practice_code"].iloc[ok[0]])


def test_single_handed_gp_aged_62_on_the_register_turns_the_practice_red(ws: Workspace) -> None:
    code = _practice(ws)
    before = retirement_report(ws.version(), code).frames()["practices"]
    gp_before = before[before["role"] == "gp"].iloc[0]
    assert gp_before["rag"] == "no age data"  # the snapshot has no GP ages
    born = datetime.now(UTC).year - 62
    with store.session_scope(ws.engine, write=True) as s:
        values = {"role": "gp", "contract_type": "partner", "fte": "1", "birth_year": str(born),
                  "start_date": "2010-04-01"}  # fmt: skip
        add_staff(s, LOCAL_OPERATOR, code, values, ws.version())
        nurse = {**values, "role": "practice_nurse", "contract_type": "salaried", "birth_year": "",
                 "age_band": "40_44", "fte": "0.5"}  # fmt: skip
        add_staff(s, LOCAL_OPERATOR, code, nurse, ws.version())
    version = ws.version()
    report = retirement_report(version, code)
    table = report.frames()["practices"]
    gp = table[table["role"] == "gp"].iloc[0]
    assert (gp["rag"], gp["age_source"], gp["heads"]) == ("red", "register", 1.0)
    assert "single-handed GP aged 60+" in gp["reasons"]
    assert gp["heads_60_plus"] == 1.0 and gp["fte"] == pytest.approx(1.0)
    nurse = table[table["role"] == "practice_nurse"].iloc[0]
    assert (nurse["age_source"], nurse["heads_55_plus"]) == ("register", 0.0)
    assert any("staff register" in n for n in report.notes)
    supply = supply_report(version, code, years=2, draws=20)
    assert supply.summary.practices_age_register == 1
    assert supply.summary.gp_fte_now == pytest.approx(1.0)
