"""``gpworkforce group ...``: user-defined groups of practices (services.practice_groups does the work)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gpworkforce.cli.options import err, fail

group_app = typer.Typer(
    help="Groups of practices (a federation, a locality, an old CCG): every report works for one.",
    no_args_is_help=True,
)


@group_app.command("add")
def group_add(
    code: Annotated[str, typer.Argument(help="The group's code: 3-20 letters, digits or hyphens, e.g. FED-NORTH")],
    name: Annotated[str, typer.Option(help="The group's name")],
    practices: Annotated[
        str | None, typer.Option(help="Practice codes separated by commas or spaces, e.g. 'A81001,A81002'")
    ] = None,
    file: Annotated[
        Path | None, typer.Option(help="A text or CSV file of practice codes (one or more per line)")
    ] = None,
) -> None:
    """Create a practice group, or replace the name and practices of an existing one (audited).

    Then use its code wherever an ORG goes: `gpworkforce gap FED-NORTH`, /org/FED-NORTH.
    """
    from gpworkforce.services.datasets import open_database
    from gpworkforce.services.practice_groups import GroupError, parse_codes, save_group_in

    text = practices or ""
    if file is not None:
        try:
            text += "\n" + file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{file}: cannot read it ({exc})")
    codes = [c for c in parse_codes(text) if c not in ("PRACTICE_CODE", "CODE")]  # a CSV header is not a practice
    try:
        group = save_group_in(open_database(), code, name, codes)
    except GroupError as exc:
        fail("; ".join(exc.errors.values()))
    err.print(f"saved group {group.code} ({group.name}): {len(group.practices)} practices", highlight=False)


@group_app.command("list")
def group_list() -> None:
    """List practice groups: code, name, number of practices, practice codes."""
    from gpworkforce.services.datasets import open_database
    from gpworkforce.services.practice_groups import list_groups_in

    groups = list_groups_in(open_database())
    if not groups:
        err.print("no practice groups; add one with: gpworkforce group add CODE --name NAME --practices ...")
        return
    typer.echo("code\tname\tpractices\tpractice_codes")
    for g in groups:
        typer.echo(f"{g.code}\t{g.name}\t{len(g.practices)}\t{' '.join(g.practices)}")


@group_app.command("delete")
def group_delete(code: Annotated[str, typer.Argument(help="The group's code")]) -> None:
    """Delete a practice group (audited with the practices it held)."""
    from gpworkforce.services.datasets import open_database
    from gpworkforce.services.practice_groups import GroupError, delete_group_in

    try:
        delete_group_in(open_database(), code)
    except GroupError as exc:
        fail("; ".join(exc.errors.values()))
    err.print(f"deleted group {code.strip().upper()}", highlight=False)
