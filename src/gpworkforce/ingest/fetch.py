"""Find and download monthly releases from NHS England's publication pages (no database here).

NHS England publishes each statistical series as a *series page* on digital.nhs.uk that links
to one *release page* per month (``.../patients-registered-at-a-gp-practice/july-2026``);
each release page links to its files on files.digital.nhs.uk. Where to look and which file
to take is declared per kind in :data:`FETCH_SOURCES`, and every function takes the site's
base URL, so a mirror or a test server on loopback can stand in for digital.nhs.uk.

Links are read with the standard library's :mod:`html.parser`: the pages are ordinary HTML
and we only need ``<a href>``, so no HTML library is added for it.
"""

from __future__ import annotations

import re
import shutil
import zipfile
import zlib
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import httpx

#: Where NHS England's statistical publications live; ``--base-url`` replaces it.
DEFAULT_BASE_URL = "https://digital.nhs.uk"
STATISTICAL = "/data-and-information/publications/statistical"
#: Downloads above this are refused: the largest file we want (GPAD practice crosstab) is tens of MB.
MAX_DOWNLOAD_BYTES = 500 * 1024 * 1024
#: Unzipped CSVs above this in total are refused (a zip bomb or the wrong file).
MAX_UNZIPPED_BYTES = 4 * 1024 * 1024 * 1024
#: Connect fast (offline should be reported quickly), but allow slow reads of big files.
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
CHUNK = 1 << 16

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_LABEL = re.compile(
    r"(?<![a-z])(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)[\s_-]*((?:19|20|21)\d{2})(?!\d)",
    re.IGNORECASE,
)
_ISO_MONTH = re.compile(r"(?<!\d)((?:19|20|21)\d{2})-(0[1-9]|1[0-2])(?!\d)")
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _user_agent() -> str:
    try:
        version = metadata.version("gpworkforce")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        version = "dev"
    return f"gpworkforce/{version} (NHS general-practice workforce planning; downloads NHS England open data)"


USER_AGENT = _user_agent()


# --- errors -------------------------------------------------------------------------------


class FetchError(Exception):
    """A page or file could not be fetched or unpacked; the message is meant for the user."""


class OfflineError(FetchError):
    """The site could not be reached at all: later requests would fail the same way."""


def host_of(url: str) -> str:
    """``digital.nhs.uk`` from a URL, for messages."""
    return urlsplit(url).netloc or url


def _transport_error(url: str, exc: httpx.TransportError) -> FetchError:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.ProxyError | httpx.UnsupportedProtocol):
        return OfflineError(f"could not reach {host_of(url)}: {detail} — are you online?")
    return FetchError(f"the connection to {host_of(url)} failed while fetching {url}: {detail}; try again later")


def _check_status(response: httpx.Response, url: str) -> None:
    if response.is_success:
        return
    reason = response.reason_phrase or ""
    raise FetchError(f"{host_of(url)} answered {response.status_code} {reason} for {url}".rstrip())


# --- the declarative table ----------------------------------------------------------------


def parse_month_label(text: str) -> str | None:
    """``YYYY-MM`` from a release slug or title: ``july-2026``, ``30-june-2026``, ``Oct 2025``,
    ``2026-07``; None when the text names no month."""
    text = unquote(text)
    if m := _MONTH_LABEL.search(text):
        return f"{m.group(2)}-{_MONTHS.index(m.group(1)[:3].lower()) + 1:02d}"
    if m := _ISO_MONTH.search(text):
        return f"{m.group(1)}-{m.group(2)}"
    return None


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
    month_parser: Callable[[str], str | None] = parse_month_label
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


def file_name(url: str) -> str:
    """Last path segment of a URL, percent-decoded (``.../BB/362F1A/gp-reg-pat-prac-quin-age.zip``)."""
    return PurePosixPath(unquote(urlsplit(url).path)).name


# --- pages --------------------------------------------------------------------------------


def make_client(timeout: httpx.Timeout = TIMEOUT) -> httpx.Client:
    """An HTTP client that says who it is and follows the site's redirects."""
    return httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT})


def get_page(client: httpx.Client, url: str, cache: MutableMapping[str, str] | None = None) -> str:
    """The text of a page; with ``cache``, each URL is fetched once (two kinds share a release page)."""
    if cache is not None and url in cache:
        return cache[url]
    try:
        response = client.get(url)
    except httpx.TransportError as exc:
        raise _transport_error(url, exc) from exc
    _check_status(response, url)
    text = response.text
    if cache is not None:
        cache[url] = text
    return text


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


# --- files --------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(name: str, default: str = "download") -> str:
    """A file name that cannot escape the download folder (no separators, no leading dots)."""
    cleaned = _UNSAFE.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip(" .")
    return cleaned or default


def download(client: httpx.Client, url: str, dest_dir: Path, *, max_bytes: int = MAX_DOWNLOAD_BYTES) -> Path:
    """Stream ``url`` into ``dest_dir`` (never wholly in memory); refuse files over ``max_bytes``."""
    target = Path(dest_dir) / safe_name(file_name(url))
    try:
        with client.stream("GET", url) as response:
            _check_status(response, url)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{file_name(url)} is {int(declared):,} bytes, over the {max_bytes:,}-byte limit")
            written = 0
            with target.open("wb") as fh:
                for chunk in response.iter_bytes(CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise FetchError(f"{file_name(url)} is over the {max_bytes:,}-byte limit; download stopped")
                    fh.write(chunk)
    except httpx.TransportError as exc:
        target.unlink(missing_ok=True)
        raise _transport_error(url, exc) from exc
    except FetchError:
        target.unlink(missing_ok=True)
        raise
    return target


def _wanted_members(archive: zipfile.ZipFile, pattern: re.Pattern[str]) -> list[zipfile.ZipInfo]:
    out = []
    for info in archive.infolist():
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if info.is_dir() or "__MACOSX" in name.parts or name.name.startswith("._"):
            continue
        if pattern.search(name.name):
            out.append(info)
    return out


def extract_members(
    archive_path: Path,
    dest_dir: Path,
    pattern: re.Pattern[str],
    *,
    max_bytes: int = MAX_UNZIPPED_BYTES,
    rename: Callable[[str], str] | None = None,
) -> list[Path]:
    """Unpack the members whose file name matches ``pattern`` into ``dest_dir``, flat.

    Member paths are reduced to safe base names (no zip-slip), and the unpacked total is
    capped at ``max_bytes`` as it is written, since a zip's declared sizes can lie.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    out: list[Path] = []
    try:
        with zipfile.ZipFile(archive_path) as archive:
            members = _wanted_members(archive, pattern)
            declared = sum(m.file_size for m in members)
            if declared > max_bytes:
                raise FetchError(
                    f"{archive_path.name}: the CSVs unpack to {declared:,} bytes, over the {max_bytes:,}-byte limit"
                )
            for info in members:
                name = safe_name(info.filename, default="member.csv")
                name = rename(name) if rename else name
                target = dest_dir / name
                n = 2
                while target in out or target.exists():
                    target = dest_dir / f"{Path(name).stem}-{n}{Path(name).suffix}"
                    n += 1
                with archive.open(info) as src, target.open("wb") as dst:
                    while chunk := src.read(CHUNK):
                        written += len(chunk)
                        if written > max_bytes:
                            raise FetchError(f"{archive_path.name}: unpacked data is over the {max_bytes:,}-byte limit")
                        dst.write(chunk)
                out.append(target)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise FetchError(
            f"{archive_path.name} is not a readable zip file (corrupt or truncated download?): {exc}"
        ) from exc
    return out


def with_month(name: str, month: str) -> str:
    """``Mapping.csv`` -> ``Mapping_2026-08.csv``: undated NHS file names get the release month,
    which readers of undated layouts (GPAD mapping) take as the period."""
    if parse_month_label(name):
        return name
    path = PurePosixPath(name)
    return f"{path.stem}_{month}{path.suffix}"


def unpack(
    downloaded: Path, dest_dir: Path, pattern: re.Pattern[str], month: str, *, max_bytes: int = MAX_UNZIPPED_BYTES
) -> list[Path]:
    """The CSV files to import from a download: the matching zip members, or the CSV itself."""
    if zipfile.is_zipfile(downloaded):
        return extract_members(
            downloaded, dest_dir, pattern, max_bytes=max_bytes, rename=lambda n: with_month(n, month)
        )
    if downloaded.suffix.lower() == ".zip":
        raise FetchError(f"{downloaded.name} is not a readable zip file (corrupt or truncated download?)")
    target = Path(dest_dir) / with_month(downloaded.name, month)
    Path(dest_dir).mkdir(parents=True, exist_ok=True)
    shutil.move(downloaded, target)
    return [target]
