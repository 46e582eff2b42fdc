"""``gpworkforce user ...``: user accounts of the web app (services.users does the work)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gpworkforce.cli.options import err, fail

Email = Annotated[str, typer.Argument(help="The user's email address")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def user_add(
    email: str,
    role: Annotated[str, typer.Option(help="admin, icb_analyst, pcn_lead or practice_manager")],
    org: Annotated[
        str | None,
        typer.Option(help="ODS code of the ICB (icb_analyst), PCN (pcn_lead) or practice (practice_manager)"),
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a user account (asks for the password; there are no default passwords).

    The organisation must exist in the loaded national data at the level the role covers.
    """
    from gpworkforce.services import users
    from gpworkforce.services.datasets import open_database

    engine = open_database()
    version = users.loaded_data(engine)
    password = _password(password_stdin)
    try:
        users.add_checked_user(engine, version, email, password, role, org)
    except ValueError as exc:
        fail(str(exc))
    err.print(f"created {role} {email}" + (f" for {org}" if org else ""), highlight=False)


def user_list() -> None:
    """List user accounts: email, role, organisation, state, created, live sessions."""
    from gpworkforce.services import users
    from gpworkforce.services.datasets import open_database

    rows = users.list_users(open_database())
    if not rows:
        err.print("no users; add one with: gpworkforce user add EMAIL --role admin", highlight=False)
        return
    typer.echo("email\trole\torganisation\tstate\tcreated\tsessions")
    for u in rows:
        state = "disabled" if u.disabled else "active"
        created = u.created_at.strftime("%Y-%m-%d")
        typer.echo(f"{u.email}\t{u.role}\t{u.org_code or '-'}\t{state}\t{created}\t{u.sessions}")


def user_disable(email: Email) -> None:
    """Stop a user signing in; their open sessions end at once."""
    from gpworkforce.services import users
    from gpworkforce.services.datasets import open_database

    try:
        ended = users.set_disabled(open_database(), email, True)
    except ValueError as exc:
        fail(str(exc))
    err.print(f"disabled {email}; {ended} session(s) ended", highlight=False)


def user_enable(email: Email) -> None:
    """Let a disabled user sign in again."""
    from gpworkforce.services import users
    from gpworkforce.services.datasets import open_database

    try:
        users.set_disabled(open_database(), email, False)
    except ValueError as exc:
        fail(str(exc))
    err.print(f"enabled {email}", highlight=False)


def user_reset_password(email: Email, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for a user (asks for it); their sessions end and sign-in delays clear."""
    from gpworkforce.services import users
    from gpworkforce.services.datasets import open_database

    engine = open_database()
    password = _password(password_stdin)
    try:
        users.reset_password(engine, email, password)
    except ValueError as exc:
        fail(str(exc))
    err.print(f"password reset for {email}; their sessions have ended", highlight=False)


def user_unlock(email: Email) -> None:
    """Clear a user's failed sign-ins, so they can sign in now without waiting."""
    from gpworkforce.services import users
    from gpworkforce.services.datasets import open_database

    cleared = users.unlock(open_database(), email)
    err.print(f"cleared {cleared} failed sign-in(s) for {email}", highlight=False)


def user_delete(
    email: Email,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Delete a user, their sessions and saved scenarios. The audit log keeps what they did."""
    from gpworkforce.services import users
    from gpworkforce.services.datasets import open_database

    if not yes and not typer.confirm(f"Delete {email} and their saved scenarios?"):
        fail("not deleted", code=1)
    try:
        scenarios, kept = users.delete_user(open_database(), email)
    except ValueError as exc:
        fail(str(exc))
    err.print(f"deleted {email} ({scenarios} saved scenario(s)); {kept} audit entries kept", highlight=False)
