"""``gpworkforce workforce-table ORG``: the ICB / sub-ICB / PCN workforce table (parse, call the
service, render)."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer

from gpworkforce.cli.options import Format, FormatOpt, OutOpt, err, fail
from gpworkforce.cli.output import check_destination, emit, render_frame

WorkforceByOpt = Annotated[
    str | None, typer.Option("--by", help="icb|sub-icb|pcn|practice rows inside ORG (default: one level down)")
]
StandardOpt = Annotated[
    float | None,
    typer.Option(
        "--standard",
        help="GP FTE per 1,000 patients to compare with (default gp_fte_per_1000_standard, 0.58, "
        "reference/general.csv: the old global-sum benchmark)",
    ),
]


def workforce_table(
    org: Annotated[str, typer.Argument(help="ICB, sub-ICB, PCN or region code, or 'england'")],
    by: WorkforceByOpt = None,
    standard: StandardOpt = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Per organisation inside ORG: practices, patients, GP headcount (55+, 60+), FTE and ratios by role.

    Roles: GP (partners and salaried: no registrars, retainers or locums), nurse (ANPs included),
    ANP, HCA, pharmacist; with a total row, England and GP FTE against the standard. Columns whose
    data (the NHS detailed workforce CSV) are not loaded say "not loaded"; GP and nurse FTE then
    come from the loaded workforce totals, as the notes say."""
    from gpworkforce.services import datasets
    from gpworkforce.services.workforce_table import UnknownOrganisationCode
    from gpworkforce.services.workforce_table import workforce_table as build

    check_destination(fmt, out)
    try:
        table = build(datasets.open_database(), org, by, standard)
    except UnknownOrganisationCode as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    if fmt is Format.json:
        emit(json.dumps(dataclasses.asdict(table), indent=2, default=str) + "\n", out)
        return
    render_frame(table.frame(), fmt, out, "workforce")
    if fmt is Format.table:
        for source, label in table.sources.items():
            err.print(f"source {source}: {label}", highlight=False)
        for note in table.notes:
            err.print(f"note: {note}", highlight=False)
