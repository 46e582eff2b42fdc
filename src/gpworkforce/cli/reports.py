"""The report commands: demand, capacity, gap and benchmark for an organisation (or the
organisations inside it with ``--by``), and validate. Each parses, calls a service and renders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from gpworkforce.cli.options import (
    AddOpt,
    ByOpt,
    DnaOpt,
    Format,
    FormatOpt,
    GrowthOpt,
    LocalOpt,
    MinOpt,
    MonthOpt,
    OutOpt,
    RefOpt,
    ShiftOpt,
    Standard,
    StandardOpt,
    SubIcbOpt,
    TextFormat,
    TextFormatOpt,
    YearOpt,
    fail,
    scenario,
)
from gpworkforce.cli.output import check_destination, render

if TYPE_CHECKING:  # the services are imported when a command runs, so the CLI (and serve) start fast
    from gpworkforce.scenario import Scenario

T = TypeVar("T")


def _context(reference: list[Path] | None) -> Any:
    from gpworkforce.reference import ReferenceError
    from gpworkforce.services.versions import open_workspace

    try:
        return open_workspace(None, tuple(reference or ()))
    except ReferenceError as exc:
        fail(str(exc))


def _version(reference: list[Path] | None) -> Any:
    """The current data version (a missing dataset is reported like any other failure)."""
    return _run(_context(reference).version)


def _run(fn: Callable[..., T], *args: Any) -> T:
    from gpworkforce.services.national import DataMissingError
    from gpworkforce.services.organisations import UnknownOrganisation

    try:
        return fn(*args)
    except UnknownOrganisation as exc:
        fail(str(exc))
    except DataMissingError as exc:
        fail(str(exc), 3)
    except ValueError as exc:
        fail(str(exc))


def _month(text: str | None) -> str | None:
    """The ``--month`` value checked (a bad one exits naming the option)."""
    from gpworkforce.services.months import parse_month

    if text is None:
        return None
    try:
        return parse_month(text)
    except ValueError as exc:
        fail(f"--month: {exc}")


def _by(ctx: Any, org: str, by: str, scen: Scenario, month: str | None = None) -> Any:
    from gpworkforce.services.children import by_level_report
    from gpworkforce.services.organisations import normalise_level

    try:
        level = normalise_level(by)
    except ValueError as exc:
        fail(str(exc))
    return _run(by_level_report, ctx, org, level, scen, month)


def _report(
    kind: str, org: str, by: str | None, scen: Scenario, reference: list[Path] | None, month: str | None = None
) -> tuple[Any, str]:
    """The ``kind`` report of ``org`` (or of the organisations inside it), and its kind for file names."""
    from gpworkforce.services.capacity import capacity_report, gap_report
    from gpworkforce.services.demand import demand_report

    ctx = _version(reference)
    if by:
        return _by(ctx, org, by, scen, month), "children"
    if kind == "demand":
        return _run(demand_report, ctx, org, scen, month), kind
    fn = {"capacity": capacity_report, "gap": gap_report}[kind]
    return _run(fn, ctx, org, scen), kind


def demand(
    ctx: typer.Context,
    org: str,
    year: YearOpt = None,
    growth_rate: GrowthOpt = None,
    by: ByOpt = None,
    month: MonthOpt = None,
    local_calibration: LocalOpt = True,
    subicb_calibration: SubIcbOpt = True,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    reference: RefOpt = None,
) -> None:
    """Registered patients, appointments a year/week by need category and age band, and GP work others could take."""
    check_destination(fmt, out)
    scen = scenario(year, growth_rate, local=local_calibration, subicb=subicb_calibration)
    report, kind = _report("demand", org, by, scen, reference, _month(month))
    render(ctx, report, fmt, out, kind, scen)


def capacity(
    ctx: typer.Context,
    org: str,
    year: YearOpt = None,
    by: ByOpt = None,
    add_fte: AddOpt = None,
    minutes: MinOpt = None,
    capacity_standard: StandardOpt = Standard.reference,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    reference: RefOpt = None,
) -> None:
    """Appointment slots a week by role from staff FTE, and net of DNAs."""
    check_destination(fmt, out)
    scen = scenario(year, None, add=add_fte, minutes=minutes, standard=capacity_standard.value)
    report, kind = _report("capacity", org, by, scen, reference)
    render(ctx, report, fmt, out, kind, scen)


def gap(
    ctx: typer.Context,
    org: str,
    year: YearOpt = None,
    growth_rate: GrowthOpt = None,
    by: ByOpt = None,
    shift: ShiftOpt = 0.0,
    dna_rate: DnaOpt = None,
    add_fte: AddOpt = None,
    minutes: MinOpt = None,
    local_calibration: LocalOpt = True,
    subicb_calibration: SubIcbOpt = True,
    capacity_standard: StandardOpt = Standard.reference,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    reference: RefOpt = None,
) -> None:
    """Weekly appointment gap by role: demand against capacity, now or in a projected year."""
    check_destination(fmt, out)
    standard = capacity_standard.value
    levers = (shift, dna_rate, add_fte, minutes, local_calibration, standard, subicb_calibration)
    scen = scenario(year, growth_rate, *levers)
    report, kind = _report("gap", org, by, scen, reference)
    render(ctx, report, fmt, out, kind, scen)


def benchmark(
    ctx: typer.Context, org: str, fmt: FormatOpt = Format.table, out: OutOpt = None, reference: RefOpt = None
) -> None:
    """FTE per 1,000 patients and patients per FTE by staff group against England, ICB and peers."""
    from gpworkforce.services.benchmarks import benchmark_report

    check_destination(fmt, out)
    render(ctx, _run(benchmark_report, _version(reference), org), fmt, out, "benchmark", None)


def validate(fmt: TextFormatOpt = TextFormat.table) -> None:
    """Judge each predictor on appointments its fit never used: out of region and out of time, beside baselines."""
    from rich.table import Table

    from gpworkforce.services import validation

    ctx = _context(None)
    result = _run(validation.validate, ctx)
    if fmt is TextFormat.json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    out = Console(width=200)
    for check in dict.fromkeys(r.check for r in result.rows):
        table = Table(title=check, title_justify="left")
        for name in ("predictor", "n", "r", "median APE", "total ratio", "note"):
            table.add_column(name, justify="left" if name in ("predictor", "note") else "right")
        for r in (r for r in result.rows if r.check == check):
            table.add_row(
                r.predictor,
                f"{r.n:,}",
                "-" if r.r is None else f"{r.r:.3f}",
                "-" if r.median_ape is None else f"{r.median_ape:.1%}",
                "-" if r.total_ratio is None else f"{r.total_ratio:.3f}",
                r.note,
            )
        out.print(table)
    for note in result.notes:
        out.print(f"- {note}", highlight=False)
