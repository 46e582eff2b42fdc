"""Integration: a GENERATED NHS detailed CSV gives the supply inputs practice nurses' ages and qualified
permanent GPs' ages (not all GPs': registrars and locums are not the model's GP role)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from gpworkforce.reference.supply import SUPPLY_BANDS
from gpworkforce.services import datasets
from gpworkforce.services.retirement import retirement_report
from gpworkforce.services.supply_inputs import ESTIMATE, PUBLISHED, published_inputs
from gpworkforce.services.versions import open_workspace

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ingest"))
from generate_detailed_csv import DETAILED_WORKBOOK, field_names, gp_practice, write_detailed_csv
from test_workforce_table_db import _load_practices  # the same mapping and patients: one ICB, QUA

pytestmark = pytest.mark.shared_data
MONTH_NAME = "General Practice – November 2025 Practice Level - Detailed.csv"


def _practices() -> dict[str, dict]:
    """A: 3 qualified GPs (two 55-59, one 40-44) and a registrar aged 30-34; nurses under 25 (1) and
    60-64 (2). B: 2 qualified GPs aged 60-64; nurses with no published ages."""
    a = gp_practice(partner_fte=2.0, salaried_fte=1.0, registrar_fte=1.0, ages={"55TO59": 2, "40TO44": 1, "30TO34": 1})
    a |= {"TOTAL_GP_EXTGL_HC": 3, "TOTAL_GP_EXTGL_HC_55TO59": 2, "TOTAL_GP_EXTGL_HC_40TO44": 1}
    a |= {"TOTAL_NURSES_FTE": 2.4, "TOTAL_NURSES_HC": 3, "TOTAL_N_PRAC_NURSE_FTE": 2.4, "TOTAL_N_PRAC_NURSE_HC": 3}
    a |= {"TOTAL_NURSES_HC_UNDER25": 1, "TOTAL_NURSES_HC_60TO64": 2, "TOTAL_PATIENTS": 6000}
    b = gp_practice(partner_fte=2.0, salaried_fte=0.0, ages={"60TO64": 2})
    b |= {"TOTAL_GP_EXTGL_HC_60TO64": 2, "TOTAL_NURSES_FTE": 1.0, "TOTAL_NURSES_HC": 1}
    b |= {"TOTAL_N_PRAC_NURSE_FTE": 1.0, "TOTAL_N_PRAC_NURSE_HC": 1, "TOTAL_PATIENTS": 4000}
    return {"M85001": a, "M85002": b}


@pytest.fixture
def detailed(engine: Engine, shared_data: Path, tmp_path: Path) -> Engine:
    practices = _practices()
    _load_practices(engine, practices)
    csv_path = write_detailed_csv(tmp_path / MONTH_NAME, field_names(shared_data / DETAILED_WORKBOOK), practices)
    done = datasets.import_published(engine, "workforce", csv_path)
    assert "workforce_age" in {s.kind for s in done}
    return engine


def test_nurse_and_qualified_gp_ages_feed_the_supply_inputs(detailed: Engine) -> None:
    data = open_workspace(detailed.url.render_as_string(hide_password=False)).version().data
    codes = list(data.practices["practice_code"])
    rows = np.array([codes.index("M85001"), codes.index("M85002")])
    inp = published_inputs(data, rows)
    assert inp.source.tolist() == [[PUBLISHED, PUBLISHED], [PUBLISHED, ESTIMATE]]
    band = {b: i for i, b in enumerate(SUPPLY_BANDS)}
    # A's GPs: the qualified permanent GPs' shares (2/3 aged 55-59, 1/3 40-44), not the registrar's 30-34
    gp = inp.known[0, 0]
    assert gp.sum() == pytest.approx(inp.known[0, 0].sum()) and gp.sum() > 0
    assert gp[band["55_59"]] / gp.sum() == pytest.approx(2 / 3)
    assert gp[band["40_44"]] / gp.sum() == pytest.approx(1 / 3)
    assert gp[band["30_34"]] == 0
    # A's practice nurses: 1 of 3 under 25 (the under-30 band), 2 of 3 aged 60-64
    nurse = inp.known[0, 1]
    assert nurse.sum() == pytest.approx(inp.fte[0, 1] / inp.fte_per_head[0, 1])
    assert nurse[band["under_30"]] == pytest.approx(nurse.sum() / 3)
    assert nurse[band["60_64"]] == pytest.approx(nurse.sum() * 2 / 3)
    assert inp.known[1, 1].sum() == 0 and inp.unknown[1, 1] > 0  # B's nurses: no ages, England's profile


def test_retirement_rag_has_nurse_ages(detailed: Engine) -> None:
    version = open_workspace(detailed.url.render_as_string(hide_password=False)).version()
    table = retirement_report(version, "QUA").frames()["practices"]
    nurses = table[table["role"] == "practice_nurse"].set_index("practice_code")
    assert nurses.loc["M85001", "age_source"] == PUBLISHED
    assert nurses.loc["M85002", "age_source"] == "no age data"
