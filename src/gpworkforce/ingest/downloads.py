"""Getting NHS England's pages and files safely: an HTTP client that says who it is,
streamed downloads with a size cap, and zip members unpacked flat with a size cap.

Errors are :class:`FetchError` with a message meant for the user; :class:`OfflineError`
when the site cannot be reached at all.
"""

from __future__ import annotations

import re
import shutil
import zipfile
import zlib
from collections.abc import Callable, MutableMapping
from importlib import metadata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from gpworkforce.ingest.periods import month_in_name

#: Downloads above this are refused: the largest file we want (GPAD practice crosstab) is tens of MB.
MAX_DOWNLOAD_BYTES = 500 * 1024 * 1024
#: Unzipped CSVs above this in total are refused (a zip bomb or the wrong file).
MAX_UNZIPPED_BYTES = 4 * 1024 * 1024 * 1024
#: Connect fast (offline should be reported quickly), but allow slow reads of big files.
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
CHUNK = 1 << 16


def _user_agent() -> str:
    try:
        version = metadata.version("gpworkforce")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        version = "dev"
    return f"gpworkforce/{version} (NHS general-practice workforce planning; downloads NHS England open data)"


USER_AGENT = _user_agent()


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


def file_name(url: str) -> str:
    """Last path segment of a URL, percent-decoded (``.../BB/362F1A/gp-reg-pat-prac-quin-age.zip``)."""
    return PurePosixPath(unquote(urlsplit(url).path)).name


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
    if month_in_name(name):
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
