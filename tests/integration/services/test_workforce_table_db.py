"""Integration: the workforce table from a GENERATED detailed CSV imported as published (ZIP).

The Black Country test of issue 12: 236 practices in one ICB whose generated rows add up to the
Black Country STP 2017 table (DESIGN.md) reproduce that table's row through the ICB table.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from gpworkforce import store
from gpworkforce.frames import MAPPING_COLUMNS
from gpworkforce.ingest import IngestError, IngestResult
from gpworkforce.services import datasets
from gpworkforce.services.workforce_table import NOT_LOADED, workforce_table

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ingest"))
from generate_detailed_csv import (
    BLACK_COUNTRY,
    DETAILED_WORKBOOK,
    black_country_practices,
    field_names,
    write_detailed_csv,
)

pytestmark = pytest.mark.shared_data
MONTH_NAME = "General Practice – November 2025 Practice Level - Detailed.csv"


def _load_practices(engine: Engine, practices: dict[str, dict[str, str | int | float]]) -> None:
    """Mapping (two sub-ICBs of one ICB, PCNs of ten practices) and patients of the practices."""
    rows = []
    for i, code in enumerate(practices):
        sub = "QUA01" if i < 118 else "QUA02"
        values = {c: "" for c in MAPPING_COLUMNS}
        values |= {
            "practice_code": code,
            "practice_name": f"Practice {i}",
            "pcn_code": f"U{i // 10:05d}",
            "pcn_name": f"PCN {i // 10}",
            "sub_icb_code": sub,
            "sub_icb_name": f"Sub-ICB {sub}",
            "icb_code": "QUA",
            "icb_name": "Black Country ICB",
            "region_code": "Y60",
            "region_name": "Midlands",
        }
        rows.append(values)
    mapping = pd.DataFrame(rows, columns=list(MAPPING_COLUMNS)).astype(str)
    patients = pd.DataFrame(
        {
            "practice_code": list(practices),
            "sex": "female",
            "age_band": "30_34",
            "patients": [int(v["TOTAL_PATIENTS"]) for v in practices.values()],
        }
    ).astype({"practice_code": str, "sex": str, "age_band": str, "patients": "int64"})
    with store.session_scope(engine, write=True) as s:
        store.save_dataset(s, IngestResult("mapping", mapping, "2025-11", "map.csv", len(mapping), ()))
        store.save_dataset(s, IngestResult("patients", patients, "2025-11", "pat.csv", len(patients), ()))


def _zip(path: Path) -> Path:
    archive = path.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w") as z:
        z.write(path, path.name)
    return archive


@pytest.fixture
def black_country(engine: Engine, shared_data: Path, tmp_path: Path) -> Engine:
    practices = black_country_practices()
    _load_practices(engine, practices)
    header = field_names(shared_data / DETAILED_WORKBOOK)
    csv_path = write_detailed_csv(tmp_path / MONTH_NAME, header, practices)
    done = datasets.import_published(engine, "workforce", _zip(csv_path))
    assert {s.kind for s in done} == {"workforce", "gp_age", "workforce_roles", "workforce_age"}
    return engine


def test_black_country_2017_row_is_reproduced(black_country: Engine) -> None:
    table = workforce_table(black_country, "QUA")
    total = next(r for r in table.rows if r.kind == "total")
    assert total.practices == BLACK_COUNTRY["practices"]
    assert total.patients == BLACK_COUNTRY["patients"]
    assert total.gp_headcount == BLACK_COUNTRY["gp_headcount"]
    assert total.gp_headcount_55_plus == BLACK_COUNTRY["gp_55_plus"]
    assert total.gp_headcount_60_plus == BLACK_COUNTRY["gp_60_plus"]
    assert total.fte["gp"] == pytest.approx(BLACK_COUNTRY["gp_fte"], abs=1e-6)  # registrars, locums left out
    assert total.fte_per_1000["gp"] == pytest.approx(681.6 / 1442.402)
    assert total.patients_per_fte["gp"] == pytest.approx(1_442_402 / 681.6)
    assert total.gp_fte_at_standard == pytest.approx(1442.402 * 0.58)
    assert total.gp_fte_vs_standard == pytest.approx(681.6 - 1442.402 * 0.58)
    organisations = [r for r in table.rows if r.kind == "organisation"]
    assert [r.code for r in organisations] == ["QUA01", "QUA02"] and table.level == "sub_icb"
    assert sum(r.practices for r in organisations) == 236
    assert sum(r.gp_headcount or 0 for r in organisations) == 882
    assert table.sources["gp"].startswith("published (detailed) 2025-11")


def test_by_pcn_and_a_user_standard(black_country: Engine) -> None:
    table = workforce_table(black_country, "QUA", by="pcn", standard=0.5)
    assert len([r for r in table.rows if r.kind == "organisation"]) == 24
    assert table.rows[-1].kind == "england" and table.standard_per_1000 == 0.5
    with pytest.raises(ValueError, match="standard"):
        workforce_table(black_country, "QUA", standard=-1)


def test_cli_and_api_give_the_same_row(black_country: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from gpworkforce.cli import app
    from gpworkforce.web.app import create_app

    url = black_country.url.render_as_string(hide_password=False)
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", url)
    result = CliRunner().invoke(app, ["workforce-table", "QUA", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    total = next(line for line in lines if ",total," in line)
    assert total.startswith("QUA,Black Country ICB,total,236,1442402")
    client = TestClient(create_app(url))
    body = client.get("/api/org/QUA/workforce-table").json()
    assert next(r for r in body["rows"] if r["kind"] == "total")["gp_headcount"] == 882
    xlsx = client.get("/org/QUA/download/workforce-table.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/api/org/NOPE/workforce-table").status_code == 404


def test_without_the_detailed_file_columns_say_not_loaded(engine: Engine) -> None:
    practices = {f"M8{i:04d}": {"TOTAL_PATIENTS": 1000} for i in range(3)}
    _load_practices(engine, practices)
    staff = pd.DataFrame(
        {"practice_code": list(practices), "staff": "gp", "fte": [1.0, 2.0, 3.0], "headcount": float("nan")}
    ).astype({"practice_code": str, "staff": str})
    with store.session_scope(engine, write=True) as s:
        store.save_dataset(s, IngestResult("workforce", staff, "FY2025", "heec.csv", 3, ()))
    table = workforce_table(engine, "QUA")
    total = next(r for r in table.rows if r.kind == "total")
    assert total.fte["gp"] == 6.0 and "detailed file not loaded" in table.sources["gp"]
    assert total.fte["anp"] is None and table.sources["anp"] == NOT_LOADED
    assert total.gp_headcount is None and table.sources["gp_headcount"] == NOT_LOADED
    frame = table.frame()
    assert set(frame["anp_fte"]) == {NOT_LOADED} and set(frame["gp_headcount_55_plus"]) == {NOT_LOADED}
    assert set(frame["nurse_fte"]) == {NOT_LOADED}  # no nurse totals loaded either: not zero


def test_missing_age_band_column_writes_nothing(engine: Engine, shared_data: Path, tmp_path: Path) -> None:
    practices = black_country_practices()
    _load_practices(engine, dict(list(practices.items())[:3]))
    header = field_names(shared_data / DETAILED_WORKBOOK)
    path = write_detailed_csv(
        tmp_path / MONTH_NAME, header, dict(list(practices.items())[:3]), drop=("TOTAL_GP_HC_55TO59",)
    )
    with pytest.raises(IngestError) as err:
        datasets.import_published(engine, "workforce", path)
    assert MONTH_NAME in str(err.value) and "TOTAL_GP_HC_55TO59" in str(err.value)
    with store.session_scope(engine) as s:
        kinds = set(store.list_datasets(s)["kind"])
    assert kinds == {"mapping", "patients"}


def test_practice_age_bands_for_the_supply_side(black_country: Engine) -> None:
    from gpworkforce.services.workforce_age import practice_age_bands

    gp = practice_age_bands(black_country, "gp")
    assert gp.source == "published (detailed) 2025-11" and gp.frame["headcount"].sum() == 882
    older = gp.frame[gp.frame["age_band"].isin(["55_59", "60_64", "65_69", "70_plus"])]
    assert older["headcount"].sum() == 216
    nurse = practice_age_bands(black_country, "nurse")
    assert nurse.frame["headcount"].sum() == 0  # the generator gives them no nurses (0, published)
    with pytest.raises(ValueError):
        practice_age_bands(black_country, "doctor")


def test_no_age_data_without_the_file(engine: Engine) -> None:
    from gpworkforce.services.workforce_age import NO_AGE_DATA, practice_age_bands

    bands = practice_age_bands(engine, "nurse")
    assert bands.source == NO_AGE_DATA and bands.frame.empty
