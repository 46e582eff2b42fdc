"""``gpworkforce sweep``: many scenarios over every practice of an organisation, on Dask, to Parquet.

Parses the grid or scenario file and the options, calls ``services.sweep`` and says what it
wrote. Bad input exits 2 naming the grid item or the file, row and field, and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gpworkforce.cli.options import RefOpt, err, fail

GridOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--grid",
        help="FIELD=V1,V2,... (repeatable): every combination of the values is a scenario, e.g. "
        "--grid year=2026,2030 --grid shift_share=0,0.2 --grid added_fte.pharmacist=0,50 ('none' = default)",
    ),
]
ScenariosOpt = Annotated[
    Path | None,
    typer.Option(
        "--scenarios",
        help="A .json file (a list of scenario objects, see `gpworkforce schema`) or a .csv file (a header of "
        "scenario fields, added_fte.ROLE and minutes.ROLE for per-role levers; one scenario a row)",
    ),
]
SchedulerOpt = Annotated[
    str,
    typer.Option(
        "--scheduler",
        help="local (a Dask cluster of --workers processes here), synchronous (this process, no Dask) or a "
        "Dask scheduler address such as tcp://10.0.0.5:8786 whose workers reach the same database",
    ),
]


def sweep(
    out: Annotated[Path, typer.Option("--out", "-o", help="Parquet file to write (replaced when complete)")],
    grid: GridOpt = None,
    scenarios: ScenariosOpt = None,
    org: Annotated[str, typer.Option("--org", help="Organisation whose practices are run")] = "england",
    scheduler: SchedulerOpt = "local",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes of the local cluster")] = 2,
    reference: RefOpt = None,
) -> None:
    """Run many scenarios over every practice of ORG (England by default) and write one Parquet file:
    a row per scenario, practice and clinical role (plus 'unassigned'), with the scenario's levers,
    FTE, demand, capacity and gap a week, and where the FTE came from."""
    from gpworkforce.reference import ReferenceError
    from gpworkforce.services.national import DataMissingError
    from gpworkforce.services.organisations import UnknownOrganisation
    from gpworkforce.services.sweep import SweepDataChanged, run_sweep
    from gpworkforce.services.sweep_spec import SweepInputError, file_scenarios, grid_scenarios
    from gpworkforce.services.versions import open_workspace

    if bool(grid) == (scenarios is not None):
        fail("give either --grid (one or more) or --scenarios FILE")
    try:
        chosen = file_scenarios(scenarios) if scenarios is not None else grid_scenarios(grid or [])
        workspace = open_workspace(None, tuple(reference or ()))
        summary = run_sweep(
            workspace, chosen, out, org, scheduler=scheduler, workers=workers, reference_files=tuple(reference or ())
        )
    except DataMissingError as exc:
        fail(str(exc), 3)
    except (SweepInputError, UnknownOrganisation, ReferenceError, ValueError, SweepDataChanged) as exc:
        fail(str(exc))
    except OSError as exc:  # the scheduler cannot be reached, or the file cannot be written
        fail(f"{type(exc).__name__}: {exc}")
    err.print(
        f"{summary.scenarios:,} scenarios x {summary.practices:,} practices: {summary.rows:,} rows written to "
        f"{summary.path} in {summary.seconds:.1f} s ({summary.scheduler})",
        highlight=False,
    )
