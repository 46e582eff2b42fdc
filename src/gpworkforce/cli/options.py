"""What the commands share: output formats, option types, the error exit and the scenario levers."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:  # the CLI imports pydantic, pandas and the services only when a command needs them
    from gpworkforce.scenario import Scenario

err = Console(stderr=True)


class Format(StrEnum):
    """Output formats of the commands that print tables."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


class Standard(StrEnum):
    """Capacity standards: the values of ``scenario.CAPACITY_STANDARDS`` (a unit test checks they match)."""

    reference = "reference"
    throughput = "throughput"
    safe = "safe"


class TextFormat(StrEnum):
    """Output formats of ``validate`` (it has no tables to put in a workbook)."""

    table = "table"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or xlsx (xlsx needs --out)")]
TextFormatOpt = Annotated[TextFormat, typer.Option("--format", "-f", help="table, csv or json")]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write to FILE, not the terminal (needed for xlsx; '-' is stdout)"),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="Project demand to this year (population growth)")]
GrowthOpt = Annotated[
    float | None,
    typer.Option("--growth-rate", help="Uniform population growth a year (e.g. 0.01) instead of ONS projections"),
]
MonthOpt = Annotated[
    str | None,
    typer.Option(
        "--month",
        help="Also give the appointments expected in this calendar month, YYYY-MM (working days and season); "
        "projects to the month's year unless --year is given",
    ),
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
LocalOpt = Annotated[
    bool,
    typer.Option(
        "--local-calibration/--no-local-calibration",
        help="Scale practices with a loaded month of appointments to their own counts (on by default)",
    ),
]
SubIcbOpt = Annotated[
    bool,
    typer.Option(
        "--subicb-calibration/--no-subicb-calibration",
        help="Scale each sub-ICB's practices to its appointments over the latest 12 months (on by default)",
    ),
]
StandardOpt = Annotated[
    Standard,
    typer.Option(
        "--capacity-standard",
        help="What an FTE offers a week: reference (today's slot parameters, the default), throughput "
        "(appointments each staff group delivered per FTE-week in each practice's ICB) or safe (GPs 25 contacts a day)",
    ),
]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (2: bad input, 3: data missing)."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _pairs(values: list[str] | None, what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for v in values or []:
        role, _, number = v.partition("=")
        try:
            out[role.strip()] = float(number)
        except ValueError:
            fail(f"{what} expects ROLE=NUMBER, got {v!r}")
    return out


def scenario(
    year: int | None,
    growth: float | None,
    shift: float = 0.0,
    dna: float | None = None,
    add: list[str] | None = None,
    minutes: list[str] | None = None,
    local: bool = True,
    standard: str | None = None,
    subicb: bool = True,
) -> Scenario:
    """The scenario the levers describe (``standard`` None: the default); a bad value exits naming the field."""
    from pydantic import ValidationError

    from gpworkforce.scenario import DEFAULT_CAPACITY_STANDARD, Scenario

    try:
        return Scenario(
            year=year,
            growth_rate=growth,
            shift_share=shift,
            dna_rate=dna,
            added_fte=_pairs(add, "--add-fte"),
            minutes=_pairs(minutes, "--minutes"),
            local_calibration=local,
            subicb_calibration=subicb,
            capacity_standard=standard or DEFAULT_CAPACITY_STANDARD,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{'.'.join(map(str, first['loc'])) or 'scenario'}: {first['msg']}")
