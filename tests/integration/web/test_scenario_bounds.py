"""Integration: scenario values the organisation or common sense rule out get a 400 with the
reason (page and API), never a figure quietly floored at zero."""

from __future__ import annotations

from fastapi.testclient import TestClient
from test_org_pages import client, ctx, national_url  # noqa: F401  (module fixtures, shared template)


def test_removing_more_fte_than_the_practice_has_is_refused(client: TestClient) -> None:  # noqa: F811
    page = client.get("/org/A81001", params={"added_fte.gp": "-1000"})
    assert page.status_code == 400
    assert "removes more GP (qualified, permanent) FTE than THE DENSHAM SURGERY has" in page.text
    api = client.get("/api/org/A81001/gap", params={"added_fte.gp": "-1000"})
    assert api.status_code == 400 and "the most that can be removed is" in api.json()["detail"]
    fragment = client.get("/org/A81001/results", params={"added_fte.gp": "-1000"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 400
    # removing less than the practice has is a normal scenario
    assert client.get("/api/org/A81001/gap", params={"added_fte.gp": "-1"}).status_code == 200
    # for an ICB the same removal is well within its GPs
    assert client.get("/api/org/QHM/gap", params={"added_fte.gp": "-1000"}).status_code == 200


def test_slot_lengths_outside_5_to_60_minutes_are_refused(client: TestClient) -> None:  # noqa: F811
    for minutes in ("1", "4.9", "61"):
        response = client.get("/api/org/A81001/gap", params={"minutes.gp": minutes})
        assert response.status_code == 422, minutes
        assert "minutes.gp" in response.json()["detail"]
    assert client.get("/org/A81001", params={"minutes.gp": "1"}).status_code == 400
    assert client.get("/api/org/A81001/gap", params={"minutes.gp": "5"}).status_code == 200
