"""Saved scenarios over HTTP: create, list, read, share, delete; who may do what; audit; partial."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from html import unescape as html_unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import test_corr_fixtures as shared
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, select
from web_helpers import Person, csrf_from

from gpworkforce import store
from gpworkforce.services.versions import Workspace
from gpworkforce.store.accounts import AuditLog, SavedScenario
from gpworkforce.web.deps import Viewer

# Fixtures shared with the other correction and scenario tests (see test_corr_fixtures.py).
ctx = shared.ctx
engine = shared.engine
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in
make_app = shared.make_app

HOME, HOME_PCN, HOME_ICB = "A81001", "U89141", "QHM"
MakeUser = Callable[..., Person]
SignedIn = Callable[[Person], Any]


def other_pcn_practice(ctx: Workspace) -> tuple[str, str]:
    """A practice (and its PCN) in the same ICB as A81001 but another PCN."""
    p = ctx.version().data.practices
    row = p[(p["icb_code"] == HOME_ICB) & (p["pcn_code"] != HOME_PCN) & (p["pcn_code"] != "U")].iloc[0]
    return str(row["practice_code"]), str(row["pcn_code"])


def other_icb_practice(ctx: Workspace) -> str:
    p = ctx.version().data.practices
    return str(p[(p["icb_code"] != HOME_ICB) & (p["icb_code"] != "")]["practice_code"].iloc[0])


def save(client: Any, token: str, name: str, org: str, shared: bool = False, **params: str) -> Any:
    data = {"csrf_token": token, "name": name, "org": org, **params}
    if shared:
        data["shared"] = "true"
    return client.post("/scenarios", data=data, follow_redirects=False)


def saved_slug(response: Any) -> str:
    assert response.status_code == 303, response.text[:500]
    match = re.fullmatch(r"/scenarios/([0-9a-f-]{36})", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def audits(engine: Engine, slug: str) -> list[tuple[str, Any, Any]]:
    with store.session_scope(engine) as s:
        rows = s.scalars(
            select(AuditLog)
            .where(AuditLog.entity == "saved_scenario", AuditLog.entity_key == slug)
            .order_by(AuditLog.id)
        )
        return [(a.action, json.loads(a.before or "null"), json.loads(a.after or "null")) for a in rows]


# --- Create ------------------------------------------------------------------------------------


def test_create_from_form_stores_params_and_redirects(engine: Engine, make_user: MakeUser, signed_in: SignedIn) -> None:
    lead = make_user("pcn_lead", HOME_PCN)
    client, token = signed_in(lead)
    response = save(client, token, "  Pharmacists   take 30% ", HOME, shift_share="0.3", year="2030",
                    **{"added_fte.pharmacist": "1.5", "dna_rate": ""})  # fmt: skip
    slug = saved_slug(response)
    page = client.get(f"/scenarios/{slug}")
    assert page.status_code == 200
    assert "Scenario saved: Pharmacists take 30%" in page.text
    assert "<h1>Pharmacists take 30%</h1>" in page.text
    assert "GP work moved to other roles" in page.text and "30%" in page.text
    dashboard = re.search(r'href="(/org/A81001\?[^"]+)"', page.text)
    assert dashboard is not None
    link = dashboard.group(1).replace("&amp;", "&")
    assert link == f"/org/A81001?added_fte.pharmacist=1.5&shift_share=0.3&year=2030&scenario={slug}"
    assert audits(engine, slug) == [
        (
            "create",
            None,
            {
                "name": "Pharmacists take 30%",
                "org_code": HOME,
                # the Scenario's own fields that differ from the baseline (it is stored as its JSON)
                "scenario": {"added_fte": {"pharmacist": 1.5}, "shift_share": 0.3, "year": 2030},
                "shared": False,
            },
        )
    ]


def test_create_validation_and_scope(ctx: Workspace, make_user: MakeUser, signed_in: SignedIn) -> None:
    client, token = signed_in(make_user("practice_manager", HOME))
    no_name = save(client, token, "  ", HOME, shift_share="0.2")
    assert no_name.status_code == 400
    assert 'href="#scenario-name">Enter a name for the scenario' in no_name.text
    assert 'value="0.2"' in no_name.text  # the scenario is kept for the retry
    bad_params = save(client, token, "x", HOME, shift_share="2")
    assert bad_params.status_code == 400 and "The scenario settings are not valid" in bad_params.text
    unknown = save(client, token, "x", HOME, warp_speed="9")
    assert unknown.status_code == 400 and "warp_speed: not a scenario setting" in unknown.text
    assert save(client, token, "x", "ZZZ999").status_code == 400
    # Staff-level organisations outside the user's scope are refused ...
    assert save(client, token, "x", "A81002").status_code == 403
    assert save(client, token, "x", HOME_PCN).status_code == 403
    assert save(client, token, "x", other_icb_practice(ctx)).status_code == 403
    # ... open aggregates (England, regions, also by ONS code) are fine for everyone.
    assert save(client, token, "England", "england", dna_rate="0.03").status_code == 303
    assert save(client, token, "Region", "Y63").status_code == 303
    assert save(client, token, "Region by ONS code", "E40000012").status_code == 303
    assert client.post("/scenarios", data={"csrf_token": token, "name": "x"}).status_code == 400


def test_create_needs_sign_in(client: Any) -> None:
    token = csrf_from(client.get("/sign-in").text)
    response = client.post("/scenarios", data={"csrf_token": token, "name": "x", "org": "england"})
    assert response.status_code == 401
    assert client.get("/scenarios", follow_redirects=False).headers["location"] == "/sign-in?next=/scenarios"
    assert client.get("/api/scenarios").status_code == 401
    assert client.get(f"/api/scenarios/{uuid.uuid4()}").status_code == 401


# --- Read rules --------------------------------------------------------------------------------


def test_read_rules_page_and_api(ctx: Workspace, make_user: MakeUser, signed_in: SignedIn) -> None:
    """Owner, admin, colleagues in the organisation's area (shared only), others 403 (page and API)."""
    owner, owner_token = signed_in(make_user("pcn_lead", HOME_PCN))
    private = saved_slug(save(owner, owner_token, "Private PCN", HOME_PCN, shift_share="0.1"))
    shared = saved_slug(save(owner, owner_token, "Shared PCN", HOME_PCN, shared=True, shift_share="0.2"))
    shared_practice = saved_slug(save(owner, owner_token, "Shared practice", HOME, shared=True))
    england_shared = saved_slug(save(owner, owner_token, "England shared", "england", shared=True))
    england_private = saved_slug(save(owner, owner_token, "England private", "england"))
    other_practice, other_pcn = other_pcn_practice(ctx)

    readers = {
        "owner": owner,
        "admin": signed_in(make_user("admin"))[0],
        "same_pcn_lead": signed_in(make_user("pcn_lead", HOME_PCN))[0],
        "icb_analyst": signed_in(make_user("icb_analyst", HOME_ICB))[0],
        "manager_in_pcn": signed_in(make_user("practice_manager", HOME))[0],
        "other_pcn_lead": signed_in(make_user("pcn_lead", other_pcn))[0],
        "other_icb_analyst": signed_in(make_user("icb_analyst", "QWE"))[0],
    }
    expected = {  # scenario -> readers allowed (everyone else: 403)
        private: {"owner", "admin"},
        shared: {"owner", "admin", "same_pcn_lead", "icb_analyst"},  # PCN wholly inside their scope
        shared_practice: {"owner", "admin", "same_pcn_lead", "icb_analyst", "manager_in_pcn"},
        # England: colleagues in the owner's area (their scope shares a practice with PCN U89141).
        england_shared: {"owner", "admin", "same_pcn_lead", "icb_analyst", "manager_in_pcn"},
        england_private: {"owner", "admin"},
    }
    for slug, allowed in expected.items():
        for who, client in readers.items():
            page, api = client.get(f"/scenarios/{slug}"), client.get(f"/api/scenarios/{slug}")
            want = 200 if who in allowed else 403
            assert (page.status_code, api.status_code) == (want, want), (slug, who)
            if want == 403:
                assert "You do not have permission" in page.text
                assert "does not exist, or it is private" in api.json()["detail"]
    # Existence is not revealed: an unknown slug answers exactly like a private one.
    stranger = readers["other_pcn_lead"]
    missing = str(uuid.uuid4())
    assert stranger.get(f"/api/scenarios/{missing}").json() == stranger.get(f"/api/scenarios/{private}").json()
    assert stranger.get(f"/scenarios/{missing}").status_code == 403
    assert stranger.get("/scenarios/not-a-slug").status_code == 404
    assert other_practice  # used to pick the PCN


def test_owner_is_named_by_role_except_for_admins(make_user: MakeUser, signed_in: SignedIn) -> None:
    lead = make_user("pcn_lead", HOME_PCN)
    owner, token = signed_in(lead)
    slug = saved_slug(save(owner, token, "Named", HOME, shared=True))
    assert owner.get(f"/api/scenarios/{slug}").json()["owner"] == "You"
    colleague, _ = signed_in(make_user("practice_manager", HOME))
    data = colleague.get(f"/api/scenarios/{slug}").json()
    assert data["owner"] == "PCN lead, U89141" and data["is_owner"] is False
    assert lead.email not in colleague.get(f"/scenarios/{slug}").text
    assert lead.email not in colleague.get("/scenarios").text
    admin, _ = signed_in(make_user("admin"))
    assert admin.get(f"/api/scenarios/{slug}").json()["owner"] == lead.email


def test_list_shows_mine_and_shared_with_me(make_user: MakeUser, signed_in: SignedIn) -> None:
    owner, token = signed_in(make_user("pcn_lead", HOME_PCN))
    mine_private = saved_slug(save(owner, token, "Mine private", HOME_PCN))
    mine_shared = saved_slug(save(owner, token, "Mine shared", HOME_PCN, shared=True))
    colleague_person = make_user("pcn_lead", HOME_PCN)
    colleague, colleague_token = signed_in(colleague_person)
    theirs = saved_slug(save(colleague, colleague_token, "Colleague private", HOME))

    listed = {s["slug"] for s in owner.get("/api/scenarios").json()["scenarios"]}
    assert {mine_private, mine_shared} <= listed and theirs not in listed
    page = owner.get("/scenarios")
    assert page.status_code == 200
    assert f'href="/scenarios/{mine_private}"' in page.text and f'value="{mine_shared}"' in page.text
    assert "Colleague private" not in page.text
    colleague_listed = {s["slug"] for s in colleague.get("/api/scenarios").json()["scenarios"]}
    assert mine_shared in colleague_listed and mine_private not in colleague_listed and theirs in colleague_listed


# --- Share and delete --------------------------------------------------------------------------


def test_share_toggle_and_delete_are_owner_only_and_audited(
    engine: Engine, make_user: MakeUser, signed_in: SignedIn
) -> None:

    owner, token = signed_in(make_user("pcn_lead", HOME_PCN))
    slug = saved_slug(save(owner, token, "Toggle me", HOME_PCN))
    colleague, colleague_token = signed_in(make_user("pcn_lead", HOME_PCN))
    admin, admin_token = signed_in(make_user("admin"))

    assert colleague.get(f"/scenarios/{slug}").status_code == 403
    shared = owner.post(f"/scenarios/{slug}/share", data={"csrf_token": token}, follow_redirects=False)
    assert shared.status_code == 303 and shared.headers["location"] == f"/scenarios/{slug}"
    page = colleague.get(f"/scenarios/{slug}")
    assert page.status_code == 200
    assert "Delete scenario" not in page.text and "Stop sharing" not in page.text  # not the owner's controls
    assert "Stop sharing" in owner.get(f"/scenarios/{slug}").text

    # Readers who are not the owner (admins included) may not change or delete it.
    for client, csrf in ((colleague, colleague_token), (admin, admin_token)):
        assert client.post(f"/scenarios/{slug}/share", data={"csrf_token": csrf}).status_code == 403
        assert client.post(f"/scenarios/{slug}/delete", data={"csrf_token": csrf}).status_code == 403
        headers = {"X-CSRF-Token": csrf}
        assert client.delete(f"/api/scenarios/{slug}", headers=headers).status_code == 403
        assert client.patch(f"/api/scenarios/{slug}", json={"shared": False}, headers=headers).status_code == 403

    unshared = owner.post(f"/scenarios/{slug}/share", data={"csrf_token": token}, follow_redirects=False)
    assert unshared.status_code == 303
    assert colleague.get(f"/scenarios/{slug}").status_code == 403

    deleted = owner.post(f"/scenarios/{slug}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert deleted.status_code == 303 and deleted.headers["location"] == "/scenarios"
    assert "Scenario deleted: Toggle me" in owner.get("/scenarios").text
    assert owner.get(f"/scenarios/{slug}").status_code == 403
    assert admin.get(f"/api/scenarios/{slug}").status_code == 403
    assert [(a, (b or {}).get("shared"), (c or {}).get("shared")) for a, b, c in audits(engine, slug)] == [
        ("create", None, False),
        ("update", False, True),
        ("update", True, False),
        ("delete", False, None),
    ]
    with store.session_scope(engine) as s:
        assert s.scalar(select(SavedScenario).where(SavedScenario.slug == slug)) is None


def test_api_create_get_patch_delete(engine: Engine, make_user: MakeUser, signed_in: SignedIn) -> None:
    client, token = signed_in(make_user("icb_analyst", HOME_ICB))
    headers = {"X-CSRF-Token": token}
    created = client.post(
        "/api/scenarios",
        json={"name": "ICB 2030", "org": "E54000050", "params": {"year": 2030, "added_fte": {"gp": 5}}},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["organisation"]["code"] == HOME_ICB  # ONS code resolved to the ODS code
    assert body["params"] == {"added_fte.gp": "5", "year": "2030"} and body["shared"] is False
    slug = body["slug"]
    assert client.get(f"/api/scenarios/{slug}").json()["name"] == "ICB 2030"

    bad = client.post("/api/scenarios", json={"name": "", "org": "nowhere", "params": {"year": 1900}}, headers=headers)
    assert bad.status_code == 422
    assert {tuple(d["loc"]) for d in bad.json()["detail"]} == {("body", "name"), ("body", "org"), ("body", "params")}
    outside = client.post("/api/scenarios", json={"name": "x", "org": "QWE"}, headers=headers)
    assert outside.status_code == 403

    patched = client.patch(f"/api/scenarios/{slug}", json={"name": "Renamed", "shared": True}, headers=headers)
    assert patched.status_code == 200 and patched.json()["name"] == "Renamed" and patched.json()["shared"] is True
    assert client.patch(f"/api/scenarios/{slug}", json={"owner": 1}, headers=headers).status_code == 422
    assert client.delete(f"/api/scenarios/{slug}", headers=headers).status_code == 204
    assert client.get(f"/api/scenarios/{slug}").status_code == 403
    assert [a for a, _, _ in audits(engine, slug)] == ["create", "update", "delete"]


# --- Partial and the save page -----------------------------------------------------------------


@pytest.fixture
def app(engine: Engine, ctx: Workspace) -> FastAPI:
    """The shared app plus a probe page that renders the save partial as the org page would."""
    app = make_app(engine, ctx)

    @app.get("/__probe__/save/{code}", response_class=HTMLResponse)
    def probe(request: Request, code: str, user: Viewer) -> HTMLResponse:  # as the org pages: permissions decided first
        context = {"org": {"level": "x", "code": code}, "scenario_params": {"shift_share": "0.3", "year": "2030"}}
        templates = request.app.state.templates
        response: HTMLResponse = templates.TemplateResponse(request, "scenarios/_save_partial.html", context)
        return response

    return app


def test_save_partial(client: Any, make_user: MakeUser, signed_in: SignedIn) -> None:
    anonymous = client.get("/__probe__/save/A81001").text
    link = re.search(r'<a href="(/sign-in\?next=[^"]+)">Sign in to save scenarios</a>', anonymous)
    assert link is not None and "<form" not in anonymous
    # After signing in the user comes back to the organisation page with the same scenario.
    next_path = parse_qs(urlsplit(html_unescape(link.group(1))).query)["next"][0]
    assert next_path == "/org/A81001?shift_share=0.3&year=2030"

    manager, _ = signed_in(make_user("practice_manager", HOME))
    html = manager.get("/__probe__/save/A81001").text
    assert '<form class="app-save-scenario" action="/scenarios" method="post"' in html
    assert 'name="csrf_token"' in html and '<input type="hidden" name="org" value="A81001">' in html
    assert '<input type="hidden" name="shift_share" value="0.3">' in html
    assert '<label class="nhsuk-label" for="scenario-name">' in html
    assert "Share with colleagues in my area" in html and 'id="scenario-shared" name="shared"' in html
    elsewhere = manager.get("/__probe__/save/A81002").text
    assert "<form" not in elsewhere and "You can save scenarios for organisations in your area" in elsewhere


def test_new_page_saves_a_scenario_link(make_user: MakeUser, signed_in: SignedIn) -> None:
    client, _ = signed_in(make_user("pcn_lead", HOME_PCN))
    # A dashboard link of a saved scenario carries scenario=<slug>; saving it again ignores that.
    page = client.get(f"/scenarios/new?org=A81001&shift_share=0.30&year=2030&scenario={uuid.uuid4()}")
    assert page.status_code == 200 and "<h1>Save a scenario</h1>" in page.text
    assert '<input type="hidden" name="shift_share" value="0.3">' in page.text
    assert client.get("/scenarios/new?org=QWE").status_code == 403
    assert client.get("/scenarios/new?org=nowhere").status_code == 404
