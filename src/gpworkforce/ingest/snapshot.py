"""The bundled snapshot: canonical frames from the shared NHS files, small enough to ship.

``scripts/build_snapshot.py`` calls :func:`build_snapshot`, which runs the readers over the
shared data folder and writes gzipped CSVs plus ``MANIFEST.json`` and ``ATTRIBUTION.md``
into ``src/gpworkforce/snapshot/``. :func:`read_snapshot` gives back exactly the
:class:`IngestResult` objects the readers produced (same frames, dtypes, row order, period,
notes), so loading a fresh database from the snapshot or from the raw files is the same.

To stay small, some frames are stored **wide** (one column per value of a key, e.g. one
column per appointment status or month); blank cells are combinations absent from the
source, a written 0 is a real zero. Output is deterministic (sorted rows, gzip mtime 0),
so rebuilding from the same sources gives identical bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gpworkforce.ingest.appointments import CATEGORY_CODES, read_practice_crosstab, read_subicb_appointments
from gpworkforce.ingest.base import IngestResult, ordered
from gpworkforce.ingest.catalogue import SOURCES_BY_ID, Source
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.imd import read_imd
from gpworkforce.ingest.mapping import COLUMNS as MAPPING_COLUMNS
from gpworkforce.ingest.mapping import read_mapping
from gpworkforce.ingest.ons import read_population_projection
from gpworkforce.ingest.patients import read_patients
from gpworkforce.ingest.pcn_workforce import read_pcn_workforce
from gpworkforce.ingest.qof import read_qof
from gpworkforce.ingest.workforce import GP_AGE_BANDS, WORKFORCE_STAFF, read_heec_workforce_all_years
from gpworkforce.nomenclature import AGE_BANDS, APPT_MODES, APPT_STATUSES, BOOKING_INTERVALS, HCP_TYPES, SEXES

FORMAT_VERSION = 1
MANIFEST = "MANIFEST.json"
ATTRIBUTION = "ATTRIBUTION.md"
README = "README.md"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "snapshot"

#: Canonical columns and dtypes per kind (docs/architecture.md), in column order.
SCHEMAS: dict[str, dict[str, str]] = {
    "patients": {"practice_code": "str", "sex": "str", "age_band": "str", "patients": "int64"},
    "mapping": dict.fromkeys(MAPPING_COLUMNS, "str"),
    "appointments": {
        "practice_code": "str",
        "hcp_type": "str",
        "mode": "str",
        "category": "str",
        "interval": "str",
        "status": "str",
        "appointments": "int64",
    },
    "subicb_appointments": {
        "month": "str",
        "sub_icb_code": "str",
        "hcp_type": "str",
        "mode": "str",
        "interval": "str",
        "status": "str",
        "appointments": "int64",
    },
    "workforce": {"practice_code": "str", "staff": "str", "fte": "float64", "headcount": "float64"},
    "gp_age": {"practice_code": "str", "age_band": "str", "headcount": "float64"},
    "pcn_workforce": {"pcn_code": "str", "staff_role": "str", "role": "str", "fte": "float64", "headcount": "int64"},
    "imd": {"practice_code": "str", "imd_score": "float64"},
    "qof": {
        "practice_code": "str",
        "group_code": "str",
        "register": "float64",
        "list_size": "float64",
        "list_type": "str",
    },
    "population_projection": {"year": "int64", "sex": "str", "age_band": "str", "population": "float64"},
}

#: Row order of each canonical frame: (column, category order or None for plain sort).
ORDERS: dict[str, list[tuple[str, Sequence[str] | None]]] = {
    "patients": [("practice_code", None), ("sex", SEXES), ("age_band", AGE_BANDS)],
    "appointments": [
        ("practice_code", None),
        ("hcp_type", HCP_TYPES),
        ("mode", APPT_MODES),
        ("category", CATEGORY_CODES),
        ("interval", BOOKING_INTERVALS),
        ("status", APPT_STATUSES),
    ],
    "subicb_appointments": [
        ("month", None),
        ("sub_icb_code", None),
        ("hcp_type", HCP_TYPES),
        ("mode", APPT_MODES),
        ("interval", BOOKING_INTERVALS),
        ("status", APPT_STATUSES),
    ],
    "workforce": [("practice_code", None), ("staff", WORKFORCE_STAFF)],
    "gp_age": [("practice_code", None), ("age_band", GP_AGE_BANDS)],
}

#: Wide storage: key column spread into columns, and the order of those columns.
WIDE: dict[str, tuple[str, str, Sequence[str] | None]] = {
    # kind: (spread column, value column, column order or None = sorted)
    "patients": ("sex_age", "patients", [f"{s}|{b}" for s in SEXES for b in AGE_BANDS]),
    "appointments": ("status", "appointments", APPT_STATUSES),
    "subicb_appointments": ("month", "appointments", None),
}


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_order(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Sort rows as the reader does (nomenclature order for coded columns)."""
    spec = ORDERS.get(kind)
    if spec is None:
        return frame.reset_index(drop=True)
    keys = pd.DataFrame(
        {col: (ordered(frame[col], cats) if cats is not None else frame[col]) for col, cats in spec},
        index=frame.index,
    )
    order = keys.sort_values([c for c, _ in spec], kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _to_wide(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    spread, value, columns = WIDE[kind]
    data = frame
    if kind == "patients":
        data = frame.assign(sex_age=frame["sex"] + "|" + frame["age_band"]).drop(columns=["sex", "age_band"])
    index = [c for c in data.columns if c not in (spread, value)]
    wide = data.pivot(index=index, columns=spread, values=value)
    order = list(columns) if columns is not None else sorted(wide.columns)
    wide = wide.reindex(columns=[c for c in order if c in wide.columns]).astype("Int64")
    wide.columns.name = None
    return wide.reset_index()


def _from_wide(wide: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Inverse of :func:`_to_wide`: one long row per non-blank cell, row-major."""
    spread, value, _ = WIDE[kind]
    schema = SCHEMAS[kind]
    index = [c for c in schema if c in wide.columns]
    spread_columns = [c for c in wide.columns if c not in index]
    cells = wide[spread_columns].to_numpy(dtype=np.float64)
    rows, cols = np.nonzero(~np.isnan(cells))
    labels = np.asarray(spread_columns, dtype=object)[cols]
    out: dict[str, Any] = {c: wide[c].to_numpy(dtype=object)[rows] for c in index}
    if kind == "patients":
        split = [label.split("|", 1) for label in spread_columns]
        out["sex"] = np.asarray([a for a, _ in split], dtype=object)[cols]
        out["age_band"] = np.asarray([b for _, b in split], dtype=object)[cols]
    else:
        out[spread] = labels
    out[value] = cells[rows, cols]
    return pd.DataFrame(out)


def _encode(frame: pd.DataFrame) -> bytes:
    """Deterministic gzipped CSV (``\\n`` line ends, shortest round-trip floats, mtime 0)."""
    text = frame.to_csv(index=False, lineterminator="\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buffer.getvalue()


def _typed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Columns in canonical order and dtypes."""
    out: dict[str, Any] = {}
    for column, dtype in SCHEMAS[kind].items():
        values = frame[column]
        if dtype == "str":
            out[column] = values if values.dtype == "str" else pd.Series(values.to_numpy(dtype=object), dtype=str)
        else:
            out[column] = values.to_numpy().astype(dtype)
    return pd.DataFrame(out)


def _read_stored(path: Path, kind: str, layout: str) -> pd.DataFrame:
    """Read a snapshot CSV with the right dtype per column (blank = NaN only in float columns)."""
    header = pd.read_csv(path, compression="gzip", nrows=0).columns
    schema = SCHEMAS[kind]
    dtypes: dict[str, Any] = {}
    blanks: dict[str, list[str]] = {}
    for column in header:
        dtype = "str" if column == "period" else schema.get(column, "float64")
        if dtype == "int64" and layout == "wide":
            dtype = "float64"
        dtypes[column] = str if dtype == "str" else dtype
        if dtype == "float64":
            blanks[column] = [""]
    return pd.read_csv(path, compression="gzip", dtype=dtypes, keep_default_na=False, na_values=blanks)


# --- writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One result to store: which snapshot file, and the source it came from."""

    file: str
    result: IngestResult
    source: Source
    source_path: Path
    shared_file: bool = False  # several periods in one file (adds a ``period`` column)


def write_snapshot(planned: Sequence[Planned], out_dir: Path) -> dict[str, Any]:
    """Write the planned results, ``MANIFEST.json`` and ``ATTRIBUTION.md``; returns the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    by_file: dict[str, list[Planned]] = {}
    for item in planned:
        by_file.setdefault(item.file, []).append(item)
    hashes: dict[str, str] = {}
    source_hashes: dict[Path, str] = {}
    for file, items in by_file.items():
        kind = items[0].result.kind
        if len(items) > 1 or items[0].shared_file:
            frame = pd.concat([it.result.frame.assign(period=it.result.period) for it in items], ignore_index=True)
            frame = frame[["period", *SCHEMAS[kind]]]
        elif kind in WIDE:
            frame = _to_wide(items[0].result.frame, kind)
        else:
            frame = items[0].result.frame
        data = _encode(frame)
        (out_dir / file).write_bytes(data)
        hashes[file] = hashlib.sha256(data).hexdigest()
    for item in planned:
        res = item.result
        if item.source_path not in source_hashes:
            source_hashes[item.source_path] = sha256_of(item.source_path)
        layout = (
            "wide"
            if item.file in by_file and len(by_file[item.file]) == 1 and not item.shared_file and res.kind in WIDE
            else "long"
        )
        entries.append(
            {
                "file": item.file,
                "sha256": hashes[item.file],
                "kind": res.kind,
                "period": res.period,
                "rows": len(res.frame),
                "layout": layout,
                "select_period": len(by_file[item.file]) > 1 or item.shared_file,
                "source": {
                    "file": res.source_file,
                    "sha256": source_hashes[item.source_path],
                    "bytes": item.source_path.stat().st_size,
                    "rows_read": res.rows_read,
                    "id": item.source.id,
                    "title": item.source.title,
                    "publisher": item.source.publisher,
                    "url": item.source.url,
                },
                "licence": item.source.licence,
                "notes": list(res.notes),
            }
        )
    manifest = {
        "format": FORMAT_VERSION,
        "built_by": "scripts/build_snapshot.py",
        "layouts": {
            "long": "canonical columns as in docs/architecture.md",
            "wide": "one column per value of a key (patients: sex|age_band; appointments: status; "
            "subicb_appointments: month); blank = absent from the source",
            "select_period": "file holds several periods in a leading 'period' column",
        },
        "datasets": entries,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / ATTRIBUTION).write_text(attribution_text(entries), encoding="utf-8")
    (out_dir / README).write_text(readme_text(entries), encoding="utf-8")
    return manifest


def readme_text(entries: Iterable[dict[str, Any]]) -> str:
    """README.md: what each file holds and how the wide layouts map back to canonical frames."""
    lines = [
        "# Bundled data snapshot",
        "",
        "Generated by `scripts/build_snapshot.py` from the shared NHS/ONS files; do not edit by hand",
        "(`read_snapshot` checks every file's sha256 against `MANIFEST.json`). Load it with",
        "`gpworkforce.ingest.read_snapshot()`, which returns the same `IngestResult`s the readers give.",
        "",
        "Layouts (see `MANIFEST.json`):",
        "",
        "* **long**: the canonical columns of docs/architecture.md.",
        "* **wide**: one column per value of a key, blank = combination absent from the source (0 is a real 0):",
        "  `patients` has one column per `sex|age_band`; `appointments` one per status;",
        "  `subicb_appointments` one per month.",
        "* **select_period**: several periods in one file, told apart by a leading `period` column",
        "  (`workforce_history.csv.gz`: HEEC FY2016-FY2022, GP and admin only).",
        "",
        "| File | Kind | Period | Rows | Layout |",
        "|---|---|---|---|---|",
    ]
    for e in entries:
        layout = "select_period" if e["select_period"] else e["layout"]
        lines.append(f"| `{e['file']}` | {e['kind']} | {e['period'] or ''} | {e['rows']:,} | {layout} |")
    lines += ["", "Licences and sources: `ATTRIBUTION.md`."]
    return "\n".join(lines) + "\n"


def attribution_text(entries: Iterable[dict[str, Any]]) -> str:
    """ATTRIBUTION.md: the licence lines the data README requires, per source file."""
    lines = [
        "# Attribution",
        "",
        "The files in this folder are canonical extracts of public data, made by `scripts/build_snapshot.py`.",
        "",
        "> Contains public sector information licensed under the Open Government Licence v3.0.",
        "> Source: NHS England (NHS Digital); OHID Fingertips for the IMD file.",
        "",
        "> Contains public sector information licensed under the Open Government Licence v3.0 "
        "(Office for National Statistics)",
        "",
        "Open Government Licence v3.0: https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "",
        "**Third-party derived data.** The `workforce_*` files come from tables published by the Health Equity",
        "Evidence Centre (HEEC, https://github.com/HealthEquityEvidenceCentre/HEEC): financial-year means of NHS",
        "England GP Workforce monthly practice CSVs. They are not an NHS publication; that repository has no",
        "licence file; the underlying NHS data are OGL v3.0.",
        "",
        "| Snapshot file | Kind | Period | Source file | Publisher | Licence |",
        "|---|---|---|---|---|---|",
    ]
    for e in entries:
        lines.append(
            f"| `{e['file']}` | {e['kind']} | {e['period'] or ''} | `{e['source']['file']}` | "
            f"{e['source']['publisher']} | {e['licence']} |"
        )
    return "\n".join(lines) + "\n"


#: Shared-data file names (see the shared data README) -> how to read them.
SHARED_FILES: dict[str, str] = {
    "patients": "gp-reg-pat-prac-quin-age_2026-07.csv.gz",
    "mapping": "gp-reg-pat-prac-map_2026-07.csv.gz",
    "gpad_mapping": "gpad-practice-mapping_2025-10.csv",
    "appointments": "gpad-practice-level-crosstab_2025-10_london-east-south.csv.gz",
    "subicb_appointments": "gpad-subicb-monthly_2023-06_to_2025-11.csv.gz",
    "heec_recent": "heec-gpw-workforce-year_fy2023-fy2025_DERIVED.csv.gz",
    "heec_history": "heec-gpw-workforce-year_fy2016-fy2024_DERIVED.csv.gz",
    "pcn_workforce": "pcn-wf-individual_2026-06.csv.gz",
    "imd": "fingertips-imd-2025-gp-practice.csv",
    "qof": "qof-prevalence_2024-25.csv.gz",
    "population_projection": "ons-npp-2022based-england-pop-5yr-age-sex_2022-2122.csv.gz",
}

#: Reader for each entry of :data:`SHARED_FILES` (HEEC tables give a dict of years).
SHARED_READERS: dict[str, Callable[[Path], Any]] = {
    "patients": read_patients,
    "mapping": read_mapping,
    "gpad_mapping": read_mapping,
    "appointments": read_practice_crosstab,
    "subicb_appointments": read_subicb_appointments,
    "heec_recent": read_heec_workforce_all_years,
    "heec_history": read_heec_workforce_all_years,
    "pcn_workforce": read_pcn_workforce,
    "imd": read_imd,
    "qof": read_qof,
    "population_projection": read_population_projection,
}

#: Years taken from the older, longer HEEC table; later years come from the newer table.
HEEC_HISTORY_YEARS = range(2016, 2023)


def plan_snapshot(data_dir: Path, read: Callable[[str, Path], Any] | None = None) -> list[Planned]:
    """Run the readers over the shared data folder and decide which file each result goes to.

    ``read(name, path)`` may be given to reuse already-read results (tests do).
    """
    missing = [name for name in SHARED_FILES.values() if not (data_dir / name).exists()]
    if missing:
        raise FileNotFoundError(f"not in {data_dir}: {', '.join(missing)}")

    def run(name: str) -> Any:
        path = data_dir / SHARED_FILES[name]
        return read(name, path) if read is not None else SHARED_READERS[name](path)

    def path(name: str) -> Path:
        return data_dir / SHARED_FILES[name]

    src = SOURCES_BY_ID
    plan = [
        Planned("patients.csv.gz", run("patients"), src["gp-reg-pat-prac-quin-age"], path("patients")),
        Planned("mapping.csv.gz", run("mapping"), src["gp-reg-pat-prac-map"], path("mapping")),
    ]
    gpad = run("gpad_mapping")
    plan.append(Planned(f"mapping_gpad_{gpad.period}.csv.gz", gpad, src["gpad-mapping"], path("gpad_mapping")))
    plan.append(
        Planned("appointments.csv.gz", run("appointments"), src["gpad-practice-crosstab"], path("appointments"))
    )
    plan.append(
        Planned(
            "subicb_appointments.csv.gz",
            run("subicb_appointments"),
            src["gpad-regional-csv"],
            path("subicb_appointments"),
        )
    )
    recent: dict[int, IngestResult] = run("heec_recent")
    for year, result in sorted(recent.items()):
        plan.append(Planned(f"workforce_FY{year}.csv.gz", result, src["heec-workforce-year"], path("heec_recent")))
    history: dict[int, IngestResult] = run("heec_history")
    for year in HEEC_HISTORY_YEARS:
        if year in history and year not in recent:
            plan.append(
                Planned(
                    "workforce_history.csv.gz",
                    history[year],
                    src["heec-workforce-year"],
                    path("heec_history"),
                    shared_file=True,
                )
            )
    plan.append(Planned("pcn_workforce.csv.gz", run("pcn_workforce"), src["pcn-wf-individual"], path("pcn_workforce")))
    plan.append(Planned("imd.csv.gz", run("imd"), src["fingertips-imd-gp"], path("imd")))
    plan.append(Planned("qof.csv.gz", run("qof"), src["qof-prevalence"], path("qof")))
    plan.append(
        Planned(
            "population_projection.csv.gz",
            run("population_projection"),
            src["ons-npp-england"],
            path("population_projection"),
        )
    )
    return plan


def build_snapshot(data_dir: Path, out_dir: Path = DEFAULT_DIR) -> dict[str, Any]:
    """Read every shared file and (re)write the snapshot folder; stale ``*.csv.gz`` are removed."""
    plan = plan_snapshot(data_dir)
    keep = {p.file for p in plan}
    if out_dir.exists():
        for old in out_dir.glob("*.csv.gz"):
            if old.name not in keep:
                old.unlink()
    return write_snapshot(plan, out_dir)


# --- reading ------------------------------------------------------------------------------


def read_snapshot(directory: Path | str | None = None, kinds: Iterable[str] | None = None) -> list[IngestResult]:
    """Load the snapshot (default: the one bundled with the package) as reader results.

    Each file's sha256 is checked against the manifest, so a corrupted or hand-edited
    snapshot fails loudly instead of loading wrong numbers.
    """
    folder = Path(directory) if directory is not None else DEFAULT_DIR
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise IngestError(MANIFEST, f"no snapshot manifest in {folder}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise IngestError(MANIFEST, f"snapshot format {manifest.get('format')} is not {FORMAT_VERSION}")
    wanted = set(kinds) if kinds is not None else None
    cache: dict[str, pd.DataFrame] = {}
    results: list[IngestResult] = []
    for entry in manifest["datasets"]:
        kind = entry["kind"]
        if wanted is not None and kind not in wanted:
            continue
        file = entry["file"]
        if file not in cache:
            path = folder / file
            if not path.exists():
                raise IngestError(file, f"listed in {MANIFEST} but missing from {folder}")
            if sha256_of(path) != entry["sha256"]:
                raise IngestError(file, f"sha256 differs from {MANIFEST}: the snapshot file was changed")
            cache[file] = _read_stored(path, kind, entry["layout"])
        raw = cache[file]
        if entry["select_period"]:
            raw = raw[raw["period"] == (entry["period"] or "")]
        elif entry["layout"] == "wide":
            raw = _from_wide(raw, kind)
        frame = canonical_order(_typed(raw, kind), kind)
        if len(frame) != entry["rows"]:
            raise IngestError(
                file, f"{len(frame):,} rows for {kind} {entry['period']}, manifest says {entry['rows']:,}"
            )
        results.append(
            IngestResult(
                kind,
                frame,
                entry["period"],
                entry["source"]["file"],
                int(entry["source"]["rows_read"]),
                tuple(entry["notes"]),
            )
        )
    return results


def frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Exact equality of two canonical frames (values, dtypes, order); NaN equals NaN."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    for column in a.columns:
        x, y = a[column], b[column]
        if x.dtype != y.dtype:
            return False
        if x.dtype.kind == "f":
            if not np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=True):
                return False
        elif not np.array_equal(x.to_numpy(dtype=object), y.to_numpy(dtype=object)):
            return False
    return True
