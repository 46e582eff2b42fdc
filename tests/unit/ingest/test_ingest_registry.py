"""The reader registry agrees with the frames, the catalogue of layouts and the download table."""

from __future__ import annotations

from gpworkforce.frames import FRAMES
from gpworkforce.ingest import IMPORT_KINDS, READERS, SOURCES
from gpworkforce.ingest.fetch import FETCH_SOURCES
from gpworkforce.ingest.snapshot_build import SHARED_FILES


def test_one_reader_per_canonical_frame() -> None:
    assert list(READERS) == list(FRAMES)


def test_every_reader_has_its_published_layouts() -> None:
    for kind, reader in READERS.items():
        assert reader.sources, kind
        assert all(s.publisher and s.licence and s.signature and s.cadence for s in reader.sources), kind
    assert {s.kind for s in SOURCES} <= set(READERS)


def test_import_kinds_are_the_importable_readers() -> None:
    assert IMPORT_KINDS == (
        "patients",
        "mapping",
        "appointments",
        "workforce",
        "pcn_workforce",
        "imd",
        "qof",
        "population_projection",
    )


def test_downloads_and_snapshot_name_only_known_kinds_and_layouts() -> None:
    for kind, source in FETCH_SOURCES.items():
        assert kind in READERS
        assert source.companion_kind is None or source.companion_kind in READERS
    for name, shared in SHARED_FILES.items():
        assert shared.layout.kind in READERS, name
