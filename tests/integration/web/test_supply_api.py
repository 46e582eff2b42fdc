"""Integration: /api/org/{code}/retirement and /api/org/{code}/supply: public aggregates, bounded
query parameters (4xx naming the field, never a 5xx)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_org_pages import client, ctx, national_url  # noqa: F401  (module fixtures, shared template)


def test_retirement_api(client: TestClient) -> None:  # noqa: F811
    r = client.get("/api/org/A81001/retirement")
    assert r.status_code == 200
    body = r.json()
    assert body["summary"]["no_age_data"] == 1
    row = body["tables"]["practices"][0]
    assert row["rag"] == "no age data" and row["share_fte_55_plus"] is None
    assert set(row) >= {"heads", "fte", "age_source", "reasons"}  # aggregates, no person-level fields


def test_supply_api(client: TestClient) -> None:  # noqa: F811
    r = client.get("/api/org/A81001/supply?years=2&draws=40&preset=hee-80&seed=2")
    assert r.status_code == 200
    body = r.json()
    assert body["summary"]["draws"] == 40 and body["summary"]["preset"] == "hee-80"
    fte = body["tables"]["fte"]
    assert all(x["fte_p10"] <= x["fte_p50"] <= x["fte_p90"] for x in fte)
    assert r.json() == client.get("/api/org/A81001/supply?years=2&draws=40&preset=hee-80&seed=2").json()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("years=0", 422),
        ("years=11", 422),
        ("years=1e400", 422),
        ("years=%00", 422),
        ("draws=-1", 422),
        ("draws=999999999999999999999", 422),
        ("preset=hee-90", 422),
        ("preset=" + "x" * 500, 422),
        ("seed=-5", 422),
        ("seed=nan", 422),
    ],
)
def test_supply_api_bad_query_strings(client: TestClient, query: str, status: int) -> None:  # noqa: F811
    r = client.get(f"/api/org/A81001/supply?{query}")
    assert r.status_code == status, r.text


def test_unknown_organisation_is_404(client: TestClient) -> None:  # noqa: F811
    assert client.get("/api/org/NOPE/supply?draws=5").status_code == 404
    assert client.get("/api/org/NOPE/retirement").status_code == 404
