"""Benchmarks: FTE per 1,000 patients and patients per FTE by staff group against the PCN's
other practices, the ICB and England, and a practice's percentile among its ICB's practices."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.model import benchmarks
from gpworkforce.nomenclature import STAFF_GROUP_LABELS, STAFF_GROUPS, display_name
from gpworkforce.services.national import staff_group_of
from gpworkforce.services.organisations import resolve
from gpworkforce.services.results import BenchmarkReport, BenchmarkSummary
from gpworkforce.services.scenario_run import fte_notes, org_info
from gpworkforce.services.versions import DataVersion

Array = NDArray[np.float64]


def staff_group_fte(fte: Array) -> Array:
    """FTE [..., r] summed into staff groups [..., g] (order of STAFF_GROUPS)."""
    return benchmarks.staff_group_fte(fte, staff_group_of(), len(STAFF_GROUPS))


def ratios(fte: Array, patients: float) -> tuple[Array, Array]:
    """(FTE per 1,000 patients, patients per FTE) for FTE by staff group [g]."""
    return benchmarks.fte_per_1000(fte, patients), benchmarks.patients_per_fte(fte, patients)


def benchmark_report(version: DataVersion, org_code: str) -> BenchmarkReport:
    """FTE per 1,000 patients and patients per FTE by staff group against England, ICB and peers."""
    nd = version.data
    org = resolve(version, org_code)
    list_size = nd.practices["patients"].to_numpy()
    fte_g = staff_group_fte(nd.fte)
    comparators: list[tuple[str, str, NDArray[np.bool_]]] = [(org.label, "organisation", org.mask)]
    if org.level == "practice":
        pcn = org.parent_code(nd, "pcn")
        if pcn:
            peers = (nd.practices["pcn_code"] == pcn).to_numpy() & ~org.mask
            if peers.any():
                pcn_name = display_name(nd.practices["pcn_name"].to_numpy()[peers][0])
                comparators.append((f"Other practices in {pcn_name}", "pcn_peers", peers))
    if org.level in ("practice", "pcn", "sub_icb", "group"):
        icb = org.parent_code(nd, "icb")
        if icb:
            in_icb = (nd.practices["icb_code"] == icb).to_numpy()
            comparators.append((display_name(nd.practices["icb_name"].to_numpy()[in_icb][0]), "icb", in_icb))
    if org.level != "england":
        comparators.append(("England", "england", np.ones(len(list_size), dtype=bool)))
    rows = []
    for gi, group in enumerate(STAFF_GROUPS):
        row: dict[str, Any] = {"staff_group": group, "label": STAFF_GROUP_LABELS[group]}
        for _, key, mask in comparators:
            pats = float(list_size[mask].sum())
            f = float(fte_g[mask, gi].sum())
            per_1000, per_fte = ratios(np.array([f]), pats)
            row[f"{key}_fte"] = f
            row[f"{key}_fte_per_1000"] = float(per_1000[0])
            row[f"{key}_patients_per_fte"] = float(per_fte[0])
        rows.append(row)
    table = pd.DataFrame(rows)
    # where this organisation sits among the practices of its ICB (or England), per 1,000 patients
    if org.level == "practice":
        icb = org.parent_code(nd, "icb")
        pool = (nd.practices["icb_code"] == icb).to_numpy() if icb else np.ones(len(list_size), dtype=bool)
        per_1000 = benchmarks.fte_per_1000(fte_g[pool], list_size[pool, None])
        mine = benchmarks.fte_per_1000(fte_g[org.mask][0], list_size[org.mask][0])
        table["percentile_in_icb"] = benchmarks.percentile_in_pool(per_1000, mine)
    summary = BenchmarkSummary(
        comparators=[label for label, _, _ in comparators], patients=float(list_size[org.mask].sum())
    )
    notes = [
        *fte_notes(version, org),
        "FTE include PCN-employed staff shared by list size; GPs include locums and GPs in training",
    ]
    return BenchmarkReport.build(
        {"staff_groups": table},
        title=f"Benchmarks: {org.label}",
        organisation=org_info(version, org),
        summary=summary,
        notes=notes,
    )
