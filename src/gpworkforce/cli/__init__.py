"""Command line: a thin layer that parses, calls a service and renders the answer.

The database is the one named by GPWORKFORCE_DATABASE_URL (an SQLAlchemy URL), by default
an SQLite file in the user's data directory. The commands live in modules by what they do
(:mod:`.reports`, :mod:`.data`, :mod:`.fetch`, :mod:`.users`, :mod:`.ops`, :mod:`.sweep`); this module registers them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from gpworkforce.cli import data, ops, reports, supply, users, workforce
from gpworkforce.cli.fetch import fetch
from gpworkforce.cli.groups import group_app
from gpworkforce.cli.options import err
from gpworkforce.cli.register import register_app
from gpworkforce.cli.sweep import sweep

app = typer.Typer(
    help="Plan NHS general practice workforce against patient demand.\n\n"
    "ORG is an ODS code (practice A81001, PCN U-code, sub-ICB 16C, ICB QHM, region Y63), an ONS code "
    "(E38.../E54.../E40...), or 'england'. The database is GPWORKFORCE_DATABASE_URL (SQLAlchemy URL), "
    "by default an SQLite file in your user data directory.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
#: Seconds uvicorn waits for a worker to answer a health check (its default is 5).
WORKER_HEALTHCHECK_SECONDS = 30
#: Exit status when the database stayed busy (EX_TEMPFAIL): nothing was written, try again.
BUSY_EXIT = 75

user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(ops.audit_app, name="audit")
app.add_typer(group_app, name="group")
app.add_typer(register_app, name="register")

app.command()(fetch)
app.command()(data.init)
app.command("import")(data.import_)
app.command("workforce-table")(workforce.workforce_table)
for command in (reports.demand, reports.capacity, reports.gap, reports.benchmark, data.datasets, reports.validate):
    app.command()(command)
app.command()(supply.retirement)
app.command()(supply.supply)
user_app.command("add")(users.user_add)
user_app.command("list")(users.user_list)
user_app.command("disable")(users.user_disable)
user_app.command("enable")(users.user_enable)
user_app.command("reset-password")(users.user_reset_password)
user_app.command("unlock")(users.user_unlock)
user_app.command("delete")(users.user_delete)
app.command()(sweep)
app.command()(ops.backup)
app.command()(ops.restore)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (use PostgreSQL for more than one writer)")] = 1,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed (e.g. 127.0.0.1 or 10.0.0.0/8; '*' trusts every peer). "
            "Default: none, so the client address is the TCP peer and forwarded headers are ignored",
        ),
    ] = "",
    root_path: Annotated[
        str, typer.Option(help="URL prefix the proxy serves the app under, e.g. /gpworkforce (default: none)")
    ] = "",
) -> None:
    """Serve the web app and JSON API on the database GPWORKFORCE_DATABASE_URL names."""
    import uvicorn

    err.print(f"serving on http://{host}:{port}{root_path}", highlight=False)
    trusted = [ip.strip() for ip in forwarded_allow_ips.split(",") if ip.strip()]
    uvicorn.run(
        "gpworkforce.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # With no trusted proxy the middleware is left out: the peer address is the client.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        root_path=root_path,
        # A worker's first answer waits for its imports; leave room on a loaded machine.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from gpworkforce.scenario import scenario_json_schema

    typer.echo(scenario_json_schema())


def main() -> None:
    """Console-script entry point.

    Importing this package is kept light (typer and rich only; each command imports what it
    needs), because ``serve --workers N`` starts each worker by importing it again and uvicorn
    gives a worker 5 seconds to answer its first health check.
    """
    from gpworkforce.services.database import DatabaseBusy

    try:
        app()
    except DatabaseBusy as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise SystemExit(BUSY_EXIT) from None


if __name__ == "__main__":
    main()
