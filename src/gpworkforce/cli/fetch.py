"""``gpworkforce fetch``: a Typer command body, registered in ``gpworkforce.cli`` with ``app.command()(fetch)``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True)  # keep URLs and messages on one line


class FetchKind(StrEnum):
    """Monthly NHS publications ``fetch`` can download (spelled as in ``gpworkforce import``)."""

    patients = "patients"
    mapping = "mapping"
    appointments = "appointments"
    pcn_workforce = "pcn-workforce"


def _canonical(kind: FetchKind) -> str:
    return kind.value.replace("-", "_")


def fetch(
    kind: Annotated[
        list[FetchKind] | None,
        typer.Option("--kind", "-k", help="Publication to update (repeatable); default: all of them"),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Site root to use instead of https://digital.nhs.uk (a mirror or test server)"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list the newer releases and their files; download nothing")
    ] = False,
) -> None:
    """Download newer months from NHS England's publication pages and import them.

    For each publication, releases newer than the latest month in the database are downloaded and
    imported like `gpworkforce import` (all or nothing per file). With an empty database only the
    newest release is taken. Exits with 1 when a file failed or the site could not be reached.
    """
    from gpworkforce.services.datasets import open_database
    from gpworkforce.services.fetching import DEFAULT_BASE_URL, FETCH_KINDS, FetchStatus, describe, fetch_newer

    kinds = [_canonical(k) for k in kind] if kind else None
    engine = open_database()
    base_urls = dict.fromkeys(kinds or FETCH_KINDS, base_url) if base_url else None
    err.print(f"checking {base_url or DEFAULT_BASE_URL} for newer releases", highlight=False)
    outcomes = fetch_newer(
        engine, kinds, base_urls, dry_run, progress=lambda message: err.print(message, highlight=False)
    )
    failed = False
    for outcome in outcomes:
        for line in describe(outcome):
            if outcome.status is FetchStatus.failed:
                failed = True
                err.print(f"[bold red]error:[/] {line}", highlight=False)
            elif outcome.status is FetchStatus.would_import:
                typer.echo(line)
            else:
                err.print(line, highlight=False)
    if dry_run and not any(o.status is FetchStatus.would_import for o in outcomes) and not failed:
        err.print("nothing newer to download", highlight=False)
    if failed:
        raise typer.Exit(1)
