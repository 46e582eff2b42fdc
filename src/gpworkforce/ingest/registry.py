"""The one reader registry: for each canonical kind, the function that reads it and the
published layouts it accepts.

It sits on top of the readers (it imports them; nothing below imports it). The layouts'
publisher, licence, expected columns, cadence and URL are declared once in
:mod:`~gpworkforce.ingest.catalogue`; the frame each kind produces in :mod:`gpworkforce.frames`.
``read_any``, ``gpworkforce import``, the snapshot builder and the downloader all read
this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gpworkforce.ingest.appointments import read_practice_crosstab, read_subicb_appointments
from gpworkforce.ingest.catalogue import SOURCES, Source, sniff_header, title_of
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.files import read_header
from gpworkforce.ingest.imd import read_imd
from gpworkforce.ingest.mapping import read_mapping
from gpworkforce.ingest.ons import read_population_projection
from gpworkforce.ingest.patients import read_patients
from gpworkforce.ingest.pcn_workforce import read_pcn_workforce
from gpworkforce.ingest.qof import read_qof
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.workforce import read_gpw_detailed, read_gpw_practice, read_workforce


@dataclass(frozen=True)
class Reader:
    """How one canonical kind is read.

    ``read`` takes any accepted layout of the kind (it tells them apart by their header);
    ``importable`` says whether ``gpworkforce import`` offers the kind on its own
    (``gp_age`` comes with the workforce CSV, the sub-ICB series with the snapshot).
    """

    kind: str
    read: Callable[[Path], IngestResult]
    importable: bool = True

    @property
    def title(self) -> str:
        """Short human title, as error messages name the kind."""
        return title_of(self.kind)

    @property
    def sources(self) -> tuple[Source, ...]:
        """The published layouts this kind is read from (publisher, licence, columns, cadence)."""
        return tuple(s for s in SOURCES if self.kind == s.kind or self.kind in s.also_kinds)


def _gp_age(path: Path) -> IngestResult:
    return read_gpw_practice(path)[1]


def _workforce_roles(path: Path) -> IngestResult:
    return read_gpw_detailed(path)[2]


def _workforce_age(path: Path) -> IngestResult:
    return read_gpw_detailed(path)[3]


READERS: dict[str, Reader] = {
    r.kind: r
    for r in (
        Reader("patients", read_patients),
        Reader("mapping", read_mapping),
        Reader("appointments", read_practice_crosstab),
        Reader("subicb_appointments", read_subicb_appointments, importable=False),
        Reader("workforce", read_workforce),
        Reader("gp_age", _gp_age, importable=False),
        Reader("workforce_roles", _workforce_roles, importable=False),
        Reader("workforce_age", _workforce_age, importable=False),
        Reader("pcn_workforce", read_pcn_workforce),
        Reader("imd", read_imd),
        Reader("qof", read_qof),
        Reader("population_projection", read_population_projection),
    )
}
#: Every canonical kind a reader can produce.
KINDS: tuple[str, ...] = tuple(READERS)
#: Kinds ``gpworkforce import`` reads on their own.
IMPORT_KINDS: tuple[str, ...] = tuple(k for k, r in READERS.items() if r.importable)


def sniff_source(path: Path | str) -> Source | None:
    """Which published source a file looks like, from its header only."""
    return sniff_header(read_header(Path(path)))


def sniff(path: Path | str) -> str | None:
    """Canonical kind a file looks like (``patients``, ``mapping`` ...), or None."""
    source = sniff_source(path)
    return source.kind if source else None


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
    reader = READERS.get(kind)
    if reader is None:
        raise IngestError(path.name, f"unknown kind '{kind}' (known: {', '.join(READERS)})")
    return reader.read(path)
