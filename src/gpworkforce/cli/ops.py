"""``gpworkforce backup``, ``restore`` and ``audit ...``: keeping the database safe and its audit log honest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gpworkforce.cli.options import err, fail

audit_app = typer.Typer(help="Check the audit log and purge old sign-in attempts.", no_args_is_help=True)


def backup(
    file: Annotated[Path, typer.Argument(help="Backup file to write (created 0600)")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists")] = False,
) -> None:
    """Copy the whole database to FILE, consistent while the server runs.

    SQLite: its online backup API; PostgreSQL: pg_dump custom format (pg_dump on PATH or in
    /usr/lib/postgresql/<version>/bin)."""
    from gpworkforce.services import backup as svc
    from gpworkforce.services.datasets import open_database

    try:
        done = svc.backup_database(open_database(), file, force=force)
    except svc.BackupError as exc:
        fail(str(exc))
    err.print(
        f"backed up {done.backend} database (schema {done.revision}, {done.audit_rows:,} audit rows) "
        f"to {done.path} ({done.size_bytes:,} bytes)",
        highlight=False,
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by gpworkforce backup")],
    force: Annotated[bool, typer.Option("--force", help="Replace the content of a database that is not empty")] = False,
) -> None:
    """Replace the database's content with a backup, migrate it to this version's schema and check its audit log.

    Refuses a file that is not a gpworkforce backup of the same kind of database, a schema
    revision this version does not know, and (without --force) a database holding any rows.
    Stop the web server first, or restart it afterwards."""
    from gpworkforce.services import backup as svc
    from gpworkforce.services.database import default_database_url, open_engine

    try:
        done = svc.restore_database(open_engine(default_database_url()), file, force=force)
    except svc.BackupError as exc:
        fail(str(exc))
    err.print(
        f"restored {done.backend} database from {file} (schema {done.backup_revision}, now {done.revision}); "
        f"audit log: {done.audit.rows:,} rows, " + ("chain intact" if done.audit.intact else done.audit.problem or ""),
        highlight=False,
    )
    if not done.audit.intact:
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit log's hash chain; report the first row changed, deleted or inserted out of order.

    Prints the head hash: write it down elsewhere to detect a rewrite of the whole chain later.
    Exit 0 if intact, 1 if not."""
    from gpworkforce.services.audit_chain import verify_chain
    from gpworkforce.services.database import unit_of_work
    from gpworkforce.services.datasets import open_database

    with unit_of_work(open_database()) as session:
        report = verify_chain(session)
    if report.intact:
        typer.echo(f"audit log intact: {report.rows:,} rows, head {report.head}")
        return
    typer.echo(f"audit log BROKEN at row {report.first_broken}: {report.problem}")
    typer.echo(f"rows before it are intact; last good hash {report.head}")
    raise typer.Exit(1)


@audit_app.command("purge-logins")
def audit_purge_logins(
    older_than_days: Annotated[
        int, typer.Option(min=1, help="Keep this many days of sign-in attempts (the audit log keeps every sign-in)")
    ] = 30,
) -> None:
    """Delete sign-in attempts (email, IP address) older than N days; also done at start-up and sign-in."""
    from datetime import timedelta

    from gpworkforce.services.database import unit_of_work
    from gpworkforce.services.datasets import open_database
    from gpworkforce.services.retention import purge_old_login_attempts

    with unit_of_work(open_database()) as session:
        gone = purge_old_login_attempts(session, timedelta(days=older_than_days))
    err.print(f"deleted {gone:,} sign-in attempts older than {older_than_days} days", highlight=False)
