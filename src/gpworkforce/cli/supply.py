"""The supply commands: retirement risk (RAG) and the supply projection of an organisation."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from gpworkforce.cli.options import Format, FormatOpt, OutOpt, RefOpt, fail
from gpworkforce.cli.output import check_destination, render
from gpworkforce.cli.reports import _context, _run, _version


class Preset(StrEnum):
    """Supply presets (reference/supply_presets.csv)."""

    calibrated = "calibrated"
    hee_100 = "hee-100"
    hee_80 = "hee-80"
    worst_case = "worst-case"
    nurse_qni = "nurse-qni"


YearsOpt = Annotated[int, typer.Option("--years", min=1, max=10, help="Years to project (1-10)")]
DrawsOpt = Annotated[int, typer.Option("--draws", min=1, max=10_000, help="Monte Carlo draws (1-10,000)")]
PresetOpt = Annotated[Preset, typer.Option("--preset", help="Retirement preset (sources in docs/model.md)")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Seed of the random draws (same seed, same figures)")]
RecruitOpt = Annotated[
    list[str] | None,
    typer.Option("--recruit", help="ROUTE:ROLE:HEADS a year, e.g. international:gp:2 (repeatable)"),
]


Share55Red = Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Red at this share of FTE aged 55+")]
Share55Amber = Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Amber at this share of FTE aged 55+")]
Leave5Red = Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Red at this share leaving within 5 years")]
Leave5Amber = Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Amber at this share leaving within 5 years")]


def _recruits(items: list[str] | None) -> tuple[Any, ...]:
    from gpworkforce.services.supply import Recruits

    out = []
    for item in items or []:
        parts = item.split(":")
        try:
            route, role, heads = parts
            out.append(Recruits(route.strip(), role.strip(), float(heads)))
        except ValueError:
            fail(f"--recruit {item!r}: expected ROUTE:ROLE:HEADS, e.g. international:gp:2")
    return tuple(out)


def retirement(
    ctx: typer.Context,
    org: str,
    red_share_55: Share55Red = None,
    amber_share_55: Share55Amber = None,
    red_leave_5: Leave5Red = None,
    amber_leave_5: Leave5Amber = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    reference: RefOpt = None,
) -> None:
    """Retirement risk per practice and role: aged 55+/60+, share leaving within 2 and 5 years, RAG and why.

    Thresholds: the options, else those an administrator set in the web app, else reference/general.csv."""
    from gpworkforce.services.rag_thresholds import current_thresholds
    from gpworkforce.services.retirement import Thresholds, retirement_report

    check_destination(fmt, out)
    workspace = _context(reference)
    version = _run(workspace.version)
    # an administrator's stored thresholds (web admin page), else reference/general.csv; options override
    base = current_thresholds(workspace.engine, version.reference.general)
    thresholds = Thresholds(
        base.red_share_55 if red_share_55 is None else red_share_55,
        base.amber_share_55 if amber_share_55 is None else amber_share_55,
        base.red_leave_5 if red_leave_5 is None else red_leave_5,
        base.amber_leave_5 if amber_leave_5 is None else amber_leave_5,
    )
    render(ctx, _run(retirement_report, version, org, thresholds), fmt, out, "retirement", None)


def supply(
    ctx: typer.Context,
    org: str,
    years: YearsOpt = 10,
    draws: DrawsOpt = 1000,
    preset: PresetOpt = Preset.calibrated,
    seed: SeedOpt = 1,
    recruit: RecruitOpt = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    reference: RefOpt = None,
) -> None:
    """Supply projection: FTE by role for 1-10 years (expected and P10/P50/P90), the weekly gap and GPs required."""
    from gpworkforce.services.supply import supply_report

    check_destination(fmt, out)
    plan = _recruits(recruit)
    version = _version(reference)
    report = _run(supply_report, version, org, years, draws, preset.value, seed, plan)
    render(ctx, report, fmt, out, "supply", None)


__all__ = ["retirement", "supply"]
