"""FTE corrections: validation, audit in the same transaction, capacity afterwards, the link partial."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import test_corr_fixtures as shared
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, func, select
from web_helpers import Person

from gpworkforce import store
from gpworkforce.nomenclature import ROLE_CODES
from gpworkforce.services import corrections as corrections_service
from gpworkforce.services.capacity import capacity_report
from gpworkforce.services.versions import Workspace
from gpworkforce.store.accounts import AuditLog
from gpworkforce.store.tables import PracticeFteOverride
from gpworkforce.web.deps import Viewer

# Fixtures shared with the other correction and scenario tests (see test_corr_fixtures.py).
clean_corrections = shared.clean_corrections
ctx = shared.ctx
engine = shared.engine
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in
make_app = shared.make_app

pytestmark = pytest.mark.usefixtures("clean_corrections")

HOME = "A81001"
MakeUser = Callable[..., Person]
SignedIn = Callable[[Person], Any]


def fingerprint(engine: Engine) -> str:
    with store.session_scope(engine) as s:
        return store.database_fingerprint(s)


def fte_audits(engine: Engine, user_id: int) -> list[AuditLog]:
    with store.session_scope(engine) as s:
        rows = s.scalars(
            select(AuditLog).where(AuditLog.user_id == user_id, AuditLog.action == "fte.correct").order_by(AuditLog.id)
        ).all()
        s.expunge_all()
        return list(rows)


@pytest.fixture
def manager(make_user: MakeUser) -> Person:
    return make_user("practice_manager", HOME)


# --- Validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fte.gp", "abc", "Enter FTE for GP (qualified, permanent) as a number"),
        ("fte.gp", "-0.5", "FTE for GP (qualified, permanent) must be 0 or more"),
        ("fte.gp", "200.01", "FTE for GP (qualified, permanent) must be 200 or less"),
        ("fte.pharmacist", "nan", "Enter FTE for Clinical pharmacist as a number"),
        ("fte.pharmacist", "inf", "Enter FTE for Clinical pharmacist as a number"),
        ("fte.nurse", "1", "nurse is not a role"),
        ("fte.admin", "1", "admin is not a clinical role"),
    ],
)
def test_invalid_form_shows_error_summary_and_writes_nothing(
    field: str, value: str, message: str, engine: Engine, manager: Person, signed_in: SignedIn
) -> None:
    client, token = signed_in(manager)
    before = fingerprint(engine)
    # A valid value alongside the bad one is not saved either: all or nothing.
    response = client.post(f"/org/{HOME}/fte", data={"csrf_token": token, "fte.anp": "1", field: value})
    assert response.status_code == 400
    summary = re.search(r'<div class="nhsuk-error-summary".*?</div>\s*</div>\s*</div>', response.text, re.S)
    assert summary and message in summary.group(0)
    assert response.text.startswith("<!DOCTYPE html>") and "<title>Error: " in response.text
    role = field.removeprefix("fte.")
    if role in ROLE_CODES and role != "admin":  # the message sits on the field and links to it
        assert f'href="#fte-{role}"' in summary.group(0)
        assert f'id="fte-{role}-error"' in response.text
        assert f'value="{value}"' in response.text  # what was typed is kept
    assert fingerprint(engine) == before
    assert fte_audits(engine, manager.id) == []


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"gp": -1}, ["body", "gp"]),
        ({"gp": 200.5}, ["body", "gp"]),
        ({"gp": "3"}, ["body", "gp"]),
        ({"gp": True}, ["body", "gp"]),
        ({"nurse": 1}, ["body", "nurse"]),
        ({"admin": 1}, ["body", "admin"]),
        ({"gp": 3, "anp": "x"}, ["body", "anp"]),
        ({}, ["body"]),
        ([1, 2], ["body"]),
    ],
)
def test_invalid_api_body_is_422_naming_the_role_and_writes_nothing(
    payload: Any, loc: list[str], engine: Engine, manager: Person, signed_in: SignedIn
) -> None:
    client, token = signed_in(manager)
    before = fingerprint(engine)
    response = client.put(f"/api/practices/{HOME}/fte", json=payload, headers={"X-CSRF-Token": token})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert loc in [d["loc"] for d in detail]
    assert fingerprint(engine) == before
    assert fte_audits(engine, manager.id) == []


def test_non_json_body_is_422(manager: Person, signed_in: SignedIn) -> None:
    client, token = signed_in(manager)
    response = client.put(
        f"/api/practices/{HOME}/fte", content=b"gp=3", headers={"X-CSRF-Token": token, "content-type": "text/plain"}
    )
    assert response.status_code == 422


def test_an_icb_code_is_not_called_a_practice(make_user: MakeUser, signed_in: SignedIn) -> None:
    client, _token = signed_in(make_user("icb_analyst", "QHM"))
    api = client.get("/api/practices/QHM/fte")
    assert api.status_code == 404
    assert api.json()["detail"] == "FTE can only be corrected for a practice; QHM is an ICB"
    page = client.get("/org/qhm/fte")
    assert page.status_code == 404 and "Practice QHM" not in page.text


# --- Writes and audit --------------------------------------------------------------------------


def test_form_and_api_write_corrections_with_audit(engine: Engine, manager: Person, signed_in: SignedIn) -> None:
    client, token = signed_in(manager)
    empty = {f"fte.{r}": "" for r in corrections_service.CORRECTABLE_ROLES}
    # the figures in use before any correction (published or estimated FTE plus PCN share): the
    # audit keeps them as what each first correction replaced
    used = {r["role"]: round(r["fte"], 4) for r in client.get(f"/api/practices/{HOME}/fte").json()["roles"]}

    saved = client.post(
        f"/org/{HOME}/fte", data={**empty, "csrf_token": token, "fte.gp": "4.5", "fte.pharmacist": " 1 "},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert "FTE corrections saved" in page.text and f"GP (qualified, permanent): {used['gp']:g} to 4.5 FTE" in page.text
    assert 'value="4.5"' in page.text and "Corrected by you on" in page.text

    # Resubmitting the same values changes nothing and writes no audit entry.
    again = client.post(f"/org/{HOME}/fte", data={**empty, "csrf_token": token, "fte.gp": "4.5", "fte.pharmacist": "1"})
    assert "There were no changes to save" in again.text

    # An empty field removes a correction; it is audited too.
    removed = client.post(
        f"/org/{HOME}/fte", data={**empty, "csrf_token": token, "fte.pharmacist": "1"}, follow_redirects=False
    )
    assert removed.status_code == 303

    api = client.put(f"/api/practices/{HOME}/fte", json={"pharmacist": 2, "anp": 0}, headers={"X-CSRF-Token": token})
    assert api.status_code == 200
    assert api.json() == {
        "practice": HOME,
        "changed": {"anp": {"before": used["anp"], "after": 0.0}, "pharmacist": {"before": 1.0, "after": 2.0}},
        "corrections": {"anp": 0.0, "pharmacist": 2.0},
    }

    audits = fte_audits(engine, manager.id)
    assert [(a.entity, a.entity_key) for a in audits] == [("practice", HOME)] * 3
    assert [(json.loads(a.before or "null"), json.loads(a.after or "null")) for a in audits] == [
        ({"gp": used["gp"], "pharmacist": used["pharmacist"]}, {"gp": 4.5, "pharmacist": 1.0}),
        ({"gp": 4.5}, {"gp": None}),
        ({"anp": used["anp"], "pharmacist": 1.0}, {"anp": 0.0, "pharmacist": 2.0}),
    ]
    assert all(a.ip == "testclient" for a in audits)
    with store.session_scope(engine) as s:
        rows = s.execute(
            select(PracticeFteOverride.role, PracticeFteOverride.fte, PracticeFteOverride.updated_by).where(
                PracticeFteOverride.practice_code == HOME
            )
        ).all()
    assert sorted(rows) == [("anp", 0.0, f"user:{manager.id}"), ("pharmacist", 2.0, f"user:{manager.id}")]


def test_correction_and_audit_share_one_transaction(
    engine: Engine, manager: Person, signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the audit entry cannot be written, the correction is not saved either."""

    def broken_audit(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(corrections_service, "record_audit", broken_audit)
    client, token = signed_in(manager)
    before = fingerprint(engine)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        client.put(f"/api/practices/{HOME}/fte", json={"gp": 9}, headers={"X-CSRF-Token": token})
    assert fingerprint(engine) == before
    with store.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(PracticeFteOverride)) == 0


def test_capacity_uses_the_correction(ctx: Workspace, engine: Engine, make_user: MakeUser, signed_in: SignedIn) -> None:
    """After a correction the national arrays are rebuilt (new fingerprint) and capacity follows it."""
    before = capacity_report(ctx.version(), HOME).frames()["roles"].set_index("role")
    client, token = signed_in(make_user("pcn_lead", "U89141"))
    response = client.put(
        f"/api/practices/{HOME}/fte", json={"gp": 10.0, "pharmacist": 0}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200

    after = capacity_report(ctx.version(), HOME).frames()["roles"].set_index("role")
    assert after.loc["gp", "fte"] == pytest.approx(10.0)
    assert after.loc["gp", "fte_pcn_share"] == 0.0  # the correction is the practice's whole FTE
    assert after.loc["gp", "capacity_per_week"] == pytest.approx(10.0 * after.loc["gp", "slots_per_fte_week"])
    assert after.loc["gp", "capacity_per_week"] != pytest.approx(before.loc["gp", "capacity_per_week"])
    assert after.loc["pharmacist", "capacity_per_week"] == 0.0
    assert after.loc["anp", "fte"] == pytest.approx(before.loc["anp", "fte"])  # untouched roles stay

    shown = {r["role"]: r for r in client.get(f"/api/practices/{HOME}/fte").json()["roles"]}
    assert shown["gp"]["fte"] == 10.0 and shown["gp"]["source"] == "correction"
    assert shown["gp"]["corrected_by"] == "You"
    assert shown["anp"]["source"] in {"pcn", "workforce", "workforce+pcn", "estimate", "estimate+pcn"}
    # Another user sees the role and organisation of who corrected it, never the email address.
    other, _ = signed_in(make_user("practice_manager", HOME))
    other_view = {r["role"]: r for r in other.get(f"/api/practices/{HOME}/fte").json()["roles"]}
    assert other_view["gp"]["corrected_by"] == "PCN lead, U89141"
    page = other.get(f"/org/{HOME}/fte").text
    assert "Corrected by PCN lead, U89141" in page and "@example.org" not in page.replace(
        re.search(r"nhsuk-header__account-link[^>]*>.*?</a>", page, re.S).group(0),
        "",  # type: ignore[union-attr]
    )


# --- Link partial ------------------------------------------------------------------------------


@pytest.fixture
def app(engine: Engine, ctx: Workspace) -> FastAPI:
    """The shared app plus a probe page that renders the link partial as a practice page would."""
    app = make_app(engine, ctx)

    @app.get("/__probe__/fte-link/{level}/{code}", response_class=HTMLResponse)
    def probe(
        request: Request, level: str, code: str, user: Viewer
    ) -> HTMLResponse:  # as the org pages: permissions decided first
        templates = request.app.state.templates
        response: HTMLResponse = templates.TemplateResponse(
            request, "corrections/_link_partial.html", {"org": {"level": level, "code": code}}
        )
        return response

    return app


@pytest.mark.parametrize(
    ("role", "org", "level", "code", "shown"),
    [
        (None, None, "practice", HOME, False),
        ("practice_manager", HOME, "practice", HOME, True),
        ("practice_manager", HOME, "practice", "A81002", False),
        ("pcn_lead", "U89141", "practice", HOME, True),
        ("pcn_lead", "U89141", "pcn", "U89141", False),
        ("icb_analyst", "QHM", "practice", HOME, True),
        ("admin", None, "practice", HOME, True),
        ("admin", None, "practice", "Z99999", False),
    ],
)
def test_link_partial_only_for_users_who_may_correct(
    role: str | None,
    org: str | None,
    level: str,
    code: str,
    shown: bool,
    client: Any,
    make_user: MakeUser,
    signed_in: SignedIn,
) -> None:

    browser = client if role is None else signed_in(make_user(role, org))[0]
    html = browser.get(f"/__probe__/fte-link/{level}/{code}").text
    assert (f'<a href="/org/{code}/fte">Correct FTE for this practice</a>' in html) is shown


def test_org_page_shows_a_correction_at_once(ctx: Workspace, make_user: MakeUser, signed_in: SignedIn) -> None:
    """The organisation pages serve data from memory; a correction made here must show on the next request."""
    from gpworkforce.services.capacity import gap_report
    from gpworkforce.web.formatting import fmt_number

    def capacity_card(html: str) -> str:
        match = re.search(r'id="card-capacity-value">([^<]+)<', html)
        assert match
        return match.group(1)

    client, token = signed_in(make_user("practice_manager", HOME))
    page = client.get(f"/org/{HOME}").text
    assert f'<a href="/org/{HOME}/fte">Correct FTE for this practice</a>' in page  # the signed-in user's link
    before = capacity_card(page)
    response = client.put(f"/api/practices/{HOME}/fte", json={"gp": 8.5}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    expected = fmt_number(gap_report(ctx.version(), HOME).summary.capacity_per_week)
    assert expected != before
    assert capacity_card(client.get(f"/org/{HOME}").text) == expected
    fragment = client.get(f"/org/{HOME}/results", params={"shift_share": "0.1"}, headers={"HX-Request": "true"})
    assert capacity_card(fragment.text) == expected


def test_org_page_sees_a_write_made_elsewhere_in_this_process_at_once(
    ctx: Workspace, engine: Engine, make_user: MakeUser, signed_in: SignedIn
) -> None:
    """A write through any engine in this process (a CLI import, a script) invalidates the in-memory data.

    The pages take their data from memory without asking the database (async routes must not block);
    only such a write, or the once-a-second background check, makes them look again.
    """
    from sqlalchemy import create_engine

    from gpworkforce.services.capacity import gap_report
    from gpworkforce.web.formatting import fmt_number

    client, _ = signed_in(make_user("practice_manager", HOME))
    before = client.get(f"/org/{HOME}").text
    elsewhere = create_engine(engine.url)
    try:
        with store.session_scope(elsewhere) as s:
            s.add(PracticeFteOverride(practice_code=HOME, role="gp", fte=14.0, updated_by="a script"))
    finally:
        elsewhere.dispose()
    after = client.get(f"/org/{HOME}").text  # before anything else reads the new data
    expected = fmt_number(gap_report(ctx.version(), HOME).summary.capacity_per_week)
    assert f'id="card-capacity-value">{expected}<' in after
    assert f'id="card-capacity-value">{expected}<' not in before
