"""Static files over HTTP: fingerprinted and cached for a year, gzipped, 304 when unchanged."""

from __future__ import annotations

import gzip
import re

import pytest
from fastapi.testclient import TestClient

from gpworkforce.web.assets import IMMUTABLE, default_registry


@pytest.fixture(scope="module")
def db_backend() -> str:
    """Static serving does not depend on the database: SQLite only."""
    return "sqlite"


FINGERPRINTED = re.compile(r'(?:src|href)="(/static/[0-9a-f]{12}/[^"]+)"')


def test_every_asset_of_a_page_is_fingerprinted_and_cached_for_a_year(client: TestClient) -> None:
    html = client.get("/").text
    urls = FINGERPRINTED.findall(html)
    assert len(urls) >= 6 and not re.search(r'(?:src|href)="/(?:static|vendor)/(?![0-9a-f]{12}/)', html)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.headers["etag"].strip('"') == url.split("/")[2]


@pytest.mark.parametrize("path", ["js/charts.js", "vendor/plotly/plotly-basic.min.js", "vendor/plotly/plotly.css"])
def test_text_assets_are_sent_gzipped_and_unchanged_once_decoded(client: TestClient, path: str) -> None:
    asset = default_registry().asset(path)
    url = default_registry().url(path)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(asset.body) * 0.6
    assert zipped.content == asset.body  # httpx decodes
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == asset.body


def test_the_plotly_bundle_is_under_half_a_megabyte_as_sent() -> None:
    bundle = default_registry().asset("vendor/plotly/plotly-basic.min.js")
    assert len(bundle.gzipped()) < 500_000 and gzip.decompress(bundle.gzipped()) == bundle.body


def test_if_none_match_gives_304_without_a_body(client: TestClient) -> None:
    url = default_registry().url("css/app.css")
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"] and again.headers["cache-control"] == IMMUTABLE
    assert client.get(url, headers={"If-None-Match": '"000000000000"'}).status_code == 200
    plain = client.get("/static/css/app.css", headers={"If-None-Match": first.headers["etag"]})
    assert plain.status_code == 304 and plain.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    ["/static/css/app.css", "/static/000000000000/css/app.css", "/vendor/plotly.min.js", "/vendor/plotly.css"],
)
def test_old_addresses_still_work_but_are_revalidated(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
    assert response.headers["etag"]


def test_an_unknown_static_file_is_a_404(client: TestClient) -> None:
    assert client.get("/static/css/none.css").status_code == 404
    assert client.get(f"/static/{'a' * 12}/css/none.css").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_stylesheet_images_and_module_imports_are_fingerprinted_too(client: TestClient) -> None:
    registry = default_registry()
    css = client.get(registry.url("vendor/nhsuk-frontend/nhsuk-frontend.min.css")).text
    images = re.findall(r"url\(\"?(/static/[^)\"]+)", css)
    assert images and all(re.match(r"/static/[0-9a-f]{12}/", url) for url in images)
    assert client.get(images[0]).headers["cache-control"] == IMMUTABLE
    init = client.get(registry.url("js/nhsuk-init.js")).text
    assert f'from "{registry.url("vendor/nhsuk-frontend/nhsuk-frontend.min.js")}"' in init


def test_html_pages_are_gzipped_and_still_not_stored(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip" and page.headers["cache-control"] == "no-store"
    assert "<!DOCTYPE html>" in page.text
