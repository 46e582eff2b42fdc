"""Where NHS England publishes each kind's monthly releases, and finding them (no database here).

NHS England publishes each statistical series as a *series page* on digital.nhs.uk that links
to one *release page* per month (``.../patients-registered-at-a-gp-practice/july-2026``);
each release page links to its files on files.digital.nhs.uk. Where to look and which file
to take is declared per kind in :data:`FETCH_SOURCES`, and every function takes the site's
base URL, so a mirror or a test server on loopback can stand in for digital.nhs.uk.
Downloading and unpacking are in :mod:`~gpworkforce.ingest.downloads`.

Links are read with the standard library's :mod:`html.parser`: the pages are ordinary HTML
and we only need ``<a href>``, so no HTML library is added for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from gpworkforce.ingest.downloads import file_name, get_page
from gpworkforce.ingest.periods import month_in_name

#: Where NHS England's statistical publications live; ``--base-url`` replaces it.
DEFAULT_BASE_URL = "https://digital.nhs.uk"
STATISTICAL = "/data-and-information/publications/statistical"


# --- the declarative table ----------------------------------------------------------------


@dataclass(frozen=True)
class FetchSource:
    """Where one kind's monthly files are published and how to recognise them.

    ``release_link`` is searched in the absolute URL of every link on the series page;
    ``file_link`` in the file name of every link on a release page; ``member`` picks the
    CSV(s) to import from a downloaded zip (by member file name). ``companion`` names a
    further CSV in the same zip that is imported as ``companion_kind`` (GPAD's
    ``Mapping.csv``). ``ignore_loaded`` marks stored datasets of this kind that came from
    another publication, so they do not count as this publication's latest month.
    """

    kind: str
    title: str
    series_path: str
    release_link: re.Pattern[str]
    file_link: re.Pattern[str]
    member: re.Pattern[str]
    month_parser: Callable[[str], str | None] = month_in_name
    companion: re.Pattern[str] | None = None
    companion_kind: str | None = None
    ignore_loaded: re.Pattern[str] | None = None

    def series_url(self, base_url: str = DEFAULT_BASE_URL) -> str:
        """The series page on ``base_url`` (a mirror may add a path prefix)."""
        return base_url.rstrip("/") + self.series_path


def _release_link(series: str) -> re.Pattern[str]:
    return re.compile(rf"/{re.escape(series)}/(?P<slug>[^/?#]+)/?(?:[?#].*)?$", re.IGNORECASE)


_PATIENTS = "patients-registered-at-a-gp-practice"
_GPAD = "appointments-in-general-practice"
_PCN = "primary-care-network-workforce"
_GPW = "general-and-personal-medical-services"

FETCH_SOURCES: dict[str, FetchSource] = {
    s.kind: s
    for s in (
        FetchSource(
            "mapping",
            "Patients Registered at a GP Practice: practice mapping (gp-reg-pat-prac-map)",
            f"{STATISTICAL}/{_PATIENTS}",
            _release_link(_PATIENTS),
            re.compile(r"^gp-reg-pat-prac-map[^/]*\.(zip|csv)$", re.IGNORECASE),
            re.compile(r"^gp-reg-pat-prac-map[^/]*\.csv$", re.IGNORECASE),
            ignore_loaded=re.compile(r"gpad|practice_level_crosstab|^mapping\b", re.IGNORECASE),
        ),
        FetchSource(
            "patients",
            "Patients Registered at a GP Practice: 5-year age bands (gp-reg-pat-prac-quin-age)",
            f"{STATISTICAL}/{_PATIENTS}",
            _release_link(_PATIENTS),
            re.compile(r"^gp-reg-pat-prac-quin-age[^/]*\.(zip|csv)$", re.IGNORECASE),
            re.compile(r"^gp-reg-pat-prac-quin-age[^/]*\.csv$", re.IGNORECASE),
        ),
        FetchSource(
            "pcn_workforce",
            "Primary Care Network Workforce: individual-level CSV (PCNWFIndividualCSV)",
            f"{STATISTICAL}/{_PCN}",
            _release_link(_PCN),
            re.compile(r"^PCNWFIndividualCSV[^/]*\.zip$", re.IGNORECASE),
            re.compile(r"individual[\s_-]*level[^/]*\.csv$", re.IGNORECASE),
        ),
        FetchSource(
            "appointments",
            "Appointments in General Practice: Practice Level Crosstab",
            f"{STATISTICAL}/{_GPAD}",
            _release_link(_GPAD),
            re.compile(r"^Practice_Level_Crosstab[^/]*\.zip$", re.IGNORECASE),
            re.compile(r"\.csv$", re.IGNORECASE),
            companion=re.compile(r"^mapping[^/]*\.csv$", re.IGNORECASE),
            companion_kind="mapping",
        ),
        FetchSource(
            "workforce",
            "General Practice Workforce: Practice Level - Detailed CSV (roles, age bands, FTE and headcount)",
            f"{STATISTICAL}/{_GPW}",
            _release_link(_GPW),
            re.compile(r"practice[\s_%20-]*level[^/]*detailed[^/]*\.(zip|csv)$", re.IGNORECASE),
            re.compile(r"practice[\s_-]*level[^/]*detailed[^/]*\.csv$", re.IGNORECASE),
            ignore_loaded=re.compile(r"heec|workforce_year", re.IGNORECASE),
        ),
    )
}
#: Kinds in the order they are fetched: mappings first, since appointments are checked against them.
FETCH_KINDS: tuple[str, ...] = tuple(FETCH_SOURCES)


# --- links --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One ``<a href>`` on a page: absolute URL and its visible text."""

    url: str
    text: str


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._close()
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close()

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def _close(self) -> None:
        if self._href:
            self.links.append((self._href, " ".join("".join(self._text).split())))
        self._href = None
        self._text = []

    def close(self) -> None:
        super().close()
        self._close()


def extract_links(html: str, page_url: str) -> list[Link]:
    """Every http(s) link on a page, made absolute against ``page_url``, in page order."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    out: list[Link] = []
    for href, text in parser.links:
        url = urljoin(page_url, href.strip())
        if urlsplit(url).scheme in ("http", "https"):
            out.append(Link(url, text))
    return out


# --- releases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """One monthly release page of a series."""

    month: str
    url: str
    title: str


def parse_releases(html: str, page_url: str, source: FetchSource) -> list[Release]:
    """Monthly release pages linked from a series page, oldest first, one per month.

    The month comes from the link's URL slug, else from its text; links naming no month
    (navigation, "latest", methodology pages) are ignored.
    """
    found: dict[str, Release] = {}
    for link in extract_links(html, page_url):
        m = source.release_link.search(link.url)
        if not m:
            continue
        month = source.month_parser(m.group("slug")) or source.month_parser(link.text)
        if month and month not in found:
            found[month] = Release(month, link.url.split("#")[0], link.text or m.group("slug"))
    return [found[k] for k in sorted(found)]


def list_releases(
    client: httpx.Client,
    source: FetchSource,
    base_url: str = DEFAULT_BASE_URL,
    cache: MutableMapping[str, str] | None = None,
) -> list[Release]:
    """Fetch the series page on ``base_url`` and list its monthly releases, oldest first."""
    url = source.series_url(base_url)
    return parse_releases(get_page(client, url, cache), url, source)


def newer_releases(releases: list[Release], after: str | None) -> list[Release]:
    """Releases after month ``after``; with nothing loaded yet, only the newest one.

    Taking the whole history on first use would download years of files; the shipped
    snapshot (``gpworkforce init``) already provides a recent month.
    """
    if after is None:
        return releases[-1:]
    return [r for r in releases if r.month > after]


def parse_resources(html: str, page_url: str, source: FetchSource) -> list[str]:
    """URLs of the release page's files that this kind wants (``.zip``/``.csv``), deduplicated."""
    urls: list[str] = []
    for link in extract_links(html, page_url):
        if source.file_link.search(file_name(link.url)) and link.url not in urls:
            urls.append(link.url)
    return urls


def find_resources(
    client: httpx.Client,
    source: FetchSource,
    release_url: str,
    cache: MutableMapping[str, str] | None = None,
) -> list[str]:
    """Fetch a release page and return the URLs of this kind's files on it."""
    return parse_resources(get_page(client, release_url, cache), release_url, source)
