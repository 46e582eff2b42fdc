"""Trust: a corrected or estimated FTE is said wherever its figures are shown (page notice, table
tag, API field, notes, downloads), extreme values carry a data-quality flag, the gap is explained,
and the methodology page gives the loaded data's dates."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
import test_corr_fixtures as shared
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from web_helpers import Person

from gpworkforce.services.children import by_level_report
from gpworkforce.services.versions import Workspace

clean_corrections = shared.clean_corrections
ctx = shared.ctx
engine = shared.engine
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in
app = shared.app

pytestmark = pytest.mark.usefixtures("clean_corrections")

HOME = "A81001"
MakeUser = Callable[..., Person]
SignedIn = Callable[[Person], Any]


def _estimated_practice(ctx: Workspace) -> tuple[str, str]:
    """A practice whose clinical FTE is estimated in the snapshot, and its PCN."""
    nd = ctx.version().data
    code = str(nd.practices["practice_code"][nd.fte_source == "estimate"].iloc[0])
    pcn = str(nd.practices.set_index("practice_code").loc[code, "pcn_code"])
    return code, pcn


def test_a_correction_is_said_on_the_public_page_api_notes_and_excel(
    ctx: Workspace, make_user: MakeUser, signed_in: SignedIn, app: Any
) -> None:
    client, token = signed_in(make_user("practice_manager", HOME))
    assert (
        client.put(f"/api/practices/{HOME}/fte", json={"gp": 8.5}, headers={"X-CSRF-Token": token}).status_code == 200
    )

    with TestClient(app) as anonymous:
        page = anonymous.get(f"/org/{HOME}").text
        notice = re.search(r'id="fte-provenance">(.*?)</div>', page, re.S)
        assert notice, "no visible FTE notice near the capacity figures"
        text = re.sub(r"\s+", " ", notice.group(1))
        assert "FTE corrected" in text and "1 corrected by a user" in text
        assert f"{HOME} by Practice manager, {HOME}" in text and "@" not in text
        assert "includes FTE of 1 corrected practice" in page  # on the capacity card itself
        caption = re.search(r'<figcaption class="nhsuk-body-s">Weekly demand and capacity.*?</figcaption>', page, re.S)
        assert caption and "1 corrected by a user" in caption.group(0)  # and in the chart's note

        gap = anonymous.get(f"/api/org/{HOME}/gap").json()
        prov = gap["fte_provenance"]
        assert (prov["corrected"], prov["published"], prov["estimated"]) == (1, 0, 0)
        (fix,) = prov["corrections"]
        assert fix["practice_code"] == HOME and fix["roles"] == ["gp"]
        assert fix["corrected_by"] == f"Practice manager, {HOME}" and fix["corrected_at"]
        assert any("corrected by a user" in n for n in gap["notes"])

        pcn = str(ctx.version().data.practices.set_index("practice_code").loc[HOME, "pcn_code"])
        rows = anonymous.get(f"/api/org/{pcn}/children").json()["tables"]["organisations"]
        assert {r["code"]: r["fte_flag"] for r in rows}[HOME] == "FTE corrected"
        csv = anonymous.get(f"/org/{pcn}/download/children.csv").text
        header = csv.splitlines()[0].split(",")
        assert "fte_source" in header and "fte_flag" in header
        assert any(line.startswith(HOME) and "FTE corrected" in line for line in csv.splitlines())

        book = load_workbook(io.BytesIO(anonymous.get(f"/org/{HOME}/download/capacity_roles.xlsx").content))
        notes = " ".join(str(c.value) for row in book["notes"].iter_rows() for c in row if c.value)
        assert "corrected by a user" in notes and f"Practice manager, {HOME}" in notes


def test_an_estimated_practice_is_flagged_on_its_page_and_in_its_pcn_table(ctx: Workspace, app: Any) -> None:
    code, pcn = _estimated_practice(ctx)
    with TestClient(app) as client:
        page = client.get(f"/org/{code}").text
        notice = re.search(r'id="fte-provenance">(.*?)</div>', page, re.S)
        assert notice and "FTE estimated" in notice.group(1) and "1 estimated" in notice.group(1)
        table = client.get(f"/org/{pcn}").text
        assert re.search(rf'data-fte-flag="{code}">FTE estimated<', table)
        assert 'id="children-legend"' in table and "FTE estimated: NHS England" in table


def test_extreme_values_carry_a_check_the_data_flag(ctx: Workspace, app: Any) -> None:
    frame = by_level_report(ctx.version(), "england", "practice").frames()["organisations"]
    general = ctx.version().reference.general
    extreme = frame[frame["gap_share_of_demand"] < general["quality_min_gap_share"]]
    assert len(extreme) > 0 and extreme["data_check"].str.contains(r"^Check the data: .*gap -\d+% of demand").all()
    ordinary = frame[frame["gap_share_of_demand"].between(-0.5, 0.5) & (frame["patients_per_gp_fte"] < 3000)]
    assert (ordinary["data_check"] == "").all()
    code = str(extreme.iloc[0]["code"])
    with TestClient(app) as client:
        page = client.get(f"/org/{code}").text
        assert 'id="data-checks"' in page and "Check the data" in page
        assert "% of demand" in client.get(f"/api/org/{code}/gap").json()["data_checks"][0]


def test_gap_is_explained_and_cards_link_to_a_methodology_page_with_data_dates(app: Any) -> None:
    with TestClient(app) as client:
        page = client.get(f"/org/{HOME}").text
        explained = re.sub(r"\s+", " ", re.search(r'id="gap-explained">(.*?)</div>', page, re.S).group(1))  # type: ignore[union-attr]
        assert "by construction" in explained and "below zero means" in explained
        assert "Capacity standard:" in page and "the default" in page
        cards = re.findall(r'<li class="nhsuk-grid-column-one-half nhsuk-card-group__item">(.*?)</li>', page, re.S)
        assert cards and all('href="/methodology#' in c for c in cards)
        assert "on GP practice lists, July 2026" in page and "workforce April 2024 to March 2025" in page
        assert "today" not in re.search(r'id="card-patients".*?</li>', page, re.S).group(0)  # type: ignore[union-attr]
        assert "FTE source by practice" not in page and "reference/skills.csv" not in page.split('id="notes"')[0]

        method = client.get("/methodology")
        assert method.status_code == 200
        assert "July 2026" in method.text and "April 2024 to March 2025" in method.text
        for anchor in set(re.findall(r'href="/methodology#([a-z-]+)"', page)):
            assert f'id="{anchor}"' in method.text, anchor


def test_demand_by_category_follows_gp_work_moved_and_the_share_is_the_organisations_own(app: Any) -> None:
    with TestClient(app) as client:
        base = client.get(f"/api/org/{HOME}/demand").json()
        moved = client.get(f"/api/org/{HOME}/demand", params={"shift_share": "0.5"}).json()
        gap = client.get(f"/api/org/{HOME}/gap", params={"shift_share": "0.5"}).json()
        cats = {r["category"]: r for r in moved["tables"]["categories"]}
        before = {r["category"]: r for r in base["tables"]["categories"]}
        total_moved = sum(r["moved_from_gps_per_week"] for r in cats.values())
        assert total_moved == pytest.approx(gap["summary"]["shifted_from_gps_per_week"])
        assert total_moved > 1
        assert sum(r["gp_appointments_per_week"] for r in cats.values()) == pytest.approx(
            sum(r["gp_appointments_per_week"] for r in before.values()) - total_moved
        )
        england = client.get("/api/org/england/demand").json()["summary"]
        own = base["summary"]["share_of_gp_work_this_team_could_take"]
        assert own != pytest.approx(england["share_of_gp_work_this_team_could_take"])
        assert base["summary"]["share_of_gp_work_others_could_take"] == pytest.approx(
            england["share_of_gp_work_others_could_take"]
        )  # every role available: the same everywhere by construction (England's category mix)
        page = client.get(f"/org/{HOME}", params={"shift_share": "0.5"}).text
        assert "moved from GPs to other staff in this scenario" in page
