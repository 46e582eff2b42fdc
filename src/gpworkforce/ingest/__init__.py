"""Published NHS / ONS files -> canonical frames (see docs/architecture.md, "Ingest contract").

Every reader takes a path (CSV or gzipped CSV) and returns an :class:`IngestResult`; bad
input raises :class:`IngestError` naming the file, row and column. Readers never touch the
database. Imports point one way: errors, problems, text, periods, result, cells, catalogue and
files at the bottom; one module per source on them; :mod:`~gpworkforce.ingest.registry`
(kind -> reader) on top; the snapshot and the downloader beside or above it.
"""

from __future__ import annotations

from gpworkforce.ingest.appointments import read_appointments, read_practice_crosstab, read_subicb_appointments
from gpworkforce.ingest.catalogue import SOURCES, Source
from gpworkforce.ingest.errors import IngestError, Problem
from gpworkforce.ingest.imd import read_imd
from gpworkforce.ingest.mapping import read_mapping
from gpworkforce.ingest.ons import read_population_projection
from gpworkforce.ingest.patients import read_patients
from gpworkforce.ingest.pcn_workforce import read_pcn_workforce
from gpworkforce.ingest.qof import read_qof
from gpworkforce.ingest.registry import IMPORT_KINDS, KINDS, READERS, Reader, read_any, sniff, sniff_source
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.snapshot import read_snapshot
from gpworkforce.ingest.workforce import (
    read_gpw_detailed,
    read_gpw_practice,
    read_heec_workforce,
    read_heec_workforce_all_years,
    read_workforce,
    read_workforce_all,
)

__all__ = [
    "IMPORT_KINDS",
    "KINDS",
    "READERS",
    "SOURCES",
    "IngestError",
    "IngestResult",
    "Problem",
    "Reader",
    "Source",
    "read_any",
    "read_appointments",
    "read_gpw_detailed",
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
    "read_workforce_all",
    "sniff",
    "sniff_source",
]
