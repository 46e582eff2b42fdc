"""Hand-made canonical frames (docs/architecture.md) for the store tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

NaN = np.nan


def _frame(data: dict[str, list[Any]], ints: tuple[str, ...] = (), floats: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame with canonical dtypes: int64 / float64 where named, pandas' default string dtype elsewhere."""
    frame = pd.DataFrame(data)
    for column in frame.columns:
        if column in ints:
            frame[column] = frame[column].astype("int64")
        elif column in floats:
            frame[column] = frame[column].astype("float64")
        else:
            frame[column] = frame[column].astype("str")
    return frame


def sample_frames() -> dict[str, pd.DataFrame]:
    """One small frame per kind; strings include quotes, tabs, backslashes and non-ASCII to test COPY."""
    return {
        "patients": _frame(
            {
                "practice_code": ["A81001", "A81001", "A81002", "Y12345"],
                "sex": ["female", "male", "female", "male"],
                "age_band": ["0_4", "95+", "45_49", "70_74"],
                "patients": [120, 3, 0, 2_000_000_000],
            },
            ints=("patients",),
        ),
        "mapping": _frame(
            {
                "practice_code": ["A81001", "A81002"],
                "practice_name": ["The Densham Surgery", 'Queen\'s Park "Medical"\tCentre \\ Café'],
                "postcode": ["TS18 1HU", NaN],
                "pcn_code": ["U00070", "U"],
                "pcn_name": ["Stockton PCN", "Unallocated"],
                "sub_icb_code": ["16C", "16C"],
                "sub_icb_ons_code": ["E38000247", ""],
                "sub_icb_name": ["NHS North East and North Cumbria ICB - 16C"] * 2,
                "icb_code": ["QHM", "QHM"],
                "icb_ons_code": ["E54000050", ""],
                "icb_name": ["NHS North East and North Cumbria ICB"] * 2,
                "region_code": ["Y63", "Y63"],
                "region_ons_code": ["E40000012", NaN],
                "region_name": ["North East and Yorkshire", "North East and Yorkshire"],
            }
        ),
        "appointments": _frame(
            {
                "practice_code": ["A81001", "A81001", "A81002"],
                "hcp_type": ["gp", "other", "unknown"],
                "mode": ["face_to_face", "telephone", "video_online"],
                "category": ["acute", "inconsistent_mapping", "unmapped"],
                "interval": ["same_day", "2_7_days", "unknown"],
                "status": ["attended", "dna", "unknown"],
                "appointments": [512, 17, 1],
            },
            ints=("appointments",),
        ),
        "subicb_appointments": _frame(
            {
                "month": ["2023-06", "2025-11"],
                "sub_icb_code": ["16C", "00L"],
                "hcp_type": ["gp", "other"],
                "mode": ["home_visit", "unknown"],
                "interval": ["over_28_days", "1_day"],
                "status": ["attended", "dna"],
                "appointments": [1_234_567, 0],
            },
            ints=("appointments",),
        ),
        "workforce": _frame(
            {
                "practice_code": ["A81001", "A81001", "A81002"],
                "staff": ["gp", "nurse", "admin"],
                "fte": [3.2533, 1.0, 0.0],
                "headcount": [4.0, NaN, 0.0],
            },
            floats=("fte", "headcount"),
        ),
        "gp_age": _frame(
            {
                "practice_code": ["A81001", "A81001", "A81002"],
                "age_band": ["under_30", "70_plus", "unknown"],
                "headcount": [1.0, 2.0, 0.5],
            },
            floats=("headcount",),
        ),
        "workforce_roles": _frame(
            {
                "practice_code": ["A81001", "A81001", "A81002"],
                "staff_group": ["gp", "dpc", "nurse"],
                "role": ["gp_partner", "pharmacist", "advanced_nurse_practitioner"],
                "fte": [2.5, NaN, 0.0],
                "headcount": [3.0, 1.0, NaN],
            },
            floats=("fte", "headcount"),
        ),
        "workforce_age": _frame(
            {
                "practice_code": ["A81001", "A81001", "A81002"],
                "staff_group": ["gp", "nurse", "nurse"],
                "age_band": ["55_59", "under_25", "unknown"],
                "headcount": [2.0, NaN, 1.0],
                "fte": [1.5, 0.4, NaN],
            },
            floats=("headcount", "fte"),
        ),
        "pcn_workforce": _frame(
            {
                "pcn_code": ["U00070", "U00070"],
                "staff_role": ["Applied Psychologists – Clinical", "Pharmacists"],
                "role": ["mental_health", "pharmacist"],
                "fte": [0.6, 2.4],
                "headcount": [1, 3],
            },
            ints=("headcount",),
            floats=("fte",),
        ),
        "imd": _frame({"practice_code": ["A81001", "A81002"], "imd_score": [31.234, 1e-9]}, floats=("imd_score",)),
        "qof": _frame(
            {
                "practice_code": ["A81001", "A81001", "A81002"],
                "group_code": ["DM", "HYP", "DEM"],
                "register": [712.0, NaN, 0.0],
                "list_size": [9_800.0, 9_800.0, NaN],
                "list_type": ["17+", NaN, "All ages"],
            },
            floats=("register", "list_size"),
        ),
        "population_projection": _frame(
            {
                "year": [2022, 2022, 2047],
                "sex": ["female", "male", "female"],
                "age_band": ["0_4", "95+", "45_49"],
                "population": [1_560_000.5, 21_000.0, 0.0],
            },
            ints=("year",),
            floats=("population",),
        ),
    }


PERIODS = {
    "patients": "2025-10",
    "mapping": "2025-10",
    "appointments": "2025-11",
    "subicb_appointments": "2023-06..2025-11",
    "workforce": "FY2025",
    "gp_age": "2025-09",
    "workforce_roles": "2025-09",
    "workforce_age": "2025-09",
    "pcn_workforce": "2025-09",
    "imd": "IMD2025",
    "qof": "2024-25",
    "population_projection": "ONS-NPP-2022",
}
