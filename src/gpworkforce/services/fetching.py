"""Bring the database up to date with NHS England's newest monthly releases.

For each kind: the latest month in the store, the release pages newer than it, their files
downloaded to a temporary folder under the cache directory, and each file imported through
the same all-or-nothing path as ``gpworkforce import``. Problems are returned as outcomes
(never raised), so one failed file is reported and leaves the database as it was. Within a
kind, releases are taken oldest first and a failure stops that kind: importing September
after a failed August would make August look done, and it would never be retried.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import httpx
import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from gpworkforce import store
from gpworkforce.ingest import IngestError, IngestResult, downloads, read_any
from gpworkforce.ingest import fetch as nhs
from gpworkforce.ingest.periods import MONTH, month_in_name
from gpworkforce.services import importing
from gpworkforce.services.importing import ImportSummary
from gpworkforce.settings import get_settings

#: The site fetched from unless a base URL is given, and the kinds fetched, in import order.
DEFAULT_BASE_URL = nhs.DEFAULT_BASE_URL
FETCH_KINDS = nhs.FETCH_KINDS


class FetchStatus(StrEnum):
    """What happened to one kind's release."""

    imported = "imported"
    would_import = "would import"
    up_to_date = "up to date"
    no_file = "no file"
    failed = "failed"


@dataclass(frozen=True)
class FetchOutcome:
    """One kind and release: what was found, downloaded and imported, or why not."""

    kind: str
    status: FetchStatus
    month: str | None = None
    release_url: str | None = None
    files: tuple[str, ...] = ()
    imported: tuple[ImportSummary, ...] = ()
    message: str = ""

    @property
    def ok(self) -> bool:
        """False only for a failure (an unpublished file is not an error)."""
        return self.status is not FetchStatus.failed


Progress = Callable[[str], None]


def downloads_dir() -> Path:
    """Parent of the per-run temporary download folders (``$GPWORKFORCE_CACHE_DIR/downloads``)."""
    return get_settings().cache_path / "downloads"


def latest_loaded(engine: Engine, source: nhs.FetchSource) -> str | None:
    """Latest ``YYYY-MM`` of this publication in the store (other publications' datasets of the
    same kind, such as GPAD's practice mapping, do not count)."""
    with store.session_scope(engine) as s:
        datasets = store.list_datasets(s)
    rows = datasets[datasets["kind"] == source.kind]
    months = [
        str(period)
        for period, file in zip(rows["period"], rows["source_file"], strict=True)
        if isinstance(period, str)
        and MONTH.fullmatch(period)
        and not (source.ignore_loaded and source.ignore_loaded.search(str(file)))
    ]
    return max(months, default=None)


def _has_dataset(engine: Engine, kind: str, period: str | None) -> bool:
    with store.session_scope(engine) as s:
        return period in store.list_periods(s, kind)


def _combine(kind: str, results: list[IngestResult], source_file: str) -> IngestResult:
    """One dataset from several regional files of the same month (GPAD ships one CSV per region)."""
    if len(results) == 1:
        return dataclasses.replace(results[0], source_file=source_file)
    periods = {r.period for r in results}
    if len(periods) > 1:
        raise IngestError(
            source_file,
            "the files in this zip hold different months: " + ", ".join(f"{r.source_file} {r.period}" for r in results),
        )
    frames = [r.frame.assign(_file=r.source_file) for r in results]
    frame = pd.concat(frames, ignore_index=True)
    keys = [c for c in frame.columns if c not in ("appointments", "_file")]
    twice = frame[frame.duplicated(keys, keep=False)]
    if not twice.empty and "practice_code" in twice:
        code = twice["practice_code"].iloc[0]
        files = sorted(set(twice.loc[twice["practice_code"] == code, "_file"]))
        raise IngestError(
            source_file, f"practice {code} appears in more than one file ({', '.join(files)}); refusing to add them up"
        )
    notes = (
        f"{len(results)} files from {source_file}: {', '.join(r.source_file for r in results)}",
        *(f"{r.source_file}: {r.notes[0]}" for r in results if r.notes),
    )
    return IngestResult(
        kind, frame.drop(columns="_file"), results[0].period, source_file, sum(r.rows_read for r in results), notes
    )


def _import_bundle(
    engine: Engine,
    source: nhs.FetchSource,
    paths: list[Path],
    archive_name: str,
    *,
    allow_shrink: bool = False,
) -> list[ImportSummary]:
    """Import several CSVs of one release (regional files, plus GPAD's mapping) in one transaction.

    GPAD's ``Mapping.csv`` is stored only when no mapping of that month is loaded: the
    registration mapping of the same month is richer (postcodes, ONS codes) and wins.
    """
    companions = [p for p in paths if source.companion and source.companion.search(p.name)]
    mains = [p for p in paths if p not in companions]
    if not mains:
        raise IngestError(archive_name, f"no {source.kind} CSV in the zip (only {', '.join(p.name for p in paths)})")
    main = _combine(source.kind, [_one(read_any(p, source.kind)) for p in mains], archive_name)
    extra: list[IngestResult] = []
    known = importing.known_practices(engine)
    for p in companions:
        companion = _one(read_any(p, source.companion_kind))  # None: the reader is chosen by the header
        known |= set(companion.frame.get("practice_code", pd.Series(dtype=str)))
        if not _has_dataset(engine, companion.kind, companion.period):
            extra.append(dataclasses.replace(companion, source_file=f"{archive_name}:{p.name}"))
    if kind_columns := importing.CHECK_PRACTICES.get(source.kind):
        unknown = set(main.frame["practice_code"]) - known if known else set()
        if unknown:
            first = sorted(unknown)[0]
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            raise IngestError(
                archive_name,
                f"unknown practice code {first!r}{more}: not in any loaded practice mapping nor in the zip's mapping",
                column=kind_columns[0],
            )
    importing.check_results(engine, [main], Path(archive_name), allow_shrink=allow_shrink, also_known=known)
    return importing.save(engine, [*extra, main])


def _one(result: IngestResult | Iterable[IngestResult]) -> IngestResult:
    if isinstance(result, IngestResult):
        return result
    items = list(result)
    if len(items) != 1:
        raise IngestError("", f"expected one dataset per file, got {len(items)}")
    return items[0]


def _import_release(
    engine: Engine,
    client: httpx.Client,
    source: nhs.FetchSource,
    release: nhs.Release,
    url: str,
    progress: Progress,
) -> tuple[list[ImportSummary], list[str]]:
    """Download one release file into a temporary folder and import it; returns summaries and notes."""
    parent = downloads_dir()
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fetch-", dir=parent) as tmp:
        progress(
            f"downloading {downloads.file_name(url)} ({source.kind} {release.month}) from {downloads.host_of(url)}"
        )
        downloaded = downloads.download(client, url, Path(tmp))
        paths = downloads.unpack(downloaded, Path(tmp) / "csv", source.member, release.month)
        if not paths:
            raise IngestError(downloaded.name, f"no CSV matching {source.member.pattern!r} in the zip")
        if len(paths) == 1 and source.companion is None:
            summaries = importing.import_file(engine, source.kind, paths[0])
        else:
            summaries = _import_bundle(engine, source, paths, downloaded.name)
    notes = [
        f"the release page says {release.month} but the file holds {s.period}"
        for s in summaries
        if s.kind == source.kind and s.period != release.month
    ]
    return summaries, notes


def _fetch_kind(
    engine: Engine,
    client: httpx.Client,
    source: nhs.FetchSource,
    base_url: str,
    dry_run: bool,
    pages: dict[str, str],
    progress: Progress,
) -> list[FetchOutcome]:
    kind = source.kind
    latest = latest_loaded(engine, source)
    releases = nhs.list_releases(client, source, base_url, pages)
    if not releases:
        return [
            FetchOutcome(
                kind,
                FetchStatus.failed,
                message=(f"no monthly release links found on {source.series_url(base_url)}; has the page changed?"),
            )
        ]
    todo = nhs.newer_releases(releases, latest)
    if not todo:
        return [
            FetchOutcome(
                kind, FetchStatus.up_to_date, message=(f"latest loaded {latest}; newest release {releases[-1].month}")
            )
        ]
    out: list[FetchOutcome] = []
    for release in todo:
        urls = nhs.find_resources(client, source, release.url, pages)
        if not urls:
            out.append(
                FetchOutcome(
                    kind,
                    FetchStatus.no_file,
                    release.month,
                    release.url,
                    message=(f"no file matching {source.file_link.pattern!r} on the release page yet"),
                )
            )
            break
        # One file per kind and month is published; should a page link two (say a .zip and a .csv of
        # the same data), the first is taken rather than importing the month twice.
        skipped = [f"also on the page, not downloaded: {downloads.file_name(u)}" for u in urls[1:]]
        urls = urls[:1]
        if dry_run:
            out.append(
                FetchOutcome(
                    kind, FetchStatus.would_import, release.month, release.url, tuple(urls), message="; ".join(skipped)
                )
            )
            continue
        try:
            summaries, notes = _import_release(engine, client, source, release, urls[0], progress)
            notes = skipped + notes
        except downloads.OfflineError:
            raise
        except (downloads.FetchError, IngestError, ValueError, SQLAlchemyError, OSError) as exc:
            # OSError: the cache folder is not writable or the disk is full.
            out.append(
                FetchOutcome(
                    kind,
                    FetchStatus.failed,
                    release.month,
                    release.url,
                    tuple(urls),
                    message=f"not imported, database unchanged: {exc}",
                )
            )
            break
        out.append(
            FetchOutcome(
                kind, FetchStatus.imported, release.month, release.url, tuple(urls), tuple(summaries), "; ".join(notes)
            )
        )
    return out


def fetch_newer(
    engine: Engine,
    kinds: Iterable[str] | None = None,
    base_urls: Mapping[str, str] | None = None,
    dry_run: bool = False,
    *,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
) -> list[FetchOutcome]:
    """Download and import every release newer than the store's latest month, per kind.

    ``kinds`` defaults to all of :data:`gpworkforce.ingest.fetch.FETCH_KINDS` and runs in that
    order (mappings before the appointments checked against them). ``base_urls`` maps a kind
    to the site root used instead of https://digital.nhs.uk. With ``dry_run`` only the pages
    are read: the outcomes list what would be downloaded. When the site cannot be reached,
    that kind fails with an "are you online?" message and the remaining kinds are skipped.
    """
    wanted = list(dict.fromkeys(kinds)) if kinds is not None else list(nhs.FETCH_KINDS)
    unknown = [k for k in wanted if k not in nhs.FETCH_SOURCES]
    if unknown:
        raise ValueError(f"cannot fetch {', '.join(unknown)}; known: {', '.join(nhs.FETCH_KINDS)}")
    ordered = [k for k in nhs.FETCH_KINDS if k in wanted]
    say = progress or (lambda _message: None)
    own_client = client is None
    http = client or downloads.make_client()
    pages: dict[str, str] = {}
    out: list[FetchOutcome] = []
    try:
        for i, kind in enumerate(ordered):
            source = nhs.FETCH_SOURCES[kind]
            base_url = (base_urls or {}).get(kind) or nhs.DEFAULT_BASE_URL
            try:
                out.extend(_fetch_kind(engine, http, source, base_url, dry_run, pages, say))
            except downloads.OfflineError as exc:
                out.append(FetchOutcome(kind, FetchStatus.failed, message=str(exc)))
                out.extend(
                    FetchOutcome(k, FetchStatus.failed, message="skipped: the site could not be reached")
                    for k in ordered[i + 1 :]
                )
                break
            except downloads.FetchError as exc:
                out.append(FetchOutcome(kind, FetchStatus.failed, message=str(exc)))
    finally:
        if own_client:
            http.close()
    return out


def describe(outcome: FetchOutcome) -> list[str]:
    """Human lines for one outcome (the CLI prints them; the web could too)."""
    head = f"{outcome.kind} {outcome.month or ''}".rstrip()
    if outcome.status is FetchStatus.imported:
        lines = [
            f"{'replaced' if s.replaced else 'imported'} {s.kind} {s.period or ''}: {s.rows:,} rows"
            for s in outcome.imported
        ]
        return lines + ([f"  note: {outcome.message}"] if outcome.message else [])
    if outcome.status is FetchStatus.would_import:
        return [f"would download {head}: {url}" for url in outcome.files] + (
            [f"  note: {outcome.message}"] if outcome.message else []
        )
    if outcome.status is FetchStatus.up_to_date:
        return [f"{head}: up to date ({outcome.message})"]
    if outcome.status is FetchStatus.no_file:
        return [f"{head}: {outcome.message} ({outcome.release_url})"]
    return [f"{head}: {outcome.message}"]


def import_archive(engine: Engine, kind: str, path: Path, *, allow_shrink: bool = False) -> list[ImportSummary]:
    """Import a ZIP as NHS England publishes it (e.g. a practice-level crosstab with one CSV per
    region and its ``Mapping.csv``): the same unpacking and combining as ``fetch``, all or nothing."""
    source = nhs.FETCH_SOURCES.get(kind)
    pattern = source.member if source else re.compile(r"\.csv$", re.IGNORECASE)
    month = month_in_name(path.name) or ""
    with tempfile.TemporaryDirectory(prefix="import-") as tmp:
        try:
            paths = downloads.extract_members(
                path, Path(tmp), pattern, rename=(lambda n: downloads.with_month(n, month)) if month else None
            )
        except downloads.FetchError as exc:
            raise IngestError(path.name, str(exc)) from exc
        if not paths:
            raise IngestError(path.name, f"no CSV for {kind} in the zip (looked for {pattern.pattern!r})")
        if len(paths) == 1 and (source is None or source.companion is None):
            return importing.import_file(engine, kind, paths[0], allow_shrink=allow_shrink)
        if source is None:
            raise IngestError(path.name, f"the zip holds {len(paths)} CSVs; unzip it and import the {kind} file")
        return _import_bundle(engine, source, paths, path.name, allow_shrink=allow_shrink)
