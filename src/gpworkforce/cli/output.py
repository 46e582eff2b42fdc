"""Printing and writing what a command produced: a rich table, CSV, JSON or an Excel workbook.

Text goes to the terminal unless ``--out`` names a file; a workbook only ever goes to a file
(or to a pipe with ``--out -``), never to a terminal.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import typer
from rich.console import Console

from gpworkforce.cli.options import Format, err, fail

if TYPE_CHECKING:  # pandas and the reports are imported when a command renders (fast CLI start)
    import pandas as pd

    from gpworkforce.reports.source import ReportLike
    from gpworkforce.scenario import Scenario

STDOUT = Path("-")


def check_destination(fmt: Format | str, out: Path | None) -> None:
    """Refuse, before any work, a workbook with nowhere sensible to go."""
    if fmt != Format.xlsx:
        return
    if out is None:
        fail("--format xlsx writes an Excel file: give its name with --out FILE")
    if _is_terminal(out):
        fail("will not write an Excel workbook to a terminal: give --out a file name")


def _is_terminal(out: Path) -> bool:
    if out == STDOUT:
        return sys.stdout.isatty()
    if not out.is_char_device():
        return False
    with out.open("ab") as fh:
        return fh.isatty()


def emit(data: str | bytes, out: Path | None) -> None:
    """``data`` to the terminal (text only), to stdout (``--out -``) or to the file ``out``."""
    if out is None or (out == STDOUT and isinstance(data, str)):
        typer.echo(data, nl=False)
        return
    if out == STDOUT:
        assert isinstance(data, bytes)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        if isinstance(data, bytes):
            out.write_bytes(data)
        else:
            out.write_text(data, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    err.print(f"wrote {out}", highlight=False, soft_wrap=True)


#: Fields that are calendar years or codes, printed as they are (2026, not 2,026).
PLAIN_FIELDS: Final = frozenset({"year", "base_year", "month", "calendar_year", "projection_year", "seed"})


def fmt_value(value: Any, field: str = "") -> str:
    """A figure as the table format shows it: thousands separated, fewer decimals for bigger numbers;
    a year as written (``field`` names the column or summary measure)."""
    if field in PLAIN_FIELDS and isinstance(value, int | float) and value == value:
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:,.1f}"
        return f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


#: Width of text that does not go to a terminal (a pipe, a file): wide enough that no table is cut.
UNBOUNDED_WIDTH: Final = 10_000


def console(out: Path | None) -> tuple[Console, io.StringIO | None]:
    """The terminal (its own width), or a console for a pipe or ``out`` that never cuts a table to
    fit 80 columns: tables take the width their content needs."""
    if out is None or out == STDOUT:
        if sys.stdout.isatty():
            return Console(), None
        return Console(width=UNBOUNDED_WIDTH, no_color=True), None
    buffer = io.StringIO()
    return Console(file=buffer, no_color=True, width=UNBOUNDED_WIDTH), buffer


def _print_report(report: ReportLike, out: Path | None) -> None:
    import pandas as pd
    from rich.table import Table

    from gpworkforce.reports.source import summary_of, tables_of, title_of

    con, buffer = console(out)
    con.print(f"[bold]{title_of(report)}[/]", highlight=False)
    summary = Table(show_header=False, box=None)
    for k, v in summary_of(report).items():
        summary.add_row(k.replace("_", " "), fmt_value(v, k) if not isinstance(v, list) else ", ".join(map(str, v)))
    con.print(summary)
    for name, frame in tables_of(report).items():
        t = Table(title=name.replace("_", " "), title_justify="left")
        for col in frame.columns:
            # fold, never "…": on a narrow terminal a cell wraps rather than losing its text
            numeric = pd.api.types.is_numeric_dtype(frame[col])
            t.add_column(col.replace("_", " "), justify="right" if numeric else "left", overflow="fold")
        for row in frame.itertuples(index=False):
            t.add_row(*[fmt_value(v, str(c)) for v, c in zip(row, frame.columns, strict=True)])
        con.print(t)
    for n in report.notes:
        con.print(f"[dim]note: {n}[/]", highlight=False)
    if buffer is not None:
        emit(buffer.getvalue(), out)


def command_line(ctx: typer.Context) -> str:
    """The command being run, as typed (options left at their defaults omitted)."""
    words = ["gpworkforce", *ctx.command_path.split()[1:]]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value is None or value is False or value == [] or value == param.default:
            continue
        if param.param_type_name == "argument":
            words.append(str(value))
            continue
        flag = max(param.opts, key=len)
        for item in value if isinstance(value, list | tuple) else [value]:
            words += [flag] if item is True else [flag, str(getattr(item, "value", item))]
    return " ".join(words)


def render(
    ctx: typer.Context, report: ReportLike, fmt: Format, out: Path | None, kind: str, scenario: Scenario | None
) -> None:
    """A report in ``fmt``: the table view, its main table as CSV, all of it as JSON, or a workbook.

    ``kind`` names the workbook's sheets as the web's downloads; ``ctx`` gives the command it records.
    """
    from gpworkforce.reports.source import as_dict, first_table
    from gpworkforce.reports.tables import csv_text
    from gpworkforce.scenario import Scenario

    if fmt is Format.json:
        emit(json.dumps(as_dict(report), indent=2, allow_nan=False) + "\n", out)
    elif fmt is Format.csv:
        emit(csv_text(first_table(report)), out)
    elif fmt is Format.xlsx:
        from gpworkforce.reports import excel
        from gpworkforce.reports.tables import named_tables

        info = excel.about(
            report, report.notes, (scenario or Scenario()).changed_fields(), ("Command", command_line(ctx))
        )
        emit(excel.workbook_bytes(named_tables(kind, report), info), out)
    else:
        _print_report(report, out)


def render_frame(frame: pd.DataFrame, fmt: Format, out: Path | None, sheet: str) -> None:
    """A plain table (no report around it) in ``fmt``."""
    from gpworkforce.reports.tables import csv_text

    if fmt is Format.json:
        emit(frame.to_json(orient="records", date_format="iso") + "\n", out)
    elif fmt is Format.csv:
        emit(csv_text(frame), out)
    elif fmt is Format.xlsx:
        from gpworkforce.reports import excel

        emit(excel.workbook_bytes({sheet: frame}, None), out)
    else:
        con, buffer = console(out)
        con.print(frame.to_string(index=False))
        if buffer is not None:
            emit(buffer.getvalue(), out)
