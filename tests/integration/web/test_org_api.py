"""The JSON API equals the services' reports; /docs and /openapi.json work offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_org_pages import client, ctx, national_url  # noqa: F401  (module fixtures, shared template)

from gpworkforce.reports.source import jsonable
from gpworkforce.scenario import Scenario
from gpworkforce.services.benchmarks import benchmark_report
from gpworkforce.services.capacity import capacity_report, gap_report
from gpworkforce.services.children import by_level_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.versions import Workspace
from gpworkforce.web.assets import static_url

SCENARIO_QUERY = {"shift_share": "0.25", "year": "2030", "dna_rate": "0.03", "added_fte.pharmacist": "4"}
SCENARIO = Scenario(shift_share=0.25, year=2030, dna_rate=0.03, added_fte={"pharmacist": 4.0})


@pytest.mark.parametrize("code", ["england", "QHM", "A81001"])
@pytest.mark.parametrize(
    ("kind", "service"),
    [("demand", demand_report), ("capacity", capacity_report), ("gap", gap_report)],
)
def test_report_json_equals_the_service_report(
    client: TestClient,  # noqa: F811
    ctx: Workspace,  # noqa: F811
    code: str,
    kind: str,
    service: Any,
) -> None:
    response = client.get(f"/api/org/{code}/{kind}", params=SCENARIO_QUERY)
    assert response.status_code == 200, response.text
    report = service(ctx.version(), code, SCENARIO)
    assert response.json() == jsonable(report.to_dict())
    # the typed rows (the response model's tables) hold the same values as the frames
    assert jsonable(report.tables.model_dump()) == jsonable(report.to_dict()["tables"])


def test_benchmark_and_children_json(client: TestClient, ctx: Workspace) -> None:  # noqa: F811
    bench = client.get("/api/org/A81001/benchmark").json()
    assert bench == jsonable(benchmark_report(ctx.version(), "A81001").to_dict())
    kids = client.get("/api/org/QHM/children", params=SCENARIO_QUERY).json()
    assert kids == jsonable(by_level_report(ctx.version(), "QHM", "sub_icb", SCENARIO).to_dict())
    practices = client.get("/api/org/U89141/children", params={"by": "practice"}).json()
    assert len(practices["tables"]["organisations"]) == practices["summary"]["rows"] > 1
    assert client.get("/api/org/U89141/children", params={"by": "icb"}).status_code == 422
    assert client.get("/api/org/A81001/children").status_code == 422


def test_nan_is_null(client: TestClient) -> None:  # noqa: F811
    text = client.get("/api/org/england/children", params={"by": "practice"}).text
    assert "NaN" not in text and "Infinity" not in text


def test_org_json_has_parents_and_links(client: TestClient) -> None:  # noqa: F811
    data = client.get("/api/org/A81001").json()
    assert data["organisation"]["code"] == "A81001" and data["organisation"]["level"] == "practice"
    assert [p["level"] for p in data["parents"]] == ["england", "region", "icb", "sub_icb", "pcn"]
    assert data["links"]["gap"] == "/api/org/A81001/gap" and "children" not in data["links"]
    england = client.get("/api/org/england").json()
    assert england["parents"] == [] and england["children_level"] == "region"


def test_search_json(client: TestClient) -> None:  # noqa: F811
    data = client.get("/api/search", params={"q": "densham"}).json()
    hit = next(r for r in data["results"] if r["code"] == "A81001")
    assert hit["level"] == "practice" and hit["url"] == "/org/A81001" and hit["parent"]["level"] == "pcn"
    assert hit["match"] == "name"
    assert client.get("/api/search", params={"q": ""}).json()["results"] == []
    packed = client.get("/api/search", params={"q": "TS181HU"}).json()
    assert packed["results"][0]["code"] in {"A81001", "A81025"} and packed["results"][0]["match"] == "postcode"
    paged = client.get("/api/search", params={"q": "surgery", "page": 2}).json()
    assert paged["page"] == 2 and paged["total"] > 40 and paged["pages"] == -(-paged["total"] // 20)
    assert len(paged["results"]) == 20


def test_errors_are_json_naming_the_problem(client: TestClient) -> None:  # noqa: F811
    missing = client.get("/api/org/ZZZ/gap")
    assert missing.status_code == 404 and "ZZZ" in missing.json()["detail"]
    assert client.get("/api/org/ZZZ").status_code == 404
    bad = client.get("/api/org/QHM/gap", params={"shift_share": "2"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("shift_share:")
    bad = client.get("/api/org/QHM/demand", params={"minutes.gp": "0"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("minutes.gp:")
    unknown = client.get("/api/org/QHM/gap", params={"colour": "blue"})
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("colour:")


def test_capacity_standard_query_parameter(client: TestClient, ctx: Workspace) -> None:  # noqa: F811
    for kind, service in (("capacity", capacity_report), ("gap", gap_report)):
        response = client.get(f"/api/org/QHM/{kind}", params={"capacity_standard": "throughput"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["summary"]["capacity_standard"] == "throughput"
        expected = service(ctx.version(), "QHM", Scenario(capacity_standard="throughput"))
        assert body == jsonable(expected.to_dict())
    default = client.get("/api/org/QHM/gap").json()
    assert default["summary"]["capacity_standard"] == "reference"
    assert any(n.startswith("capacity standard: reference (the default)") for n in default["notes"])
    bad = client.get("/api/org/QHM/gap", params={"capacity_standard": "fastest"})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("capacity_standard:") and "throughput" in bad.json()["detail"]


def test_docs_and_openapi_are_served_with_nothing_from_elsewhere(client: TestClient) -> None:  # noqa: F811
    docs = client.get("/docs")
    assert docs.status_code == 200
    html = docs.text
    assert "<script>" not in html and "<style" not in html  # nothing inline: the CSP blocks it
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert static_url("vendor/swagger-ui/swagger-ui-bundle.js") in urls  # fingerprinted
    assert 'data-openapi-url="/openapi.json"' in html
    init = client.get("/static/js/swagger-init.js").text
    assert "validatorUrl: null" in init and "http" not in init
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "servers" not in schema or all(
        s["url"].startswith("/") or "127.0.0.1" in s["url"] for s in schema["servers"]
    )
    paths = schema["paths"]
    for path in ("/api/search", "/api/org/{code}", "/api/org/{code}/gap", "/api/org/{code}/children"):
        assert path in paths
    gap_params = {p["name"] for p in paths["/api/org/{code}/gap"]["get"]["parameters"]}
    assert {"code", "year", "shift_share", "dna_rate", "added_fte.pharmacist", "minutes.gp"} <= gap_params
    standard = next(p for p in paths["/api/org/{code}/gap"]["get"]["parameters"] if p["name"] == "capacity_standard")
    assert standard["schema"]["enum"] == ["reference", "throughput", "safe"]
    assert "/org/{code}" not in paths  # HTML pages are not API
    schemas = schema["components"]["schemas"]
    for name in ("DemandReport", "CapacityReport", "GapReport", "BenchmarkReport", "ChildrenReport", "OrgInfo"):
        assert name in schemas, name
    gap = schemas["GapReport"]["properties"]
    assert gap["summary"]["$ref"].endswith("/GapSummary") and gap["tables"]["$ref"].endswith("/GapTables")
    assert "gap_per_week" in schemas["GapSummary"]["properties"]
    assert "capacity_to_demand" in schemas["GapRoleRow"]["properties"]


def test_every_operation_is_grouped_and_named_for_people(client: TestClient) -> None:  # noqa: F811
    """/docs groups operations by tag (never "default") with a summary and an operation id that a
    person wrote, not FastAPI's generated "Fte Api Put" / "fte_api_put_api_practices__practice__fte_put"."""
    schema = client.get("/openapi.json").json()
    declared = [t["name"] for t in schema["tags"]]
    assert declared == ["Organisations", "Downloads", "Saved scenarios", "FTE corrections", "Staff register", "Audit"]
    ids = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            assert len(op.get("tags", [])) == 1 and op["tags"][0] in declared, where
            assert op.get("summary") and op["summary"] != op["summary"].title(), where  # not "Fte Api Put"
            assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", op["operationId"]), where
            ids.append(op["operationId"])
    assert len(ids) == len(set(ids)) >= 17
    put = schema["paths"]["/api/practices/{practice}/fte"]["put"]
    assert (put["tags"], put["operationId"]) == (["FTE corrections"], "correctPracticeFte")


def test_docs_page_loads_the_contrast_overrides(client: TestClient) -> None:  # noqa: F811
    page = client.get("/docs").text
    swagger, overrides = page.index("swagger-ui.css"), page.index("css/swagger-overrides.css")
    assert swagger < overrides  # after Swagger UI's own colours, so it wins
    url = re.search(r'href="([^"]*css/swagger-overrides\.css)"', page)
    assert url is not None
    css = client.get(url.group(1)).text
    assert ".opblock-get .opblock-summary-method { background: #005eb8; }" in css
    assert "deepLinking: false" in client.get("/static/js/swagger-init.js").text  # no links nested in buttons
