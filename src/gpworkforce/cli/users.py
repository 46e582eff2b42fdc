"""``gpworkforce user ...``: user accounts of the web app."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gpworkforce.cli.options import err, fail


def user_add(
    email: str,
    role: Annotated[str, typer.Option(help="admin, icb_analyst, pcn_lead or practice_manager")],
    org: Annotated[str | None, typer.Option(help="ODS code of the ICB, PCN or practice the user covers")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
) -> None:
    """Create a user account (asks for the password; there are no default passwords)."""
    from gpworkforce.services import accounts
    from gpworkforce.services.datasets import open_database

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        accounts.add_user(open_database(), email, password, role, org)
    except ValueError as exc:
        fail(str(exc))
    err.print(f"created {role} {email}" + (f" for {org}" if org else ""), highlight=False)
