"""What reports/ needs of a services report, read in one place.

The services' reports are typed (``services.results``): a pydantic summary and the tables as
DataFrames from ``frames()``. Every attribute this package reads goes through the protocol and
the accessors here, so reports/ does not depend on the services' classes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pandas as pd


class SummaryLike(Protocol):
    """A report's typed summary (a pydantic model): its figures by measure name."""

    def model_dump(self) -> dict[str, Any]: ...


class ReportLike(Protocol):
    """A services report: a title, the organisation, summary figures, named tables and notes."""

    @property
    def title(self) -> str: ...

    @property
    def org(self) -> Mapping[str, Any]: ...

    @property
    def summary(self) -> SummaryLike: ...

    @property
    def notes(self) -> Sequence[str]: ...

    def frames(self) -> Mapping[str, pd.DataFrame]: ...

    def to_dict(self) -> dict[str, Any]: ...


def title_of(report: ReportLike) -> str:
    """The report's heading, e.g. "Weekly appointment gap: NHS North East and North Cumbria ICB"."""
    return report.title


def jsonable(value: Any) -> Any:
    """Plain JSON values: NaN and infinities become None (JSON has no NaN), numpy scalars Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item"):  # numpy scalar
        return jsonable(value.item())
    return value


def as_dict(report: ReportLike) -> dict[str, Any]:
    """The JSON form (``--format json`` and the API): the report's own ``to_dict()`` (title,
    organisation, summary, tables as records, notes) as strict JSON, NaN and infinities as null."""
    out: dict[str, Any] = jsonable(report.to_dict())
    return out


def org_code(report: ReportLike) -> str:
    """ODS/ONS code of the report's organisation (``england`` for England)."""
    return str(report.org["code"])


def org_label(report: ReportLike) -> str:
    """Display name of the report's organisation (its label, else its name)."""
    org = report.org
    return f"{org.get('label', org.get('name'))}"


def tables_of(report: ReportLike) -> dict[str, pd.DataFrame]:
    """The report's tables by name, in the order the report gives them."""
    return dict(report.frames())


def first_table(report: ReportLike) -> pd.DataFrame:
    """The report's main table (the one ``--format csv`` prints)."""
    return next(iter(report.frames().values()))


def notes_of(*reports: ReportLike) -> list[str]:
    """The reports' notes, each once, in order."""
    return list(dict.fromkeys(note for report in reports for note in report.notes))


def summary_of(report: ReportLike) -> Mapping[str, Any]:
    """The report's summary figures by measure name."""
    return report.summary.model_dump()


def year_of(report: ReportLike) -> Any:
    """The year the report's figures are for ("" when it has none)."""
    return summary_of(report).get("year", "")
