"""Sweeps: many scenarios over every practice of an organisation, on Dask or in this process,
written to one Parquet file (a long table: scenario, practice, role).

Why Dask: a sweep is independent runs, so it spreads over the cores of one machine (a local
cluster, the default) or over a real cluster (``scheduler=ADDRESS``) with nothing else changed.
Each task is one scenario over the organisation's practices (England: 6,139 practices in one
vectorised run). Workers never receive the national arrays: each loads the data version once
from the database URL (its own disk cache helps) and keeps it for every later task, and every
task checks the version's fingerprint and reference digest against the client's, so a sweep
never mixes data. The rows are built by the same function on both paths, so the Dask result is
identical to the single-process one (``scheduler="synchronous"``; tests compare the files).

Dask is imported only here and only when a sweep runs, so ``serve`` starts fast (pyarrow too,
though pandas 3 loads it itself once it is installed, for its string columns).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from gpworkforce.model.capacity import capacity_to_demand
from gpworkforce.nomenclature import ROLES
from gpworkforce.scenario import Scenario
from gpworkforce.services.calibrate import CLINICAL
from gpworkforce.services.organisations import resolve
from gpworkforce.services.scenario_run import common_notes, fte_notes, run_scenario, standard_notes
from gpworkforce.services.sweep_spec import PER_ROLE, SweepInputError
from gpworkforce.services.versions import DataVersion, Workspace, open_workspace

if TYPE_CHECKING:
    import pyarrow as pa

#: The pseudo-role of work no role on a practice's team can take, so a scenario's gap summed over
#: its rows is the gap report's total gap.
UNASSIGNED: Final = "unassigned"
#: The scheduler that runs every scenario in this process, without Dask.
SYNCHRONOUS: Final = "synchronous"
#: The default: a Dask cluster of worker processes on this machine.
LOCAL: Final = "local"
_CLINICAL_ROLES: Final = [r for r, c in zip(ROLES, CLINICAL, strict=True) if c]
_ROLE_CODES: Final = [*(r.code for r in _CLINICAL_ROLES), UNASSIGNED]
_ROLE_LABELS: Final = [*(r.label for r in _CLINICAL_ROLES), "Work no role on the team can take"]


class SweepDataChanged(RuntimeError):
    """A worker found other data (or another reference) than the client's: the sweep stops."""


@dataclass(frozen=True)
class SweepJob:
    """What a task needs to find its data: the database URL, reference files and the version's
    identity (checked, never trusted), and the organisation swept."""

    url: str
    reference_files: tuple[str, ...]
    fingerprint: str
    reference_digest: str
    org_code: str


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep wrote: counts, where, how long, and on which scheduler."""

    scenarios: int
    practices: int
    rows: int
    path: Path
    seconds: float
    scheduler: str


def scenario_table(
    version: DataVersion, org_code: str, scenario: Scenario, scenario_id: int, params: dict[str, Any]
) -> pa.Table:
    """One scenario's rows as an Arrow table: every practice of ``org_code`` x every clinical role
    plus ``unassigned``, with the scenario's parameters (``params``, one value per column of
    :func:`parameter_columns`), FTE, demand, capacity and gap a week, and provenance columns.
    Strings are dictionary-encoded (a practice code is written once per scenario, not per role)."""
    import pyarrow as pa

    org = resolve(version, org_code)
    res, _ = run_scenario(version, org, scenario)
    n_practices, n_roles = len(org.rows), len(_ROLE_CODES)
    n = n_practices * n_roles
    demand = np.column_stack([res.demand_week[:, CLINICAL], res.unassigned_week])
    capacity = np.column_stack([res.capacity_week[:, CLINICAL], np.zeros(n_practices)])
    fte = np.column_stack([res.fte[:, CLINICAL], np.full(n_practices, np.nan)])
    codes = version.data.practices["practice_code"].to_numpy()[org.rows].astype(str)
    practice_index = pa.array(np.repeat(np.arange(n_practices, dtype=np.int32), n_roles))
    role_index = pa.array(np.tile(np.arange(n_roles, dtype=np.int32), n_practices))
    types = {"year": pa.int32(), "capacity_standard": pa.string()}
    types |= {name: pa.bool_() for name in ("local_calibration", "subicb_calibration")}

    def repeated(value: Any, kind: Any) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], type=kind))

    columns: dict[str, Any] = {"scenario_id": np.full(n, scenario_id, dtype=np.int32)}
    for name, value in params.items():
        kind = types.get(name, pa.float64())
        columns[name] = repeated(value, kind) if kind == pa.string() else pa.array([value] * n, type=kind)
    columns["projection_year"] = np.full(n, scenario.year or version.base_year, dtype=np.int32)
    columns["practice_code"] = pa.DictionaryArray.from_arrays(practice_index, pa.array(codes))
    columns["role"] = pa.DictionaryArray.from_arrays(role_index, pa.array(_ROLE_CODES))
    columns["label"] = pa.DictionaryArray.from_arrays(role_index, pa.array(_ROLE_LABELS))
    columns |= {
        "fte": fte.ravel(),
        "demand_per_week": demand.ravel(),
        "capacity_per_week": capacity.ravel(),
        "gap_per_week": (demand - capacity).ravel(),
        "capacity_to_demand": capacity_to_demand(capacity, demand).ravel(),
    }
    columns["fte_source"] = pa.DictionaryArray.from_arrays(practice_index, pa.array(fte_sources(version)[org.rows]))
    columns["data_fingerprint"] = repeated(version.fingerprint, pa.string())
    return pa.table(columns)


def fte_sources(version: DataVersion) -> Any:
    """Where each practice's FTE came from (the practice CSV downloads' ``fte_source``)."""
    return version.memoised("derived", "fte_source_array", lambda: version.data.fte_source_labels().astype(str))


def parameter_columns(scenarios: Sequence[Scenario]) -> dict[str, list[Any]]:
    """Each scenario's levers as columns, one row per scenario: every scalar field, and one column
    per role any scenario sets for ``added_fte`` and ``minutes`` (null where a scenario does not)."""
    out: dict[str, list[Any]] = {}
    for name in Scenario.model_fields:
        if name in PER_ROLE:
            roles = sorted({role for s in scenarios for role in getattr(s, name)})
            for role in roles:
                out[f"{name}.{role}"] = [getattr(s, name).get(role) for s in scenarios]
        else:
            out[name] = [getattr(s, name) for s in scenarios]
    return out


def _params_of(params: dict[str, list[Any]], index: int) -> dict[str, Any]:
    return {name: values[index] for name, values in params.items()}


# --- On a worker: the version loaded once per process, checked on every task ---

_WORKSPACES: dict[tuple[str, tuple[str, ...]], Workspace] = {}


def _worker_version(job: SweepJob) -> DataVersion:
    key = (job.url, job.reference_files)
    if key not in _WORKSPACES:
        _WORKSPACES[key] = open_workspace(job.url, tuple(Path(p) for p in job.reference_files))
    version = _WORKSPACES[key].version()
    if version.fingerprint != job.fingerprint or version.reference.digest != job.reference_digest:
        raise SweepDataChanged(
            "the data or reference parameters a worker found differ from the client's (an import or FTE "
            "correction during the sweep, or a worker on another database): run the sweep again"
        )
    return version


def sweep_task(job: SweepJob, scenario_json: str, scenario_id: int, params: dict[str, Any]) -> pa.Table:
    """One Dask task: a scenario's rows, computed on the worker's own copy of the data."""
    version = _worker_version(job)
    return scenario_table(version, job.org_code, Scenario.model_validate_json(scenario_json), scenario_id, params)


def _dask_results(
    job: SweepJob,
    scenarios: Sequence[Scenario],
    params: dict[str, list[Any]],
    scheduler: str,
    workers: int,
    processes: bool,
) -> Iterator[pa.Table]:
    """Each scenario's rows in order, computed on Dask (a local cluster or ``scheduler``'s)."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler == LOCAL:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = client.map(
            sweep_task,
            [job] * len(scenarios),
            [s.model_dump_json() for s in scenarios],
            range(1, len(scenarios) + 1),
            [_params_of(params, i) for i in range(len(scenarios))],
            pure=False,
        )
        for future in futures:  # in scenario order; later ones run meanwhile
            yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_sweep(
    workspace: Workspace,
    scenarios: Sequence[Scenario],
    out: Path,
    org_code: str = "england",
    scheduler: str = LOCAL,
    workers: int = 2,
    processes: bool = True,
    reference_files: tuple[Path, ...] = (),
) -> SweepSummary:
    """Run every scenario over the practices of ``org_code`` and write one Parquet file to ``out``.

    ``scheduler``: ``synchronous`` (this process, no Dask), ``local`` (a Dask cluster of
    ``workers`` processes here; ``processes=False`` keeps them as threads) or a scheduler address
    (``tcp://host:8786``) whose workers reach the same database URL. The file is written beside
    ``out`` and renamed into place at the end, so a failure leaves nothing behind.
    """
    started = time.perf_counter()
    version = workspace.version()
    org = resolve(version, org_code)  # an unknown organisation fails before any work
    if not out.parent.is_dir():
        raise SweepInputError(f"{out}: its folder does not exist")
    for s in scenarios:  # removing more FTE than there is fails before any work too
        if s.added_fte:
            run_scenario(version, org, s)
    params = parameter_columns(scenarios)
    if scheduler == SYNCHRONOUS:
        results: Iterator[pa.Table] = (
            scenario_table(version, org.code, s, i + 1, _params_of(params, i)) for i, s in enumerate(scenarios)
        )
    else:
        job = SweepJob(
            url=workspace.engine.url.render_as_string(hide_password=False),
            reference_files=tuple(str(Path(p).resolve()) for p in reference_files),
            fingerprint=version.fingerprint,
            reference_digest=version.reference.digest,
            org_code=org.code,
        )
        results = _dask_results(job, scenarios, params, scheduler, workers, processes)
    rows = _write(out, results, _metadata(version, org.code, scenarios))
    return SweepSummary(
        scenarios=len(scenarios),
        practices=int(org.mask.sum()),
        rows=rows,
        path=out,
        seconds=time.perf_counter() - started,
        scheduler=scheduler,
    )


def _metadata(version: DataVersion, org_code: str, scenarios: Sequence[Scenario]) -> dict[str, str]:
    """File-level provenance: the scenarios, the data version and the notes of every report."""
    org = resolve(version, org_code)
    notes = common_notes(version) + fte_notes(version, org)
    standards = {s.capacity_standard: standard_notes(version, org, s) for s in scenarios}
    return {
        "gpworkforce.organisation": org.code,
        "gpworkforce.data_fingerprint": version.fingerprint,
        "gpworkforce.reference_digest": version.reference.digest,
        "gpworkforce.base_year": str(version.base_year),
        "gpworkforce.periods": json.dumps({k: str(v) for k, v in version.data.periods.items()}),
        "gpworkforce.scenarios": json.dumps([s.model_dump(mode="json") for s in scenarios]),
        "gpworkforce.notes": json.dumps(notes + [n for ns in standards.values() for n in ns]),
    }


def _write(out: Path, tables: Iterator[pa.Table], metadata: dict[str, str]) -> int:
    """Write each scenario as a row group of one Parquet file, renamed into place when complete."""
    import pyarrow.parquet as pq

    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # an ordinary file, not mkstemp's 0600
    written = 0
    writer = None
    try:
        for table in tables:
            if writer is None:
                schema = table.schema.with_metadata({**(table.schema.metadata or {}), **metadata})
                writer = pq.ParquetWriter(tmp, schema, compression="zstd")
            writer.write_table(table.cast(writer.schema))
            written += table.num_rows
        if writer is not None:
            writer.close()
            writer = None
        os.replace(tmp, out)
    except BaseException:
        if writer is not None:
            writer.close()
        Path(tmp).unlink(missing_ok=True)
        raise
    return written


def read_sweep(path: Path) -> Any:
    """A sweep file as a pandas DataFrame (for tests, notebooks and the bench)."""
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas()
