"""Staff register in the web app (TestClient): pages, forms, files and API, each refused outside the
user's scope, without sign-in and without a CSRF token; bad input 4xx naming the field and
writing nothing; every change in the audit log."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
import test_corr_fixtures as shared
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from web_helpers import csrf_from

from gpworkforce.store import session_scope
from gpworkforce.store.accounts import AuditLog
from gpworkforce.store.register import StaffRecord, Vacancy

app = shared.app
ctx = shared.ctx
engine = shared.engine
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in

HOME, PCN, ICB = "A81001", "U89141", "QHM"
SIBLING = "A81002"  # another practice (of another PCN: see pcn_sibling)
LEAVE = {"end_date": "2025-01-31", "leaving_reason": "other"}
VAC_FORM = {"role": "gp", "fte": "1", "opened": "2025-01-01"}
VAC = {"role": "gp", "fte": 1, "opened": "2025-01-01"}
GP = {"role": "gp", "contract_type": "partner", "fte": "1", "birth_year": "1970", "start_date": "2015-04-01"}


@pytest.fixture(autouse=True)
def clean_register(engine: Engine) -> Iterator[None]:
    """No register rows before or after a test (the database outlives it); audit rows counted from here."""
    with session_scope(engine) as s:
        s.execute(delete(StaffRecord))
        s.execute(delete(Vacancy))
        _START["audit"] = int(s.scalar(select(func.max(AuditLog.id))) or 0)
    yield
    with session_scope(engine) as s:
        s.execute(delete(StaffRecord))
        s.execute(delete(Vacancy))


def _count(engine: Engine, table: Any = StaffRecord) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _audit(engine: Engine, key: str) -> list[str]:
    """This test's register audit actions for ``key`` (the log outlives tests: see clean_register)."""
    with session_scope(engine) as s:
        rows = s.scalars(
            select(AuditLog.action)
            .where(AuditLog.entity == "register", AuditLog.entity_key == key, AuditLog.id > _START["audit"])
            .order_by(AuditLog.id)
        )
        return list(rows)


_START: dict[str, int] = {"audit": 0}


def _seed(client: TestClient, token: str, code: str = HOME) -> int:
    r = client.post(
        f"/api/practices/{code}/register/staff", json=GP | {"local_ref": "REF-OWNER-7"}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _workbook(rows: list[dict[str, Any]]) -> bytes:
    from gpworkforce.reports.register_workbook import register_workbook

    book = openpyxl.load_workbook(io.BytesIO(register_workbook()))
    sheet = book["Staff"]
    head = [c.value for c in sheet[1]]
    for i, row in enumerate(rows, start=2):
        for key, value in row.items():
            sheet.cell(row=i, column=head.index(key) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Routes and refusals --------------------------------------------------------------------


def _routes(code: str, rec: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, request kwargs) of every register route for employer ``code``."""
    form = {"data": GP}
    return [
        ("GET", f"/org/{code}/register", {}),
        ("GET", f"/org/{code}/register/employer", {}),
        ("GET", f"/org/{code}/register/staff/{rec}", {}),
        ("GET", f"/org/{code}/register/template.xlsx", {}),
        ("GET", f"/org/{code}/register/export.csv", {}),
        ("GET", f"/org/{code}/register/export.xlsx", {}),
        ("GET", f"/org/{code}/register/status.csv", {}),
        ("POST", f"/org/{code}/register/staff", form),
        ("POST", f"/org/{code}/register/staff/{rec}", form),
        ("POST", f"/org/{code}/register/staff/{rec}/end", {"data": LEAVE}),
        ("POST", f"/org/{code}/register/vacancies", {"data": VAC_FORM}),
        ("POST", f"/org/{code}/register/vacancies/1/fill", {"data": {"closed": "2025-02-01"}}),
        ("POST", f"/org/{code}/register/vacancies/1/withdraw", {"data": {"closed": "2025-02-01"}}),
        ("POST", f"/org/{code}/register/import", {"files": {"file": ("r.xlsx", _workbook([]))}}),
        ("GET", f"/api/practices/{code}/register", {}),
        ("GET", f"/api/practices/{code}/register/staff", {}),
        ("GET", f"/api/practices/{code}/register/vacancies", {}),
        ("GET", f"/api/org/{code}/register/status", {}),
        ("POST", f"/api/practices/{code}/register/staff", {"json": GP}),
        ("PATCH", f"/api/practices/{code}/register/staff/{rec}", {"json": {"fte": 0.5}}),
        ("POST", f"/api/practices/{code}/register/staff/{rec}/end", {"json": LEAVE}),
        ("POST", f"/api/practices/{code}/register/vacancies", {"json": VAC}),
        ("POST", f"/api/practices/{code}/register/vacancies/1/fill", {"json": {"closed": "2025-02-01"}}),
        ("POST", f"/api/practices/{code}/register/vacancies/1/withdraw", {"json": {"closed": "2025-02-01"}}),
    ]  # fmt: skip


def _call(client: TestClient, token: str | None, method: str, path: str, kwargs: dict[str, Any]) -> Any:
    kwargs = dict(kwargs)
    if token is not None:
        if "json" in kwargs:
            kwargs["headers"] = {"X-CSRF-Token": token}
        elif method == "POST":
            kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": token}
    return client.request(method, path, follow_redirects=False, **kwargs)


def test_every_route_refuses_another_practices_manager(signed_in, make_user, engine: Engine) -> None:
    owner, owner_token = signed_in(make_user("practice_manager", HOME))
    rec = _seed(owner, owner_token)
    other, token = signed_in(make_user("practice_manager", SIBLING))
    for method, path, kwargs in _routes(HOME, rec):
        response = _call(other, token, method, path, kwargs)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "REF-OWNER-7" not in response.text  # the owner's local reference never leaks
    assert _count(engine) == 1 and _audit(engine, HOME) == ["register.staff.add"]


def test_anonymous_gets_sign_in_or_401(app, engine: Engine, signed_in, make_user) -> None:
    owner, owner_token = signed_in(make_user("practice_manager", HOME))
    rec = _seed(owner, owner_token)
    with TestClient(app) as anon:
        for method, path, kwargs in _routes(HOME, rec):
            response = _call(anon, None, method, path, kwargs)
            if path.startswith("/api"):
                assert response.status_code in (401, 403), (method, path, response.status_code)
            elif method == "GET":
                assert response.status_code in (302, 303), (path, response.status_code)
                assert "/sign-in" in response.headers["location"]
            else:  # no session, so no CSRF token: refused before anything else
                assert response.status_code in (302, 303, 401, 403), (path, response.status_code)
    assert _count(engine) == 1


def test_writes_without_csrf_token_are_refused(signed_in, make_user, engine: Engine) -> None:
    client, token = signed_in(make_user("practice_manager", HOME))
    rec = _seed(client, token)
    for method, path, kwargs in _routes(HOME, rec):
        if method == "GET":
            continue
        response = client.request(method, path, follow_redirects=False, **kwargs)
        assert response.status_code == 403, (method, path, response.status_code)
    assert _count(engine) == 1 and _count(engine, Vacancy) == 0


@pytest.mark.parametrize(
    ("role", "org", "code", "ok"),
    [
        ("pcn_lead", PCN, HOME, True),
        ("pcn_lead", PCN, "A81005", False),
        ("icb_analyst", ICB, HOME, True),
        ("admin", None, HOME, True),
    ],
)
def test_wider_roles_in_and_out_of_scope(signed_in, make_user, ctx, role, org, code, ok) -> None:
    p = ctx.version().data.practices
    if not ok:  # a practice outside the PCN
        code = str(p.loc[(p["icb_code"] == ICB) & (p["pcn_code"] != PCN), "practice_code"].iloc[0])
    client, _ = signed_in(make_user(role, org))
    want = 200 if ok else 403
    assert client.get(f"/org/{code}/register").status_code == want
    assert client.get(f"/api/practices/{code}/register/staff").status_code == want
    assert client.get(f"/org/{code}/register/export.csv").status_code == want


# --- Forms ----------------------------------------------------------------------------------


def test_add_edit_end_and_vacancy_forms_are_validated_and_audited(signed_in, make_user, engine: Engine) -> None:
    client, token = signed_in(make_user("practice_manager", HOME))
    page = client.get(f"/org/{HOME}/register")
    assert page.status_code == 200 and "No staff register yet" in page.text
    bad = client.post(
        f"/org/{HOME}/register/staff", data=GP | {"fte": "3", "birth_year": "2020", "role": "", "csrf_token": token}
    )
    assert bad.status_code == 400
    assert "nhsuk-error-summary" in bad.text
    for text in ('href="#add-fte"', "FTE:", "Year of birth:", "Role:"):
        assert text in bad.text
    assert _count(engine) == 0 and _audit(engine, HOME) == []
    added = client.post(
        f"/org/{HOME}/register/staff", data=GP | {"local_ref": "G7", "csrf_token": token}, follow_redirects=False
    )
    assert added.status_code == 303
    page = client.get(added.headers["location"])
    assert "G7" in page.text and "register-staff-chart" in page.text
    with session_scope(engine) as s:
        rec = s.scalar(select(StaffRecord.id))
    edit = client.get(f"/org/{HOME}/register/staff/{rec}")
    assert edit.status_code == 200
    token = csrf_from(edit.text)
    early = client.post(
        f"/org/{HOME}/register/staff/{rec}/end",
        data={"end_date": "2010-01-01", "leaving_reason": "retirement", "csrf_token": token},
    )
    assert early.status_code == 400 and 'href="#end-end_date"' in early.text
    missing = client.post(f"/org/{HOME}/register/staff/{rec}/end", data={"end_date": "", "csrf_token": token})
    assert missing.status_code == 400 and "Leaving date:" in missing.text
    changed = client.post(
        f"/org/{HOME}/register/staff/{rec}", data=GP | {"fte": "0.6", "csrf_token": token}, follow_redirects=False
    )
    assert changed.status_code == 303
    ended = client.post(
        f"/org/{HOME}/register/staff/{rec}/end",
        data={"end_date": "2025-06-30", "leaving_reason": "retirement", "csrf_token": token},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert client.get(f"/org/{HOME}/register/staff/99999999").status_code == 404
    bad_vac = client.post(
        f"/org/{HOME}/register/vacancies", data={"role": "gp", "fte": "-1", "opened": "x", "csrf_token": token}
    )
    assert (
        bad_vac.status_code == 400
        and 'href="#vacancy-fte"' in bad_vac.text
        and 'href="#vacancy-opened"' in bad_vac.text
    )
    opened = client.post(
        f"/org/{HOME}/register/vacancies",
        data={"role": "gp", "fte": "1", "opened": "2025-07-01", "csrf_token": token},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    with session_scope(engine) as s:
        vac = s.scalar(select(Vacancy.id))
    no_date = client.post(f"/org/{HOME}/register/vacancies/{vac}/fill", data={"closed": "", "csrf_token": token})
    assert no_date.status_code == 400 and f'href="#close-{vac}-closed"' in no_date.text
    filled = client.post(
        f"/org/{HOME}/register/vacancies/{vac}/withdraw",
        data={"closed": "2025-08-01", "csrf_token": token},
        follow_redirects=False,
    )
    assert filled.status_code == 303
    assert _audit(engine, HOME) == [
        "register.staff.add", "register.staff.edit", "register.staff.edit", "register.vacancy.open",
        "register.vacancy.withdraw",
    ]  # fmt: skip
    page = client.get(f"/org/{HOME}/register").text
    assert "Leavers (1)" in page and "retirement" in page and "No open vacancies" in page


# --- Files ----------------------------------------------------------------------------------


def test_template_upload_all_or_nothing_and_export(signed_in, make_user, engine: Engine) -> None:
    client, token = signed_in(make_user("practice_manager", HOME))
    template = client.get(f"/org/{HOME}/register/template.xlsx")
    assert template.status_code == 200 and template.headers["content-type"].startswith("application/vnd.openxml")
    rows = [GP | {"local_ref": "A"}, GP | {"local_ref": "B", "fte": 7}]
    bad = client.post(
        f"/org/{HOME}/register/import", data={"csrf_token": token}, files={"file": ("mine.xlsx", _workbook(rows))}
    )
    assert bad.status_code == 400 and "mine.xlsx" in bad.text and "fte" in bad.text and "row 3" in bad.text.lower()
    assert _count(engine) == 0
    other = client.post(
        f"/org/{HOME}/register/import",
        data={"csrf_token": token},
        files={"file": ("o.xlsx", _workbook([GP | {"employer": SIBLING}]))},
    )
    assert other.status_code == 400 and SIBLING in other.text and _count(engine) == 0
    wrong = client.post(f"/org/{HOME}/register/import", data={"csrf_token": token}, files={"file": ("x.txt", b"hi")})
    assert wrong.status_code == 400 and _count(engine) == 0
    ok = client.post(
        f"/org/{HOME}/register/import",
        data={"csrf_token": token},
        files={"file": ("mine.xlsx", _workbook([GP | {"local_ref": "A"}, GP | {"local_ref": "B"}]))},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and _count(engine) == 2
    assert _audit(engine, HOME) == ["register.import"]
    csv = client.get(f"/org/{HOME}/register/export.csv")
    assert csv.status_code == 200 and csv.text.count("\n") == 3 and "A81001" in csv.text
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/org/{HOME}/register/export.xlsx").content))
    assert book["Staff"].max_row == 3
    again = client.post(
        f"/org/{HOME}/register/import",
        data={"csrf_token": token},
        files={"file": ("back.csv", csv.content)},
        follow_redirects=False,
    )
    assert again.status_code == 303 and _count(engine) == 2


# --- API and the organisation table ---------------------------------------------------------


def test_api_writes_validate_and_the_org_table_shows_who_has_not_updated(signed_in, make_user, engine, ctx) -> None:
    p = ctx.version().data.practices
    sibling = str(p.loc[(p["pcn_code"] == PCN) & (p["practice_code"] != HOME), "practice_code"].iloc[0])
    client, token = signed_in(make_user("pcn_lead", PCN))
    headers = {"X-CSRF-Token": token}
    bad = client.post(f"/api/practices/{HOME}/register/staff", json=GP | {"fte": 5, "colour": "red"}, headers=headers)
    assert bad.status_code == 422 and {d["loc"][-1] for d in bad.json()["detail"]} == {"colour"}
    bad = client.post(f"/api/practices/{HOME}/register/staff", json=GP | {"fte": 5}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "fte"]
    rec = _seed(client, token)
    patched = client.patch(f"/api/practices/{HOME}/register/staff/{rec}", json={"fte": 0.5}, headers=headers)
    assert patched.status_code == 200 and patched.json()["fte"] == 0.5
    vac = client.post(
        f"/api/practices/{HOME}/register/vacancies",
        json={"role": "gp", "fte": 0.5, "opened": "2025-01-01"},
        headers=headers,
    )
    assert vac.status_code == 201
    figures = client.get(f"/api/practices/{HOME}/register").json()
    assert figures["now"]["headcount"] == 1 and figures["now"]["vacancy_rate"] == pytest.approx(0.5)
    assert len(figures["trend"]) == 12
    assert client.get(f"/api/practices/{sibling}/register/staff").json()["staff"] == []  # in the PCN: allowed
    status = client.get(f"/api/org/{PCN}/register/status").json()
    assert HOME not in status["not_updated"] and sibling in status["not_updated"]
    assert client.get(f"/api/org/{PCN}/register/status", params={"month": "2025-13"}).status_code == 422
    page = client.get(f"/org/{PCN}/register")
    assert page.status_code == 200 and "have not updated their register" in page.text and sibling in page.text
    assert client.get(f"/org/{PCN}/register/status.csv").text.startswith("employer,")
    assert client.get(f"/org/{PCN}/register/employer").status_code == 200  # the PCN's own staff
    ended = client.post(
        f"/api/practices/{HOME}/register/staff/{rec}/end",
        json={"end_date": "2025-02-28", "leaving_reason": "sacked"},
        headers=headers,
    )
    assert ended.status_code == 422 and ended.json()["detail"][0]["loc"] == ["body", "leaving_reason"]
    assert client.post(f"/api/practices/{HOME}/register/vacancies/999999/fill", json={"closed": "2025-02-01"},
                       headers=headers).status_code == 404  # fmt: skip
    assert _audit(engine, HOME) == ["register.staff.add", "register.staff.edit", "register.vacancy.open"]


def test_register_link_shows_only_within_scope(signed_in, make_user) -> None:
    client, _ = signed_in(make_user("practice_manager", HOME))
    assert f'href="/org/{HOME}/register"' in client.get(f"/org/{HOME}").text
    assert f'href="/org/{SIBLING}/register"' not in client.get(f"/org/{SIBLING}").text
