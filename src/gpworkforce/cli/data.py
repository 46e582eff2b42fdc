"""The data commands: create the database, import a published file, list what is loaded.
(``fetch``, which downloads newer months, is in :mod:`gpworkforce.cli.fetch`.)"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gpworkforce.cli.options import Format, FormatOpt, OutOpt, err, fail
from gpworkforce.cli.output import check_destination, render_frame


class ImportKind(StrEnum):
    """Published files the importer understands."""

    patients = "patients"
    mapping = "mapping"
    appointments = "appointments"
    workforce = "workforce"
    pcn_workforce = "pcn-workforce"
    imd = "imd"
    qof = "qof"
    projection = "projection"
    register = "register"


KIND_OF = {"pcn-workforce": "pcn_workforce", "projection": "population_projection"}


def init(
    force: Annotated[bool, typer.Option("--force", help="Reload the snapshot even if data is present")] = False,
) -> None:
    """Create or migrate the database and load the shipped national snapshot on first use."""
    from gpworkforce.services import importing

    engine, loaded = importing.ensure_database(None, force=force)
    if loaded:
        for s in loaded:
            err.print(f"loaded {s.kind} {s.period or ''}: {s.rows:,} rows", highlight=False)
    else:
        err.print(f"database ready: {engine.url.render_as_string(hide_password=True)}", highlight=False)


def import_(
    kind: Annotated[ImportKind, typer.Argument(help="What the file is")],
    file: Annotated[Path, typer.Argument(help="The published file (CSV, CSV.gz or ZIP as downloaded)")],
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Accept a file with many fewer practices (PCNs, sub-ICBs, years) or rows than the loaded "
            "dataset of its kind, e.g. a regional extract after a national one; by default more than "
            "import_max_shrink_share (5%, reference/general.csv) fewer is refused as a likely truncated file",
        ),
    ] = False,
    employer: Annotated[
        str | None,
        typer.Option("--employer", help="register only: the practice (or PCN) code of rows that leave employer blank"),
    ] = None,
    acting_as: Annotated[
        str | None,
        typer.Option("--as", help="register only: act as this account (email); its scope applies, the audit names it"),
    ] = None,
) -> None:
    """Load a published NHS file in its real layout. Re-importing a month replaces it.

    ``register`` imports a staff register (CSV, or the Excel template of ``gpworkforce register
    template``) and replaces the register of every employer the file names, all or nothing.

    Damaged files are refused with the file, line and column, and nothing is written: a line cut
    short, cells beyond plausible ranges or too long, duplicated rows, unknown practices, missing
    year columns, or a file much smaller than the dataset it replaces or follows.
    """
    if kind == ImportKind.register:
        from gpworkforce.cli.register import import_register

        import_register(file, employer, acting_as)
        return
    if employer is not None or acting_as is not None:
        fail("--employer and --as apply to `import register` only")
    from gpworkforce.services import datasets

    engine = datasets.open_database()
    try:
        done = datasets.import_published(engine, KIND_OF.get(kind.value, kind.value), file, allow_shrink=allow_shrink)
    except datasets.IngestError as exc:
        fail(str(exc))
    for s in done:
        verb = "replaced" if s.replaced else "imported"
        err.print(f"{verb} {s.kind} {s.period or ''}: {s.rows:,} rows", highlight=False)
        for n in s.notes:
            err.print(f"  note: {n}", highlight=False)


def datasets(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """List the datasets loaded in the database (kind, period, rows, source file)."""
    from gpworkforce.services import datasets as service

    check_destination(fmt, out)
    frame = service.list_datasets(service.open_database())
    render_frame(frame, fmt, out, "datasets")
