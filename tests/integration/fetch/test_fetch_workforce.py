"""Integration: ``fetch`` downloads the latest monthly "Practice Level - Detailed" workforce CSV
from a fake NHS site on loopback (a generated copy) and stores its roles and age bands."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from gpworkforce import store
from gpworkforce.services.fetching import FetchStatus, fetch_newer

from .conftest import PRACTICES, FakeSite, make_zip, page
from .test_fetch import load_july

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ingest"))
from generate_detailed_csv import DETAILED_WORKBOOK, field_names, gp_practice, write_detailed_csv

pytestmark = pytest.mark.shared_data
SERIES = "/data-and-information/publications/statistical/general-and-personal-medical-services"
MEMBER = "1 General Practice – {month} Practice Level - Detailed.csv"


def _release(site: FakeSite, tmp: Path, shared: Path, slug: str, month_words: str) -> tuple[str, str]:
    header = field_names(shared / DETAILED_WORKBOOK)
    values = {
        code: gp_practice(partner_fte=1.0, salaried_fte=0.5, ages={"55TO59": 1, "40TO44": 1}) for code in PRACTICES
    }
    csv_path = write_detailed_csv(tmp / MEMBER.format(month=month_words), header, values)
    zip_name = f"gp-workforce-practice-level-detailed-{slug}.zip"
    site.routes[f"/files/gpw/{slug}/{zip_name}"] = make_zip({csv_path.name: csv_path.read_bytes()})
    release = f"{SERIES}/{slug}"
    site.routes[release] = page(f"General Practice Workforce {month_words}", [(f"/files/gpw/{slug}/{zip_name}", "CSV")])
    return release, zip_name


def test_latest_detailed_month_is_fetched_and_its_roles_stored(
    sqlite_engine: Engine, site: FakeSite, tmp_path: Path, shared_data: Path
) -> None:
    load_july(sqlite_engine, tmp_path)
    july, _ = _release(site, tmp_path, shared_data, "31-july-2026", "July 2026")
    august, zip_name = _release(site, tmp_path, shared_data, "31-august-2026", "August 2026")
    site.routes[SERIES] = page("General and Personal Medical Services", [(july, "July 2026"), (august, "August 2026")])

    outcomes = fetch_newer(sqlite_engine, ("workforce",), {"workforce": site.base_url})

    assert [(o.kind, o.status, o.month) for o in outcomes] == [("workforce", FetchStatus.imported, "2026-08")]
    assert site.downloaded() == [zip_name]  # an empty store takes only the newest release
    kinds = {s.kind: s.period for o in outcomes for s in o.imported}
    assert kinds == dict.fromkeys(("workforce", "gp_age", "workforce_roles", "workforce_age"), "2026-08")
    with store.session_scope(sqlite_engine) as s:
        roles, _ = store.load_frame(s, "workforce_roles")
    partners = roles[roles["role"] == "gp_partner"]
    assert sorted(partners["practice_code"]) == sorted(PRACTICES) and set(partners["fte"]) == {1.0}

    again = fetch_newer(sqlite_engine, ("workforce",), {"workforce": site.base_url})
    assert [o.status for o in again] == [FetchStatus.up_to_date]
