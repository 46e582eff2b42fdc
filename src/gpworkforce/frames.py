"""The canonical frames: for each kind, its columns in order, their dtypes and its key.

The readers (``gpworkforce.ingest``) produce these frames, the bundled snapshot stores them
and the store (``gpworkforce.store``) saves and loads them. Ingest and store are independent
layers, so the one schema they share lives here, below both, as plain declarations
(docs/architecture.md, "Ingest contract").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from gpworkforce.nomenclature import (
    AGE_BANDS,
    APPT_MODES,
    APPT_STATUSES,
    BOOKING_INTERVALS,
    HCP_TYPES,
    NEED_CODES,
    SEXES,
)

#: pandas dtype of a canonical column (``str`` is pandas' default string dtype).
Dtype = Literal["str", "int64", "float64"]

#: Codes for GPAD's two "no usable category" values (see nomenclature.UNCATEGORISED_NHS_NAMES).
INCONSISTENT_MAPPING = "inconsistent_mapping"
UNMAPPED = "unmapped"
#: ``category`` of the ``appointments`` frame, in output order.
CATEGORY_CODES: tuple[str, ...] = (*NEED_CODES, INCONSISTENT_MAPPING, UNMAPPED)
#: Staff groups of the ``workforce`` frame, in output order.
WORKFORCE_STAFF: tuple[str, ...] = ("gp", "gp_locum_trainee", "nurse", "dpc", "admin")
#: GP age bands of the ``gp_age`` frame (not the patient bands: GP Workforce starts at "under 30").
GP_AGE_BANDS: tuple[str, ...] = (
    "under_30",
    "30_34",
    "35_39",
    "40_44",
    "45_49",
    "50_54",
    "55_59",
    "60_64",
    "65_69",
    "70_plus",
    "unknown",
)
#: Staff groups of the ``workforce_roles`` and ``workforce_age`` frames (``gp_qualified`` =
#: GPs excluding training grades and locums, the published ``EXTGL``/``EXRL`` group).
DETAILED_STAFF_GROUPS: tuple[str, ...] = ("gp", "gp_qualified", "nurse", "dpc", "admin")
#: Age bands of the ``workforce_age`` frame: GPs are published from "under 30", the other
#: staff groups from "under 25" and "25 to 29"; each group uses the bands it is published in.
WORKFORCE_AGE_BANDS: tuple[str, ...] = ("under_25", "25_29", *GP_AGE_BANDS)


@dataclass(frozen=True)
class Column:
    """One canonical column; ``nullable`` columns may hold missing values (NaN or None)."""

    name: str
    dtype: Dtype
    nullable: bool = False


@dataclass(frozen=True)
class FrameSchema:
    """The columns of one kind, in order, and the columns that identify a row.

    ``order`` is the row order readers give (and the snapshot restores): each key column
    with its code order (coded columns sort in nomenclature order), or None for a plain
    text sort. Kinds without an ``order`` keep the reader's own order.
    """

    kind: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    order: tuple[tuple[str, tuple[str, ...] | None], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def dtypes(self) -> dict[str, Dtype]:
        """Column name -> dtype, in contract order."""
        return {c.name: c.dtype for c in self.columns}


def _text(*names: str, nullable: bool = False) -> tuple[Column, ...]:
    return tuple(Column(n, "str", nullable) for n in names)


MAPPING_COLUMNS: tuple[str, ...] = (
    "practice_code",
    "practice_name",
    "postcode",
    "pcn_code",
    "pcn_name",
    "sub_icb_code",
    "sub_icb_ons_code",
    "sub_icb_name",
    "icb_code",
    "icb_ons_code",
    "icb_name",
    "region_code",
    "region_ons_code",
    "region_name",
)

_SCHEMAS: tuple[FrameSchema, ...] = (
    FrameSchema(
        "patients",
        (*_text("practice_code", "sex", "age_band"), Column("patients", "int64")),
        keys=("practice_code", "sex", "age_band"),
        order=(("practice_code", None), ("sex", SEXES), ("age_band", AGE_BANDS)),
    ),
    FrameSchema(
        "mapping",
        (Column("practice_code", "str"), *_text(*MAPPING_COLUMNS[1:], nullable=True)),
        keys=("practice_code",),
    ),
    FrameSchema(
        "appointments",
        (
            *_text("practice_code", "hcp_type", "mode", "category", "interval", "status"),
            Column("appointments", "int64"),
        ),
        keys=("practice_code", "hcp_type", "mode", "category", "interval", "status"),
        order=(
            ("practice_code", None),
            ("hcp_type", HCP_TYPES),
            ("mode", APPT_MODES),
            ("category", CATEGORY_CODES),
            ("interval", BOOKING_INTERVALS),
            ("status", APPT_STATUSES),
        ),
    ),
    FrameSchema(
        "subicb_appointments",
        (*_text("month", "sub_icb_code", "hcp_type", "mode", "interval", "status"), Column("appointments", "int64")),
        keys=("month", "sub_icb_code", "hcp_type", "mode", "interval", "status"),
        order=(
            ("month", None),
            ("sub_icb_code", None),
            ("hcp_type", HCP_TYPES),
            ("mode", APPT_MODES),
            ("interval", BOOKING_INTERVALS),
            ("status", APPT_STATUSES),
        ),
    ),
    FrameSchema(
        "workforce",
        (*_text("practice_code", "staff"), Column("fte", "float64"), Column("headcount", "float64", nullable=True)),
        keys=("practice_code", "staff"),
        order=(("practice_code", None), ("staff", WORKFORCE_STAFF)),
    ),
    FrameSchema(
        "gp_age",
        (*_text("practice_code", "age_band"), Column("headcount", "float64")),
        keys=("practice_code", "age_band"),
        order=(("practice_code", None), ("age_band", GP_AGE_BANDS)),
    ),
    FrameSchema(
        "workforce_roles",
        (
            *_text("practice_code", "staff_group", "role"),
            Column("fte", "float64", nullable=True),
            Column("headcount", "float64", nullable=True),
        ),
        keys=("practice_code", "role"),
    ),
    FrameSchema(
        "workforce_age",
        (
            *_text("practice_code", "staff_group", "age_band"),
            Column("headcount", "float64", nullable=True),
            Column("fte", "float64", nullable=True),
        ),
        keys=("practice_code", "staff_group", "age_band"),
        order=(("practice_code", None), ("staff_group", DETAILED_STAFF_GROUPS), ("age_band", WORKFORCE_AGE_BANDS)),
    ),
    FrameSchema(
        "pcn_workforce",
        (*_text("pcn_code", "staff_role", "role"), Column("fte", "float64"), Column("headcount", "int64")),
        keys=("pcn_code", "staff_role"),
    ),
    FrameSchema("imd", (Column("practice_code", "str"), Column("imd_score", "float64")), keys=("practice_code",)),
    FrameSchema(
        "qof",
        (
            *_text("practice_code", "group_code"),
            Column("register", "float64", nullable=True),
            Column("list_size", "float64", nullable=True),
            Column("list_type", "str", nullable=True),
        ),
        keys=("practice_code", "group_code"),
    ),
    FrameSchema(
        "population_projection",
        (Column("year", "int64"), *_text("sex", "age_band"), Column("population", "float64")),
        keys=("year", "sex", "age_band"),
    ),
)

#: Canonical frame kind -> its schema, in the contract's order of kinds.
FRAMES: Final[dict[str, FrameSchema]] = {s.kind: s for s in _SCHEMAS}
#: Every canonical frame kind.
KINDS: Final[tuple[str, ...]] = tuple(FRAMES)


def schema_of(kind: str) -> FrameSchema:
    """The schema of ``kind``; an unknown kind is a ValueError listing the known ones."""
    try:
        return FRAMES[kind]
    except KeyError:
        raise ValueError(f"unknown dataset kind {kind!r}; expected one of {sorted(FRAMES)}") from None
