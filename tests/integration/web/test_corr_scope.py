"""Who may correct which practice's FTE: every role x in/out of scope x page, form, API (TestClient)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import test_corr_fixtures as shared
from sqlalchemy import Engine, select
from web_helpers import Person

from gpworkforce.services.versions import Workspace
from gpworkforce.store import session_scope
from gpworkforce.store.tables import PracticeFteOverride

# Fixtures shared with the other correction and scenario tests (see test_corr_fixtures.py).
app = shared.app
clean_corrections = shared.clean_corrections
ctx = shared.ctx
engine = shared.engine
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in

pytestmark = pytest.mark.usefixtures("clean_corrections")

HOME = "A81001"  # The Densham Surgery: PCN U89141, ICB QHM (README)
HOME_PCN = "U89141"
HOME_ICB = "QHM"


def sample_practices(ctx: Workspace) -> dict[str, str]:
    """Practices at each distance from A81001, taken from the loaded data."""
    p = ctx.version().data.practices
    sibling = p[(p["pcn_code"] == HOME_PCN) & (p["practice_code"] != HOME)]["practice_code"].iloc[0]
    same_icb = p[(p["icb_code"] == HOME_ICB) & (p["pcn_code"] != HOME_PCN) & (p["pcn_code"] != "U")]
    other_icb = p[(p["icb_code"] != HOME_ICB) & (p["icb_code"] != "")]
    return {
        "home": HOME,
        "same_pcn": str(sibling),
        "same_icb": str(same_icb["practice_code"].iloc[0]),
        "other_icb": str(other_icb["practice_code"].iloc[0]),
    }


#: role, organisation, the practice it may correct, one just outside its scope (None: admin sees all).
ROLES = {
    "practice_manager": (HOME, "home", "same_pcn"),
    "pcn_lead": (HOME_PCN, "same_pcn", "same_icb"),
    "icb_analyst": (HOME_ICB, "same_icb", "other_icb"),
    "admin": (None, "other_icb", None),
}
CASES = [
    pytest.param(role, where, channel, id=f"{role}-{where}-{channel}")
    for role, (_, inside, outside) in ROLES.items()
    for where in ("in", "out")
    if where == "in" or outside is not None
    for channel in ("page", "form", "api_get", "api_put")
]


def _request(client: Any, token: str, channel: str, code: str) -> Any:
    if channel == "page":
        return client.get(f"/org/{code}/fte")
    if channel == "form":
        return client.post(f"/org/{code}/fte", data={"csrf_token": token, "fte.gp": "3.5"}, follow_redirects=False)
    if channel == "api_get":
        return client.get(f"/api/practices/{code}/fte")
    return client.put(f"/api/practices/{code}/fte", json={"gp": 3.5}, headers={"X-CSRF-Token": token})


def _corrections(engine: Engine, code: str) -> list[tuple[str, float]]:
    with session_scope(engine) as s:
        rows = s.execute(
            select(PracticeFteOverride.role, PracticeFteOverride.fte).where(PracticeFteOverride.practice_code == code)
        )
        return [(r, f) for r, f in rows]


@pytest.mark.parametrize(("role", "where", "channel"), CASES)
def test_scope_decides_fte_correction(
    role: str,
    where: str,
    channel: str,
    ctx: Workspace,
    engine: Engine,
    make_user: Callable[..., Person],
    signed_in: Callable[[Person], Any],
) -> None:
    org, inside, outside = ROLES[role]
    practices = sample_practices(ctx)
    code = practices[inside if where == "in" else str(outside)]
    client, token = signed_in(make_user(role, org))

    response = _request(client, token, channel, code)

    if where == "out":
        assert response.status_code == 403, response.text[:300]
        if channel.startswith("api"):
            assert "outside your organisation" in response.json()["detail"]
        else:
            assert "You do not have permission" in response.text
        assert _corrections(engine, code) == []
        return
    expected = {"page": 200, "form": 303, "api_get": 200, "api_put": 200}[channel]
    assert response.status_code == expected, response.text[:300]
    if channel == "page":
        assert "Correct FTE" in response.text and 'name="fte.gp"' in response.text
    elif channel == "form":
        assert response.headers["location"] == f"/org/{code}/fte"
    elif channel == "api_get":
        assert [r["role"] for r in response.json()["roles"]][:2] == ["gp", "gp_locum_trainee"]
    else:
        changed = response.json()["changed"]
        assert changed["gp"]["after"] == 3.5
        assert isinstance(changed["gp"]["before"], float)  # the figure in use until now, not None
    writes = channel in ("form", "api_put")
    assert _corrections(engine, code) == ([("gp", 3.5)] if writes else [])


def test_unknown_practice_is_404_for_admin_and_403_for_others(
    make_user: Callable[..., Person], signed_in: Callable[[Person], Any]
) -> None:

    admin, _ = signed_in(make_user("admin"))
    assert admin.get("/org/Z99999/fte").status_code == 404
    assert admin.get("/api/practices/Z99999/fte").status_code == 404
    lead, _ = signed_in(make_user("pcn_lead", HOME_PCN))
    assert lead.get("/org/Z99999/fte").status_code == 403
    assert lead.get("/api/practices/Z99999/fte").status_code == 403


def test_not_signed_in_redirects_page_and_401s_api(client: Any) -> None:
    page = client.get(f"/org/{HOME}/fte", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/sign-in?next=/org/{HOME}/fte"
    assert client.get(f"/api/practices/{HOME}/fte").status_code == 401
    # An anonymous session has a CSRF token (from any page); with it the request reaches the route.
    from web_helpers import csrf_from

    token = csrf_from(client.get("/sign-in").text)
    put = client.put(f"/api/practices/{HOME}/fte", json={"gp": 1}, headers={"X-CSRF-Token": token})
    assert put.status_code == 401
    form = client.post(f"/org/{HOME}/fte", data={"csrf_token": token, "fte.gp": "1"}, follow_redirects=False)
    assert form.status_code == 401
    # Without a token the CSRF middleware refuses first.
    assert client.put(f"/api/practices/{HOME}/fte", json={"gp": 1}).status_code == 403
