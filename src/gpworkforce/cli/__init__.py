"""Command line: a thin layer that parses, calls a service and renders the answer.

The database is the one named by GPWORKFORCE_DATABASE_URL (an SQLAlchemy URL), by default
an SQLite file in the user's data directory.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from gpworkforce.cli.fetch import fetch
from gpworkforce.ingest import IngestError
from gpworkforce.reference import ReferenceError
from gpworkforce.scenario import Scenario
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.organisations import UnknownOrganisation

app = typer.Typer(
    help="Plan NHS general practice workforce against patient demand.\n\n"
    "ORG is an ODS code (practice A81001, PCN U-code, sub-ICB 16C, ICB QHM, region Y63), an ONS code "
    "(E38.../E54.../E40...), or 'england'. The database is GPWORKFORCE_DATABASE_URL (SQLAlchemy URL), "
    "by default an SQLite file in your user data directory.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.command()(fetch)
err = Console(stderr=True)


class Format(StrEnum):
    """Output formats every query command supports."""

    table = "table"
    csv = "csv"
    json = "json"


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


KIND_OF = {"pcn-workforce": "pcn_workforce", "projection": "population_projection"}

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Project demand to this year (population growth)")]
GrowthOpt = Annotated[
    float | None,
    typer.Option("--growth-rate", help="Uniform population growth a year (e.g. 0.01) instead of ONS projections"),
]
ByOpt = Annotated[str | None, typer.Option("--by", help="List the practice|pcn|sub-icb|icb|region rows inside ORG")]
RefOpt = Annotated[
    list[Path] | None,
    typer.Option("--reference", help="CSV overriding reference parameters (same columns as the default file)"),
]
ShiftOpt = Annotated[float, typer.Option("--shift", help="Share (0-1) of transferable GP work moved to other roles")]
DnaOpt = Annotated[float | None, typer.Option("--dna-rate", help="DNA rate to plan for, e.g. 0.03")]
AddOpt = Annotated[list[str] | None, typer.Option("--add-fte", help="ROLE=FTE added, e.g. pharmacist=1.5 (repeatable)")]
MinOpt = Annotated[
    list[str] | None, typer.Option("--minutes", help="ROLE=MINUTES slot length, e.g. gp=12 (repeatable)")
]
LocalOpt = Annotated[bool, typer.Option("--local-calibration", help="Scale practices to their own appointment counts")]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _pairs(values: list[str] | None, what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for v in values or []:
        role, _, number = v.partition("=")
        try:
            out[role.strip()] = float(number)
        except ValueError:
            _fail(f"{what} expects ROLE=NUMBER, got {v!r}")
    return out


def _scenario(
    year: int | None,
    growth: float | None,
    shift: float = 0.0,
    dna: float | None = None,
    add: list[str] | None = None,
    minutes: list[str] | None = None,
    local: bool = False,
) -> Scenario:
    from pydantic import ValidationError

    try:
        return Scenario(
            year=year,
            growth_rate=growth,
            shift_share=shift,
            dna_rate=dna,
            added_fte=_pairs(add, "--add-fte"),
            minutes=_pairs(minutes, "--minutes"),
            local_calibration=local,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        _fail(f"{'.'.join(map(str, first['loc'])) or 'scenario'}: {first['msg']}")
        raise


def _context(reference: list[Path] | None) -> Any:
    from gpworkforce.services.versions import open_workspace

    try:
        return open_workspace(None, tuple(reference or ()))
    except ReferenceError as exc:
        _fail(str(exc))


def _version(reference: list[Path] | None) -> Any:
    """The current data version (a missing dataset is reported like any other failure)."""
    return _run(_context(reference).version)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:,.1f}"
        return f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _render(report: Any, fmt: Format) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=float))
        return
    frames = report.frames()
    main = next(iter(frames.values()))
    if fmt is Format.csv:
        typer.echo(main.to_csv(index=False, float_format="%.4f"), nl=False)
        return
    out = Console()
    out.print(f"[bold]{report.title}[/]", highlight=False)
    summary = Table(show_header=False, box=None)
    for k, v in report.summary.model_dump().items():
        summary.add_row(k.replace("_", " "), _fmt(v) if not isinstance(v, list) else ", ".join(map(str, v)))
    out.print(summary)
    for name, frame in frames.items():
        t = Table(title=name.replace("_", " "), title_justify="left")
        for col in frame.columns:
            t.add_column(col.replace("_", " "), justify="left" if frame[col].dtype == object else "right")
        for row in frame.itertuples(index=False):
            t.add_row(*[_fmt(v) for v in row])
        out.print(t)
    for n in report.notes:
        out.print(f"[dim]note: {n}[/]", highlight=False)


def _run(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except UnknownOrganisation as exc:
        _fail(str(exc))
    except DataMissingError as exc:
        _fail(str(exc), 3)
    except ValueError as exc:
        _fail(str(exc))


@app.command()
def init(
    force: Annotated[bool, typer.Option("--force", help="Reload the snapshot even if data is present")] = False,
) -> None:
    """Create or migrate the database and load the shipped national snapshot on first use."""
    from gpworkforce import store
    from gpworkforce.services import importing

    url = store.default_database_url()
    engine, loaded = importing.ensure_database(url, force=force)
    if loaded:
        for s in loaded:
            err.print(f"loaded {s.kind} {s.period or ''}: {s.rows:,} rows", highlight=False)
    else:
        err.print(f"database ready: {engine.url.render_as_string(hide_password=True)}", highlight=False)


@app.command("import")
def import_(
    kind: Annotated[ImportKind, typer.Argument(help="What the file is")],
    file: Annotated[Path, typer.Argument(help="The published file (CSV, CSV.gz or ZIP as downloaded)")],
) -> None:
    """Load a published NHS file in its real layout. Re-importing a month replaces it."""
    from gpworkforce import store
    from gpworkforce.services import importing

    engine = store.make_engine(store.default_database_url())
    store.upgrade(engine)
    import zipfile

    from gpworkforce.services.fetching import import_archive

    canonical = KIND_OF.get(kind.value, kind.value)
    try:
        if file.is_file() and zipfile.is_zipfile(file):
            done = import_archive(engine, canonical, file)
        else:
            done = importing.import_file(engine, canonical, file)
    except IngestError as exc:
        _fail(str(exc))
        return
    for s in done:
        verb = "replaced" if s.replaced else "imported"
        err.print(f"{verb} {s.kind} {s.period or ''}: {s.rows:,} rows", highlight=False)
        for n in s.notes:
            err.print(f"  note: {n}", highlight=False)


@app.command()
def demand(
    org: str,
    year: YearOpt = None,
    growth_rate: GrowthOpt = None,
    by: ByOpt = None,
    fmt: FormatOpt = Format.table,
    reference: RefOpt = None,
) -> None:
    """Registered patients, appointments a year/week by need category and age band, and GP work others could take."""
    from gpworkforce.services.demand import demand_report

    ctx = _version(reference)
    scen = _scenario(year, growth_rate)
    report = _by(ctx, org, by, scen) if by else _run(demand_report, ctx, org, scen)
    _render(report, fmt)


@app.command()
def capacity(
    org: str,
    year: YearOpt = None,
    by: ByOpt = None,
    add_fte: AddOpt = None,
    minutes: MinOpt = None,
    fmt: FormatOpt = Format.table,
    reference: RefOpt = None,
) -> None:
    """Appointment slots a week by role from staff FTE, and net of DNAs."""
    from gpworkforce.services.capacity import capacity_report

    ctx = _version(reference)
    scen = _scenario(year, None, add=add_fte, minutes=minutes)
    report = _by(ctx, org, by, scen) if by else _run(capacity_report, ctx, org, scen)
    _render(report, fmt)


@app.command()
def gap(
    org: str,
    year: YearOpt = None,
    growth_rate: GrowthOpt = None,
    by: ByOpt = None,
    shift: ShiftOpt = 0.0,
    dna_rate: DnaOpt = None,
    add_fte: AddOpt = None,
    minutes: MinOpt = None,
    local_calibration: LocalOpt = False,
    fmt: FormatOpt = Format.table,
    reference: RefOpt = None,
) -> None:
    """Weekly appointment gap by role: demand against capacity, now or in a projected year."""
    from gpworkforce.services.capacity import gap_report

    ctx = _version(reference)
    scen = _scenario(year, growth_rate, shift, dna_rate, add_fte, minutes, local_calibration)
    report = _by(ctx, org, by, scen) if by else _run(gap_report, ctx, org, scen)
    _render(report, fmt)


@app.command()
def benchmark(org: str, fmt: FormatOpt = Format.table, reference: RefOpt = None) -> None:
    """FTE per 1,000 patients and patients per FTE by staff group against England, ICB and peers."""
    from gpworkforce.services.benchmarks import benchmark_report

    _render(_run(benchmark_report, _version(reference), org), fmt)


def _by(ctx: Any, org: str, by: str, scen: Scenario) -> Any:
    from gpworkforce.services.children import by_level_report
    from gpworkforce.services.organisations import normalise_level

    try:
        level = normalise_level(by)
    except ValueError as exc:
        _fail(str(exc))
        raise
    return _run(by_level_report, ctx, org, level, scen)


@app.command()
def datasets(fmt: FormatOpt = Format.table) -> None:
    """List the datasets loaded in the database (kind, period, rows, source file)."""
    from gpworkforce import store

    engine = store.make_engine(store.default_database_url())
    store.upgrade(engine)
    with store.session_scope(engine) as s:
        frame = store.list_datasets(s)
    if fmt is Format.json:
        typer.echo(frame.to_json(orient="records", date_format="iso"))
    elif fmt is Format.csv:
        typer.echo(frame.to_csv(index=False), nl=False)
    else:
        Console().print(frame.to_string(index=False))


@app.command()
def validate(fmt: FormatOpt = Format.table) -> None:
    """Fit on practice appointments and check against practices and sub-ICBs left out of the fit."""
    from gpworkforce.services import validation

    ctx = _context(None)
    result = _run(validation.validate, ctx)
    if fmt is Format.json:
        typer.echo(json.dumps(result, indent=2, default=float))
        return
    out = Console()
    for section, values in result.items():
        out.print(f"[bold]{section}[/]")
        if isinstance(values, dict):
            for k, v in values.items():
                out.print(f"  {k}: {_fmt(v) if not isinstance(v, dict) else v}", highlight=False)
        else:
            out.print(f"  {values}", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the web app and JSON API on the database GPWORKFORCE_DATABASE_URL names."""
    import uvicorn

    err.print(f"serving on http://{host}:{port}", highlight=False)
    uvicorn.run("gpworkforce.web.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@user_app.command("add")
def user_add(
    email: str,
    role: Annotated[str, typer.Option(help="admin, icb_analyst, pcn_lead or practice_manager")],
    org: Annotated[str | None, typer.Option(help="ODS code of the ICB, PCN or practice the user covers")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
) -> None:
    """Create a user account (asks for the password; there are no default passwords)."""
    from gpworkforce import store
    from gpworkforce.services import accounts

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    engine = store.make_engine(store.default_database_url())
    store.upgrade(engine)
    try:
        with store.session_scope(engine) as s:
            accounts.create_user(s, email, password, role, org)
    except ValueError as exc:
        _fail(str(exc))
    err.print(f"created {role} {email}" + (f" for {org}" if org else ""), highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from gpworkforce.scenario import scenario_json_schema

    typer.echo(scenario_json_schema())


def main() -> None:
    """Console-script entry point."""
    pd.set_option("mode.copy_on_write", True)
    app()


if __name__ == "__main__":
    main()
