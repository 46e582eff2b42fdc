"""Integration: hostile query strings and JSON bodies never reach a 5xx (issue 11).

Fields come from the Scenario model (its own names plus ``added_fte.<role>`` and
``minutes.<role>``); values mix ordinary numbers with what broke the app before: ``1e400``,
``inf``, ``nan``, 30-digit integers, long and odd text. Every answer must be below 500, and a
refusal must not echo Python internals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import test_corr_fixtures as shared
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_helpers import Person

from gpworkforce.scenario import Scenario

app = shared.app
engine = shared.engine
ctx = shared.ctx
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in

HOSTILE_NUMBERS = (
    "1e400", "-1e400", "inf", "-inf", "Infinity", "nan", "NaN", "1e308", "-1e308", "2030.5",
    "99999999999999999999999999", "-99999999999999999999999999", "0x10", "1_000", " 2030 ", "", "٣",
    "2030" * 30, "1" * 5000, "\x00", "'; DROP TABLE user_account; --", "<script>", "%00", "2030\n",
)  # fmt: skip
ROLES = ("gp", "anp", "pharmacist", "nurse", "unknown_role", "")
FIELDS = st.one_of(
    st.sampled_from([name for name in Scenario.model_fields if name not in ("added_fte", "minutes")]),
    st.builds(lambda p, r: f"{p}.{r}", st.sampled_from(("added_fte", "minutes")), st.sampled_from(ROLES)),
    st.text(max_size=20),
)
VALUES = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.text(max_size=50),
)
QUERIES = st.dictionaries(FIELDS, VALUES, max_size=5)
PAGES = (
    "/api/org/A81001/gap",
    "/api/org/QHM/gap",
    "/org/A81001",
    "/org/A81001/results",
    "/org/U89141/children",
    "/scenarios/new?org=A81001",
)
HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
INTERNALS = ("Traceback", "OverflowError", "cannot convert float", "ValueError")


def assert_handled(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.text[:300]}"
    assert not any(word in response.text for word in INTERNALS), f"{what}: {response.text[:300]}"


@pytest.mark.parametrize("value", ["1e400", "inf", "-inf", "nan", "99999999999999999999999999"])
@pytest.mark.parametrize("page", PAGES)
def test_the_reported_year_values_are_refused_not_500(app: Any, page: str, value: str) -> None:
    with TestClient(app) as client:
        response = client.get(page, params={"year": value}, follow_redirects=False)
        # /scenarios/new sends a visitor to sign in (303) before reading the scenario
        assert 400 <= response.status_code < 500 or response.status_code == 303, (page, value, response.status_code)
        assert_handled(response, f"{page}?year={value}")


@given(query=QUERIES)
@HYPOTHESIS
def test_page_and_api_query_strings_never_5xx(app: Any, query: dict[str, str]) -> None:
    with TestClient(app) as client:
        for page in PAGES:
            assert_handled(client.get(page, params=query), f"{page} {query!r}")


#: Retirement risk and supply projection (web.routes.workforce) and their downloads: own query fields.
WORKFORCE_PAGES = (
    "/org/A81001/workforce",
    "/org/A81001/workforce/retirement",
    "/org/U89141/workforce/supply",
    "/org/A81001/download/retirement.csv",
    "/org/A81001/download/supply_gap.xlsx",
)
WORKFORCE_QUERIES = st.dictionaries(
    st.one_of(st.sampled_from(("preset", "years", "draws", "sort", "dir", "seed")), st.text(max_size=10)),
    st.one_of(VALUES, st.sampled_from(("hee-100", "worst-case", "heads", "rag", "desc", "1", "10", "1000"))),
    max_size=4,
)


@given(query=WORKFORCE_QUERIES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_workforce_query_strings_never_5xx(app: Any, query: dict[str, str]) -> None:
    with TestClient(app) as client:
        for page in WORKFORCE_PAGES:
            assert_handled(client.get(page, params=query), f"{page} {query!r}")


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**40), max_value=10**40), st.text(max_size=30), st.sampled_from(HOSTILE_NUMBERS),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
BODIES = st.fixed_dictionaries(
    {},
    optional={
        "name": JSON_VALUES | st.text(max_size=300),
        "org": JSON_VALUES | st.sampled_from(("A81001", "U89141", "QHM", "ZZZZZ")),
        "params": st.dictionaries(FIELDS, JSON_VALUES, max_size=4) | JSON_VALUES,
        "shared": JSON_VALUES,
    },
)


def test_scenario_save_refuses_the_reported_year(
    make_user: Callable[..., Person], signed_in: Callable[[Person], Any]
) -> None:
    client, token = signed_in(make_user("pcn_lead", "U89141"))
    for year in ("1e400", "inf", "nan"):
        body = {"name": "x", "org": "A81001", "params": {"year": year}}
        response = client.post("/api/scenarios", json=body, headers={"X-CSRF-Token": token})
        assert response.status_code == 422, (year, response.text[:300])
    # the same as a raw JSON number beyond a double (Python reads it as inf)
    raw = b'{"name": "x", "org": "A81001", "params": {"year": 1e400}}'
    response = client.post(
        "/api/scenarios", content=raw, headers={"X-CSRF-Token": token, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text[:300]


def test_scenario_bodies_never_5xx(make_user: Callable[..., Person], signed_in: Callable[[Person], Any]) -> None:
    client, token = signed_in(make_user("pcn_lead", "U89141"))

    @given(body=BODIES)
    @HYPOTHESIS
    def check(body: dict[str, Any]) -> None:
        # NaN and Infinity written as Python's json writes them (the server's reader accepts them)
        headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
        response = client.post("/api/scenarios", content=json.dumps(body, allow_nan=True), headers=headers)
        assert_handled(response, repr(body))

    check()


def test_audit_before_out_of_range_is_422(make_user: Callable[..., Person], signed_in: Callable[[Person], Any]) -> None:
    admin, _ = signed_in(make_user("admin"))
    for before in ("99999999999999999999999999", "-1", "0", "1e400", "nan"):
        response = admin.get("/api/audit", params={"before": before})
        assert response.status_code == 422, (before, response.status_code)
        assert admin.get("/audit", params={"before": before}).status_code < 500
    assert admin.get("/api/audit", params={"before": "9223372036854775807"}).status_code == 200
    lead, _ = signed_in(make_user("pcn_lead", "U89141"))
    for value in ("1e400", "inf", "nan"):
        assert lead.get("/scenarios/new", params={"org": "A81001", "year": value}).status_code == 400


def test_a_body_with_infinity_gets_a_422_not_a_500(
    make_user: Callable[..., Person], signed_in: Callable[[Person], Any]
) -> None:
    """Found by the hypothesis test above: the 422 echoed the input, and JSON cannot carry inf."""
    client, token = signed_in(make_user("pcn_lead", "U89141"))
    response = client.post(
        "/api/scenarios",
        content='{"name": Infinity}',
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert {tuple(d["loc"]) for d in response.json()["detail"]} >= {("body", "name"), ("body", "org")}
