"""Static assets under fingerprinted URLs: cached for a year, compressed once, 304 when unchanged.

Why: an organisation page used to download about 5 MB on every visit (Plotly sent uncompressed,
``no-cache``). Now every file under ``static/`` is read once into an :class:`AssetRegistry` and
served by :func:`serve`:

- ``/static/<digest>/<path>``, where ``<digest>`` is the first 12 hex digits of the SHA-256 of
  the file as served: ``Cache-Control: public, max-age=31536000, immutable``. A new version of a
  file has a new URL, so a year-long cache is safe. Templates get these URLs from the
  ``static_url('css/app.css')`` helper (:func:`static_url`); a test fails on a literal
  ``/static/`` or ``/vendor/`` address in a template.
- ``/static/<path>`` (the old, plain address) and a digest that is no longer current (a link
  from before a deployment): the current file with ``Cache-Control: no-cache``, so old links
  keep working and are revalidated.
- Always an ``ETag``; ``If-None-Match`` with it gives ``304 Not Modified`` and no body.
- Text formats (CSS, JS, SVG, JSON, ICO, Markdown) are gzipped once, on first request, at the
  highest level, and sent so when the browser accepts gzip (``Vary: Accept-Encoding``).
- References between assets are rewritten to fingerprinted URLs when the registry is built:
  ``url(/static/...)`` in CSS and relative ``import ... from "../x.js"`` in JS modules. A file's
  digest is taken after its references are rewritten, so a changed icon changes its CSS's URL too.
- Generated assets (Plotly's global stylesheet, read out of the vendored bundle) are registered
  beside the files (:func:`default_registry`).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import posixpath
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from gpworkforce.web import plotly_offline

STATIC_ROOT: Final = Path(__file__).resolve().parent / "static"
URL_PREFIX: Final = "/static/"
DIGEST_LENGTH: Final = 12
IMMUTABLE: Final = "public, max-age=31536000, immutable"
REVALIDATE: Final = "no-cache"
#: Media types worth gzipping (already-compressed formats such as PNG are not).
COMPRESSIBLE: Final = frozenset(
    {
        "text/css",
        "text/javascript",
        "text/markdown",
        "text/plain",
        "application/json",
        "image/svg+xml",
        "image/x-icon",
        "image/vnd.microsoft.icon",
    }
)
_MEDIA_TYPES: Final = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".md": "text/markdown"}
_DIGEST: Final = re.compile(rf"[0-9a-f]{{{DIGEST_LENGTH}}}")
_CSS_URL: Final = re.compile(r"""url\((["']?)(/static/[^"')?#]+)\1\)""")
_JS_IMPORT: Final = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}/[^"']+)\2""")


@dataclass
class Asset:
    """One file as served: its bytes, media type and digest; gzipped bytes made on first use."""

    path: str
    body: bytes
    media_type: str
    digest: str
    _gzipped: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def compressible(self) -> bool:
        return self.media_type in COMPRESSIBLE

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'

    def gzipped(self) -> bytes:
        """The body gzipped at level 9 (deterministic: mtime 0), computed once."""
        with self._lock:
            if self._gzipped is None:
                self._gzipped = gzip.compress(self.body, compresslevel=9, mtime=0)
            return self._gzipped


def _media_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in _MEDIA_TYPES:
        return _MEDIA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or ("text/plain" if "." not in posixpath.basename(path) else "application/octet-stream")


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:DIGEST_LENGTH]


class AssetRegistry:
    """Every static file by its path relative to ``static/`` (``"js/charts.js"``), with its URL."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        """``files``: path -> bytes as stored. CSS and JS references are rewritten (see module doc)."""
        self._files = dict(files)
        self._assets: dict[str, Asset] = {}
        for path in sorted(self._files):
            self._build(path, ())

    def _build(self, path: str, chain: tuple[str, ...]) -> Asset | None:
        """Register ``path`` after the files it references (their digests go into its bytes)."""
        if path in self._assets or path not in self._files:
            return self._assets.get(path)
        if path in chain:
            raise ValueError(f"static assets reference each other in a cycle: {' -> '.join((*chain, path))}")
        body = self._files[path]
        # JS is rewritten only outside vendor/: the vendored bundles are left as published.
        if path.endswith(".css") or (path.endswith((".js", ".mjs")) and not path.startswith("vendor/")):
            body = self._rewrite(path, body, (*chain, path))
        asset = self._assets[path] = Asset(path, body, _media_type(path), _digest(body))
        return asset

    @classmethod
    def from_directory(cls, root: Path, extra: Mapping[str, bytes] | None = None) -> AssetRegistry:
        """All files under ``root`` plus generated ``extra`` files (path -> bytes)."""
        files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        return cls({**files, **(extra or {})})

    def _rewrite(self, path: str, body: bytes, chain: tuple[str, ...]) -> bytes:
        text = body.decode("utf-8")

        def fingerprinted(target: str) -> str | None:
            asset = self._build(target, chain)
            return None if asset is None else f"{URL_PREFIX}{asset.digest}/{target}"

        def css(match: re.Match[str]) -> str:
            url = fingerprinted(match.group(2).removeprefix(URL_PREFIX))
            return match.group(0) if url is None else f"url({match.group(1)}{url}{match.group(1)})"

        def js(match: re.Match[str]) -> str:
            url = fingerprinted(posixpath.normpath(posixpath.join(posixpath.dirname(path), match.group(3))))
            return match.group(0) if url is None else f"{match.group(1)}{match.group(2)}{url}{match.group(2)}"

        text = _CSS_URL.sub(css, text) if path.endswith(".css") else _JS_IMPORT.sub(js, text)
        return text.encode("utf-8")

    def get(self, path: str) -> Asset | None:
        return self._assets.get(path)

    def asset(self, path: str) -> Asset:
        """The asset at ``path``; ``KeyError`` names a path that is not an asset."""
        asset = self._assets.get(path)
        if asset is None:
            raise KeyError(f"no static asset {path!r} under {STATIC_ROOT}")
        return asset

    def __iter__(self) -> Iterator[Asset]:
        return iter(self._assets.values())

    def url(self, path: str) -> str:
        """The fingerprinted URL of ``path``; ``KeyError`` names a path that is not an asset."""
        return f"{URL_PREFIX}{self.asset(path).digest}/{path}"

    def resolve(self, rest: str) -> tuple[Asset | None, bool]:
        """The asset for a URL path after ``/static/``, and whether its digest is the current one."""
        if (asset := self._assets.get(rest)) is not None:
            return asset, False
        digest, _, path = rest.partition("/")
        if _DIGEST.fullmatch(digest) and (asset := self._assets.get(path)) is not None:
            return asset, digest == asset.digest
        return None, False


#: The generated stylesheet of Plotly's global rules, served beside the bundle it comes from.
PLOTLY_CSS: Final = "vendor/plotly/plotly.css"
PLOTLY_JS: Final = "vendor/plotly/plotly-basic.min.js"


@lru_cache(maxsize=1)
def default_registry() -> AssetRegistry:
    """The package's static files (read once per process) and the generated Plotly stylesheet."""
    return AssetRegistry.from_directory(STATIC_ROOT, {PLOTLY_CSS: plotly_offline.plotly_css().encode("utf-8")})


def static_url(path: str) -> str:
    """Template helper: ``{{ static_url('js/charts.js') }}`` -> ``/static/1a2b3c4d5e6f/js/charts.js``."""
    return default_registry().url(path)


def _etag_matches(header: str | None, asset: Asset) -> bool:
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or asset.etag in tags


def asset_response(request: Request, asset: Asset, *, immutable: bool) -> Response:
    """The asset (gzipped when accepted and worth it), or 304 when the browser has this version."""
    headers = {"ETag": asset.etag, "Cache-Control": IMMUTABLE if immutable else REVALIDATE}
    if asset.compressible:
        headers["Vary"] = "Accept-Encoding"
    if _etag_matches(request.headers.get("if-none-match"), asset):
        return Response(status_code=304, headers=headers)
    body = asset.body
    if asset.compressible and "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped()
        headers["Content-Encoding"] = "gzip"
    return Response(body, headers=headers, media_type=asset.media_type)  # text/* gets "; charset=utf-8"
