"""Snapshot writer/loader on synthetic reader results: exact round trip, stable bytes, tamper check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_synth import (
    CROSSTAB_HEADER,
    HEEC_HEADER,
    PATIENTS_HEADER,
    SUBICB_HEADER,
    crosstab_row,
    patients_rows,
    subicb_row,
    write_csv,
)

from gpworkforce.ingest import (
    IngestError,
    read_heec_workforce_all_years,
    read_patients,
    read_practice_crosstab,
    read_snapshot,
    read_subicb_appointments,
)
from gpworkforce.ingest.catalogue import SOURCES_BY_ID
from gpworkforce.ingest.snapshot_build import Planned, write_snapshot
from gpworkforce.ingest.snapshot_format import MANIFEST, frames_equal
from gpworkforce.nomenclature import AGE_BANDS


@pytest.fixture
def planned(tmp_path: Path) -> list[Planned]:
    src = tmp_path / "src"
    src.mkdir()
    counts = {
        code: {(s, b): (i + j) % 7 for j, b in enumerate(AGE_BANDS) for s in ("FEMALE", "MALE")}
        for i, code in enumerate(["B00002", "A00001"])
    }
    patients = write_csv(src / "patients.csv", PATIENTS_HEADER, patients_rows(counts))
    crosstab = write_csv(
        src / "crosstab.csv",
        CROSSTAB_HEADER,
        [
            crosstab_row("A00001", "GP", "Telephone", "Walk-in", "1 Day", 0, "DNA"),
            crosstab_row("A00001", "GP", "Telephone", "Walk-in", "1 Day", 4, "Attended"),
            crosstab_row("B00002", "Unknown", "Unknown", "Unmapped", "Unknown / Data Issue", 9, "Unknown"),
        ],
    )
    subicb = write_csv(
        src / "subicb.csv",
        SUBICB_HEADER,
        [
            subicb_row("00L", "2025-11-01", "DNA", "GP", "Telephone", "1 Day", 3),
            subicb_row("00L", "2025-10-01", "DNA", "GP", "Telephone", "1 Day", 5),
            subicb_row("99Z", "2025-10-01", "Attended", "GP", "Home Visit", "Same Day", 1),
        ],
    )
    heec = write_csv(
        src / "heec.csv",
        HEEC_HEADER,
        [
            ["A00001", 2016, "ICB", 1, 2, "NA", 1, 1, 3, 2, "NA", 1, 1, 4, 1, 1],
            ["A00001", 2017, "ICB", 1, 2.5, 1, 1, 1, 3, 2, 1, 1, 1, 4, 1, 1],
        ],
    )
    years = read_heec_workforce_all_years(heec)
    return [
        Planned("patients.csv.gz", read_patients(patients), SOURCES_BY_ID["gp-reg-pat-prac-quin-age"], patients),
        Planned(
            "appointments.csv.gz", read_practice_crosstab(crosstab), SOURCES_BY_ID["gpad-practice-crosstab"], crosstab
        ),
        Planned("subicb.csv.gz", read_subicb_appointments(subicb), SOURCES_BY_ID["gpad-regional-csv"], subicb),
        *[
            Planned("history.csv.gz", years[y], SOURCES_BY_ID["heec-workforce-year"], heec, shared_file=True)
            for y in (2016, 2017)
        ],
    ]


def test_round_trip_is_exact(tmp_path: Path, planned: list[Planned]) -> None:
    out = tmp_path / "snap"
    write_snapshot(planned, out)
    loaded = read_snapshot(out)
    assert len(loaded) == len(planned)
    for item, result in zip(planned, loaded, strict=True):
        assert (result.kind, result.period, result.source_file, result.rows_read, result.notes) == (
            item.result.kind,
            item.result.period,
            item.result.source_file,
            item.result.rows_read,
            item.result.notes,
        )
        assert frames_equal(result.frame, item.result.frame), item.file
    # A real zero survives the wide layout; an absent combination stays absent.
    appointments = loaded[1].frame
    assert 0 in set(appointments["appointments"])
    assert len(appointments) == 3
    assert [r.kind for r in read_snapshot(out, kinds=["workforce"])] == ["workforce", "workforce"]


def test_rebuild_gives_identical_bytes(tmp_path: Path, planned: list[Planned]) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_snapshot(planned, first)
    write_snapshot(planned, second)
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    manifest = json.loads((first / MANIFEST).read_text())
    entry = manifest["datasets"][0]
    assert entry["source"]["file"] == "patients.csv" and len(entry["source"]["sha256"]) == 64
    assert entry["licence"].startswith("Contains public sector information licensed under the Open Government")


def test_changed_snapshot_file_is_refused(tmp_path: Path, planned: list[Planned]) -> None:
    out = tmp_path / "snap"
    write_snapshot(planned, out)
    (out / "patients.csv.gz").write_bytes(b"")
    with pytest.raises(IngestError, match="sha256 differs"):
        read_snapshot(out)
    with pytest.raises(IngestError, match="no snapshot manifest"):
        read_snapshot(tmp_path / "nowhere")
