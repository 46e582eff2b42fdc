"""The audit log view: admins see everything; ICB analysts their ICB's FTE corrections; others 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import test_corr_fixtures as shared
from web_helpers import Person

from gpworkforce.services.versions import Workspace

# Fixtures shared with the other correction and scenario tests (see test_corr_fixtures.py).
app = shared.app
clean_corrections = shared.clean_corrections
ctx = shared.ctx
engine = shared.engine
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in


pytestmark = pytest.mark.usefixtures("clean_corrections")

HOME, HOME_PCN, HOME_ICB = "A81001", "U89141", "QHM"
MakeUser = Callable[..., Person]
SignedIn = Callable[[Person], Any]


def other_icb(ctx: Workspace) -> tuple[str, str]:
    p = ctx.version().data.practices
    row = p[(p["icb_code"] != HOME_ICB) & (p["icb_code"].str.startswith("Q"))].iloc[0]
    return str(row["practice_code"]), str(row["icb_code"])


def test_audit_log_scope_and_privacy(ctx: Workspace, make_user: MakeUser, signed_in: SignedIn) -> None:
    far_practice, far_icb = other_icb(ctx)
    lead_person = make_user("pcn_lead", HOME_PCN)
    lead, lead_token = signed_in(lead_person)
    far_person = make_user("practice_manager", far_practice)
    far, far_token = signed_in(far_person)
    assert lead.put(f"/api/practices/{HOME}/fte", json={"gp": 3.25}, headers={"X-CSRF-Token": lead_token}).is_success
    assert far.put(
        f"/api/practices/{far_practice}/fte", json={"anp": 1.5}, headers={"X-CSRF-Token": far_token}
    ).is_success
    scenario = lead.post(
        "/api/scenarios", json={"name": "Secret plan", "org": HOME_PCN}, headers={"X-CSRF-Token": lead_token}
    )
    assert scenario.status_code == 201

    analyst, _ = signed_in(make_user("icb_analyst", HOME_ICB))
    entries = analyst.get("/api/audit?limit=500").json()["entries"]
    assert entries, "the analyst should see the correction in their ICB"
    assert {(e["action"], e["entity"]) for e in entries} == {("fte.correct", "practice")}
    mine = [e for e in entries if e["key"] == HOME and e["after"] == {"gp": 3.25}]
    assert len(mine) == 1
    # the figure the correction replaced (published FTE plus PCN share), not "none"
    published = mine[0]["before"]["gp"]
    assert isinstance(published, float) and published > 0 and mine[0]["user"] == "PCN lead, U89141"
    assert mine[0]["change"] == f"GP (qualified, permanent): {published:g} → 3.25"
    assert "ip" not in mine[0]
    assert all(e["key"] != far_practice for e in entries)  # another ICB's practice
    page = analyst.get("/audit")
    assert page.status_code == 200 and "<h1>Audit log</h1>" in page.text
    assert "PCN lead, U89141" in page.text and "Secret plan" not in page.text
    assert lead_person.email not in page.text and far_person.email not in page.text
    assert "IP address" not in page.text

    admin, _ = signed_in(make_user("admin"))
    everything = admin.get("/api/audit?limit=500").json()["entries"]
    actions = {(e["action"], e["entity"]) for e in everything}
    assert {("fte.correct", "practice"), ("create", "saved_scenario"), ("sign_in", "user_account")} <= actions
    far_entry = next(e for e in everything if e["key"] == far_practice and e["action"] == "fte.correct")
    assert far_entry["user"] == far_person.email and far_entry["ip"] == "testclient"
    assert far_icb != HOME_ICB
    admin_page = admin.get("/audit").text
    assert "Secret plan" in admin_page and lead_person.email in admin_page

    # Paging: "older" is the cursor for the next page.
    first = admin.get("/api/audit?limit=2").json()
    assert len(first["entries"]) == 2 and first["older"] == first["entries"][-1]["id"]
    second = admin.get(f"/api/audit?limit=2&before={first['older']}").json()
    assert all(e["id"] < first["older"] for e in second["entries"])
    assert admin.get("/api/audit?limit=0").status_code == 422


@pytest.mark.parametrize(("role", "org"), [("pcn_lead", HOME_PCN), ("practice_manager", HOME)])
def test_other_roles_get_403(role: str, org: str, make_user: MakeUser, signed_in: SignedIn) -> None:
    client, _ = signed_in(make_user(role, org))
    assert client.get("/audit").status_code == 403
    assert client.get("/api/audit").status_code == 403


def test_not_signed_in(client: Any) -> None:
    assert client.get("/audit", follow_redirects=False).headers["location"] == "/sign-in?next=/audit"
    assert client.get("/api/audit").status_code == 401
