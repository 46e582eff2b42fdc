"""Published NHS / ONS files -> canonical frames (see docs/architecture.md, "Ingest contract").

Every reader takes a path (CSV or gzipped CSV) and returns an :class:`IngestResult`; bad
input raises :class:`IngestError` naming the file, row and column. Readers never touch the
database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gpworkforce.ingest.appointments import read_appointments, read_practice_crosstab, read_subicb_appointments
from gpworkforce.ingest.base import IngestResult
from gpworkforce.ingest.catalogue import SOURCES, Source, sniff, sniff_source
from gpworkforce.ingest.errors import IngestError, Problem
from gpworkforce.ingest.imd import read_imd
from gpworkforce.ingest.mapping import read_mapping
from gpworkforce.ingest.ons import read_population_projection
from gpworkforce.ingest.patients import read_patients
from gpworkforce.ingest.pcn_workforce import read_pcn_workforce
from gpworkforce.ingest.qof import read_qof
from gpworkforce.ingest.snapshot import read_snapshot
from gpworkforce.ingest.workforce import (
    read_gpw_practice,
    read_heec_workforce,
    read_heec_workforce_all_years,
    read_workforce,
)

__all__ = [
    "KINDS",
    "SOURCES",
    "IngestError",
    "IngestResult",
    "Problem",
    "Source",
    "read_any",
    "read_appointments",
    "read_gpw_practice",
    "read_heec_workforce",
    "read_heec_workforce_all_years",
    "read_imd",
    "read_mapping",
    "read_patients",
    "read_pcn_workforce",
    "read_population_projection",
    "read_practice_crosstab",
    "read_qof",
    "read_snapshot",
    "read_subicb_appointments",
    "read_workforce",
    "sniff",
    "sniff_source",
]


def _gp_age(path: Path) -> IngestResult:
    return read_gpw_practice(path)[1]


_READERS: dict[str, Callable[[Path], IngestResult]] = {
    "patients": read_patients,
    "mapping": read_mapping,
    "appointments": read_practice_crosstab,
    "subicb_appointments": read_subicb_appointments,
    "workforce": read_workforce,
    "gp_age": _gp_age,
    "pcn_workforce": read_pcn_workforce,
    "imd": read_imd,
    "qof": read_qof,
    "population_projection": read_population_projection,
}
#: Every canonical kind a reader can produce.
KINDS: tuple[str, ...] = tuple(_READERS)


def read_any(path: Path | str, kind: str | None = None) -> IngestResult:
    """Read ``path`` as ``kind`` (or as whatever its header says it is, when ``kind`` is None).

    With an explicit kind the matching reader runs even if the header looks like another
    kind, so the error says "this looks like a ... file" and names the missing column.
    """
    path = Path(path)
    if kind is None:
        found = sniff(path)
        if found is None:
            raise IngestError(
                path.name, "unrecognised file: its header matches none of the known NHS/ONS layouts", row=1
            )
        kind = found
    reader = _READERS.get(kind)
    if reader is None:
        raise IngestError(path.name, f"unknown kind '{kind}' (known: {', '.join(_READERS)})")
    return reader(path)
