"""The staff register commands: ``import register`` (via ``import``), ``register template``,
``register export`` and ``register status``. Who acts: ``--as EMAIL`` names an account (its
scope applies and the audit log names it); without it the operator at the server acts, as for
``gpworkforce import`` and ``user add``, and the audit entry names no user."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gpworkforce.cli.options import TextFormat, TextFormatOpt, err, fail

if TYPE_CHECKING:  # the services are imported only when a command runs
    from gpworkforce.services.register_commands import RegisterContext

register_app = typer.Typer(help="The staff register: Excel template, export and the monthly dashboard.",
                           no_args_is_help=True)  # fmt: skip

AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Act as this account (email): its scope applies and the audit log names it"),
]


def _context(acting_as: str | None) -> RegisterContext:
    from gpworkforce.services import register_commands
    from gpworkforce.services.accounts import PermissionDenied

    try:
        return register_commands.open_register(acting_as)
    except PermissionDenied as exc:
        fail(str(exc))


def import_register(file: Path, employer: str | None, acting_as: str | None) -> None:
    """Import a register file (CSV or the Excel template): replaces the register of each employer it names."""
    from gpworkforce.services import register_commands
    from gpworkforce.services.accounts import PermissionDenied
    from gpworkforce.services.register import UnknownEmployer
    from gpworkforce.services.register_io import IngestError

    ctx = _context(acting_as)
    try:
        done = register_commands.import_file(ctx, file, employer)
    except (IngestError, PermissionDenied, UnknownEmployer) as exc:
        fail(str(exc))
    for d in done:
        err.print(
            f"register {d.employer}: {d.staff:,} staff records and {d.vacancies:,} vacancies "
            f"(replaced {d.replaced_staff:,} and {d.replaced_vacancies:,})",
            highlight=False,
        )


@register_app.command("template")
def template(file: Annotated[Path, typer.Argument(help="Where to write the .xlsx template")]) -> None:
    """Write the blank Excel template (drop-down lists for role, contract type and leaving reason)."""
    from gpworkforce.reports.register_workbook import register_workbook

    file.write_bytes(register_workbook())
    err.print(f"wrote {file}", highlight=False)


@register_app.command("export")
def export(
    org: Annotated[str, typer.Argument(help="Practice, PCN, sub-ICB or ICB code")],
    file: Annotated[Path, typer.Argument(help="Where to write: .xlsx (the template's layout) or .csv (staff only)")],
    acting_as: AsOpt = None,
) -> None:
    """Export the register of every employer in ORG in the template's layout (imports back as is)."""
    from gpworkforce.reports.register_workbook import register_workbook
    from gpworkforce.services import register_commands
    from gpworkforce.services.accounts import PermissionDenied
    from gpworkforce.services.organisations import UnknownOrganisation
    from gpworkforce.services.register import UnknownEmployer

    ctx = _context(acting_as)
    try:
        out = register_commands.export_org(ctx, org)
    except (PermissionDenied, UnknownEmployer, UnknownOrganisation) as exc:
        fail(str(exc))
    if file.suffix.lower() == ".csv":
        out.staff.to_csv(file, index=False)
    else:
        file.write_bytes(register_workbook(out.staff, out.vacancies))
    err.print(f"wrote {file}: {len(out.staff):,} staff records, {len(out.vacancies):,} vacancies", highlight=False)


@register_app.command("status")
def status(
    org: Annotated[str, typer.Argument(help="Practice, PCN, sub-ICB or ICB code")],
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM (default: this month)")] = None,
    fmt: TextFormatOpt = TextFormat.table,
    acting_as: AsOpt = None,
) -> None:
    """The monthly dashboard: in post, FTE, joiners, leavers by reason, vacancy rate, 12-month
    turnover per employer, and which have not updated their register this month."""
    from gpworkforce.services import register_commands
    from gpworkforce.services.accounts import PermissionDenied
    from gpworkforce.services.organisations import UnknownOrganisation

    ctx = _context(acting_as)
    try:
        result = register_commands.status_of(ctx, org, month)
    except (PermissionDenied, UnknownOrganisation, ValueError) as exc:
        fail(str(exc))
    frame = result.frame()
    if fmt == TextFormat.csv:
        typer.echo(frame.to_csv(index=False), nl=False)
    elif fmt == TextFormat.json:
        typer.echo(frame.to_json(orient="records", indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Staff register {result.org_code}, {result.month}")
        for column in frame.columns:
            table.add_column(column)
        for record in frame.itertuples(index=False):
            table.add_row(*["" if v is None or v != v else f"{v:.3f}" if isinstance(v, float) else str(v)
                            for v in record])  # fmt: skip
        Console().print(table)
    if result.not_updated:
        err.print(f"not updated in {result.month}: {', '.join(result.not_updated)}", highlight=False)
