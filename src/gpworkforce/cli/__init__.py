"""Command line: a thin layer that parses, calls a service and renders the answer.

The database is the one named by GPWORKFORCE_DATABASE_URL (an SQLAlchemy URL), by default
an SQLite file in the user's data directory. The commands live in modules by what they do
(:mod:`.reports`, :mod:`.data`, :mod:`.fetch`, :mod:`.users`, :mod:`.ops`); this module registers them.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from gpworkforce.cli import data, ops, reports, users
from gpworkforce.cli.fetch import fetch
from gpworkforce.cli.options import err

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
app.add_typer(ops.audit_app, name="audit")

app.command()(fetch)
app.command()(data.init)
app.command("import")(data.import_)
for command in (reports.demand, reports.capacity, reports.gap, reports.benchmark, data.datasets, reports.validate):
    app.command()(command)
user_app.command("add")(users.user_add)
user_app.command("list")(users.user_list)
user_app.command("disable")(users.user_disable)
user_app.command("enable")(users.user_enable)
user_app.command("reset-password")(users.user_reset_password)
user_app.command("unlock")(users.user_unlock)
user_app.command("delete")(users.user_delete)
app.command()(ops.backup)
app.command()(ops.restore)


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
