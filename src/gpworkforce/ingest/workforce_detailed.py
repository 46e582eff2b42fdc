"""Roles and age bands of NHS England's "Practice Level - Detailed" GP workforce CSV.

:mod:`~gpworkforce.ingest.workforce` reads the file once; this module says which published
columns planners need and turns them into two canonical frames:

* ``workforce_roles`` (practice_code, staff_group, role, fte, headcount): GP partners,
  salaried GPs, retainers, registrars, locums by reason, nurses by role (ANP, practice nurse
  ...), direct patient care by role (HCA, pharmacist, paramedic, nursing associate ...) and
  admin roles, FTE beside headcount.
* ``workforce_age`` (practice_code, staff_group, age_band, headcount, fte): age bands of all
  GPs, qualified permanent GPs, nurses, DPC and admin staff.

A role may come from several published columns (the 2019 layout's ``REG_ST1_4`` is the 2023+
layout's ``TRN_GR_ST1`` ... ``ST4``); they are summed where at least one is valid. NHS ``NA``/
``ND`` (no valid records) stay missing, never zero; a role with neither FTE nor headcount is
left out for that practice.
"""

from __future__ import annotations

import pandas as pd

from gpworkforce.frames import DETAILED_STAFF_GROUPS, GP_AGE_BANDS, WORKFORCE_AGE_BANDS
from gpworkforce.ingest.cells import as_text, ordered
from gpworkforce.ingest.result import IngestResult

ROLES_KIND = "workforce_roles"
AGE_KIND = "workforce_age"

#: (role, staff group, published stems). The published column is ``<prefix>_<stem>_FTE``/``_HC``
#: with prefix ``TOTAL_GP``, ``TOTAL_N`` (nurse roles), ``TOTAL_DPC`` or ``TOTAL_ADMIN``; an empty
#: stem is the group total (``TOTAL_GP_FTE``, ``TOTAL_NURSES_FTE`` ...).
ROLE_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("gp_all", "gp", ("TOTAL_GP",)),
    ("gp_qualified_permanent", "gp", ("TOTAL_GP_EXTGL", "TOTAL_GP_EXRL")),
    ("gp_excluding_training", "gp", ("TOTAL_GP_EXTG", "TOTAL_GP_EXR")),
    ("gp_excluding_locums", "gp", ("TOTAL_GP_EXL",)),
    ("gp_senior_partner", "gp", ("TOTAL_GP_SEN_PTNR",)),
    ("gp_partner", "gp", ("TOTAL_GP_PTNR_PROV",)),
    ("gp_salaried", "gp", ("TOTAL_GP_SAL_BY_PRAC",)),
    ("gp_salaried_by_other", "gp", ("TOTAL_GP_SAL_BY_OTH",)),
    ("gp_retainer", "gp", ("TOTAL_GP_RET",)),
    (
        "gp_registrar",
        "gp",
        (
            "TOTAL_GP_TRN_GR_ST1",
            "TOTAL_GP_TRN_GR_ST2",
            "TOTAL_GP_TRN_GR_ST3",
            "TOTAL_GP_TRN_GR_ST4",
            "TOTAL_GP_REG_ST1_4",
        ),
    ),
    ("gp_foundation_doctor", "gp", ("TOTAL_GP_TRN_GR_F1_2", "TOTAL_GP_REG_F1_2")),
    ("gp_trainee_other", "gp", ("TOTAL_GP_TRN_GR_OTH",)),
    ("gp_locum_vacancy", "gp", ("TOTAL_GP_LOCUM_VAC",)),
    ("gp_locum_absence", "gp", ("TOTAL_GP_LOCUM_ABS",)),
    ("gp_locum_other", "gp", ("TOTAL_GP_LOCUM_OTH",)),
    ("nurse_all", "nurse", ("TOTAL_NURSES",)),
    ("practice_nurse", "nurse", ("TOTAL_N_PRAC_NURSE",)),
    ("advanced_nurse_practitioner", "nurse", ("TOTAL_N_ADV_NURSE_PRAC",)),
    ("enhanced_practice_nurse", "nurse", ("TOTAL_N_ENH_PRAC_NURSE",)),
    ("nurse_specialist", "nurse", ("TOTAL_N_NURSE_SPEC",)),
    ("extended_role_nurse", "nurse", ("TOTAL_N_EXT_ROLE_NURSE",)),
    ("trainee_nurse", "nurse", ("TOTAL_N_TRAINEE_NURSE",)),
    ("nurse_dispenser", "nurse", ("TOTAL_N_NURSE_DISP",)),
    ("nurse_partner", "nurse", ("TOTAL_N_NURSE_PTNR",)),
    ("nurse_other", "nurse", ("TOTAL_N_NURSE_OTH",)),
    ("dpc_all", "dpc", ("TOTAL_DPC",)),
    ("hca", "dpc", ("TOTAL_DPC_HCA",)),
    ("pharmacist", "dpc", ("TOTAL_DPC_PHARMA",)),
    ("advanced_pharmacist", "dpc", ("TOTAL_DPC_ADV_PHARMA_PRAC",)),
    ("pharmacy_technician", "dpc", ("TOTAL_DPC_PHARMT",)),
    ("trainee_pharmacy_technician", "dpc", ("TOTAL_DPC_TRAINEE_PHARMT",)),
    ("physiotherapist", "dpc", ("TOTAL_DPC_PHYSIO",)),
    ("advanced_physiotherapist", "dpc", ("TOTAL_DPC_ADV_PHYSIO_PRAC",)),
    ("paramedic", "dpc", ("TOTAL_DPC_PARAMED",)),
    ("advanced_paramedic", "dpc", ("TOTAL_DPC_ADV_PARAMED_PRAC",)),
    ("physician_associate", "dpc", ("TOTAL_DPC_PHYSICIAN_ASSOC",)),
    ("nursing_associate", "dpc", ("TOTAL_DPC_NURSE_ASSOC",)),
    ("trainee_nursing_associate", "dpc", ("TOTAL_DPC_TRAINEE_NURSE_ASSOC",)),
    ("dispenser", "dpc", ("TOTAL_DPC_DISPENSER",)),
    ("phlebotomist", "dpc", ("TOTAL_DPC_PHLEB",)),
    ("gp_assistant", "dpc", ("TOTAL_DPC_GPA",)),
    ("health_and_wellbeing_worker", "dpc", ("TOTAL_DPC_HLTH_SPRT_WRK",)),
    ("social_prescribing_link_worker", "dpc", ("TOTAL_DPC_SPLW",)),
    ("podiatrist", "dpc", ("TOTAL_DPC_PODIA",)),
    ("advanced_podiatrist", "dpc", ("TOTAL_DPC_ADV_PODIA_PRAC",)),
    ("dietitian", "dpc", ("TOTAL_DPC_DIETICIAN",)),
    ("advanced_dietitian", "dpc", ("TOTAL_DPC_ADV_DIETICIAN_PRAC",)),
    ("occupational_therapist", "dpc", ("TOTAL_DPC_THERA_OCC",)),
    ("advanced_occupational_therapist", "dpc", ("TOTAL_DPC_ADV_THERA_OCC_PRAC",)),
    ("osteopath", "dpc", ("TOTAL_DPC_OST",)),
    ("counsellor", "dpc", ("TOTAL_DPC_THERA_COU",)),
    ("talking_therapist", "dpc", ("TOTAL_DPC_NHS_TALKING_THERA", "TOTAL_DPC_HI_THERA")),
    ("trainee_talking_therapist", "dpc", ("TOTAL_DPC_TRAINEE_NHS_TALKING_THERA", "TOTAL_DPC_TRAINEE_HI_THERA")),
    ("psychological_wellbeing_practitioner", "dpc", ("TOTAL_DPC_PSYCH_WELLB_PRAC",)),
    ("trainee_psychological_wellbeing_practitioner", "dpc", ("TOTAL_DPC_TRAINEE_PSYCH_WELLB_PRAC",)),
    ("therapist_other", "dpc", ("TOTAL_DPC_THERA_OTH",)),
    (
        "dpc_apprentice",
        "dpc",
        (
            "TOTAL_DPC_APP_HCA",
            "TOTAL_DPC_APP_PHLEB",
            "TOTAL_DPC_APP_PHARMA",
            "TOTAL_DPC_APP_PHYSIO",
            "TOTAL_DPC_APP_PHYSICIAN_ASSOC",
            "TOTAL_DPC_APP_OTH",
            "TOTAL_DPC_APPRENTICE",
        ),
    ),
    ("dpc_other", "dpc", ("TOTAL_DPC_OTH",)),
    ("admin_all", "admin", ("TOTAL_ADMIN",)),
    ("practice_manager", "admin", ("TOTAL_ADMIN_MANAGER", "TOTAL_ADMIN_MANAGE_PTNR")),
    ("medical_secretary", "admin", ("TOTAL_ADMIN_MED_SECRETARY",)),
    ("receptionist", "admin", ("TOTAL_ADMIN_RECEPT", "TOTAL_ADMIN_TELEPH")),
    ("digital_transformation_lead", "admin", ("TOTAL_ADMIN_DT_LEAD",)),
    ("admin_other", "admin", ("TOTAL_ADMIN_ESTATES_ANC", "TOTAL_ADMIN_OTH", "TOTAL_ADMIN_APP")),
)
#: Role codes in output order.
DETAILED_ROLES: tuple[str, ...] = tuple(r for r, _, _ in ROLE_COLUMNS)

#: Suffixes of the published GP age-band columns, in the order of ``frames.GP_AGE_BANDS``.
GP_AGE_SUFFIXES = (
    "UNDER30",
    "30TO34",
    "35TO39",
    "40TO44",
    "45TO49",
    "50TO54",
    "55TO59",
    "60TO64",
    "65TO69",
    "70PLUS",
    "UNKNOWN_AGE",
)
_OTHER_SUFFIXES = ("UNDER25", "25TO29", *GP_AGE_SUFFIXES[1:])
_OTHER_BANDS = ("under_25", "25_29", *GP_AGE_BANDS[1:])
#: Staff group -> (published prefix of its age columns, (suffix, age band) pairs).
AGE_PREFIXES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "gp": ("TOTAL_GP", tuple(zip(GP_AGE_SUFFIXES, GP_AGE_BANDS, strict=True))),
    "gp_qualified": ("TOTAL_GP_EXTGL", tuple(zip(GP_AGE_SUFFIXES, GP_AGE_BANDS, strict=True))),
    "nurse": ("TOTAL_NURSES", tuple(zip(_OTHER_SUFFIXES, _OTHER_BANDS, strict=True))),
    "dpc": ("TOTAL_DPC", tuple(zip(_OTHER_SUFFIXES, _OTHER_BANDS, strict=True))),
    "admin": ("TOTAL_ADMIN", tuple(zip(_OTHER_SUFFIXES, _OTHER_BANDS, strict=True))),
}
#: The 2019 layout names qualified permanent GPs' age columns ``EXRL``.
_AGE_ALIASES = {"TOTAL_GP_EXTGL": ("TOTAL_GP_EXTGL", "TOTAL_GP_EXRL")}

#: The GP age bands every detailed file must have (a file without them is refused).
GP_AGE_COLUMNS: tuple[str, ...] = tuple(f"TOTAL_GP_HC_{s}" for s in GP_AGE_SUFFIXES)


def role_columns() -> list[str]:
    """Every published role column this module reads (FTE and HC), whichever layout has it."""
    return [f"{stem}_{m}" for _, _, stems in ROLE_COLUMNS for stem in stems for m in ("FTE", "HC")]


def age_columns() -> list[tuple[str, str, str, str]]:
    """(published column, staff group, age band, measure) of every age column read."""
    out = []
    for group, (prefix, bands) in AGE_PREFIXES.items():
        for alias in _AGE_ALIASES.get(prefix, (prefix,)):
            for suffix, band in bands:
                for measure, short in (("headcount", "HC"), ("fte", "FTE")):
                    out.append((f"{alias}_{short}_{suffix}", group, band, measure))
    return out


def _sum_valid(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Row sum over the columns present; missing only where every one is missing."""
    present = [c for c in dict.fromkeys(columns) if c in frame]  # two layouts' names may share a column
    if not present:
        return pd.Series(float("nan"), index=frame.index)
    return frame[present].sum(axis=1, min_count=1)


def roles_frame(wide: pd.DataFrame, canonical: dict[str, str]) -> pd.DataFrame:
    """``workforce_roles`` rows from the parsed wide frame (columns named by ``canonical``)."""
    parts = []
    for role, group, stems in ROLE_COLUMNS:
        fte = _sum_valid(wide, [canonical.get(f"{s}_FTE", f"{s}_FTE") for s in stems])
        hc = _sum_valid(wide, [canonical.get(f"{s}_HC", f"{s}_HC") for s in stems])
        part = pd.DataFrame(
            {"practice_code": wide["practice_code"], "staff_group": group, "role": role, "fte": fte, "headcount": hc}
        )
        parts.append(part[part["fte"].notna() | part["headcount"].notna()])
    long = pd.concat(parts, ignore_index=True)
    long["role"] = ordered(long["role"], DETAILED_ROLES)
    long = long.sort_values(["practice_code", "role"], kind="stable")
    return pd.DataFrame(
        {
            "practice_code": as_text(long["practice_code"]),
            "staff_group": as_text(long["staff_group"]),
            "role": as_text(long["role"]),
            "fte": long["fte"].astype("float64").to_numpy(),
            "headcount": long["headcount"].astype("float64").to_numpy(),
        }
    )


def age_frame(wide: pd.DataFrame, canonical: dict[str, str]) -> pd.DataFrame:
    """``workforce_age`` rows: headcount and FTE by staff group and age band (published ones)."""
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for published, group, band, measure in age_columns():
        column = canonical.get(published, published)
        if column in wide:
            cells.setdefault((group, band), {})[measure] = column
    parts = []
    for (group, band), measures in cells.items():
        nan = pd.Series(float("nan"), index=wide.index)
        part = pd.DataFrame(
            {
                "practice_code": wide["practice_code"],
                "staff_group": group,
                "age_band": band,
                "headcount": wide[measures["headcount"]] if "headcount" in measures else nan,
                "fte": wide[measures["fte"]] if "fte" in measures else nan,
            }
        )
        parts.append(part[part["headcount"].notna() | part["fte"].notna()])
    if not parts:
        long = pd.DataFrame(columns=["practice_code", "staff_group", "age_band", "headcount", "fte"])
    else:
        long = pd.concat(parts, ignore_index=True)
    long["staff_group"] = ordered(long["staff_group"], DETAILED_STAFF_GROUPS)
    long["age_band"] = ordered(long["age_band"], WORKFORCE_AGE_BANDS)
    long = long.sort_values(["practice_code", "staff_group", "age_band"], kind="stable")
    return pd.DataFrame(
        {
            "practice_code": as_text(long["practice_code"]),
            "staff_group": as_text(long["staff_group"]),
            "age_band": as_text(long["age_band"]),
            "headcount": long["headcount"].astype("float64").to_numpy(),
            "fte": long["fte"].astype("float64").to_numpy(),
        }
    )


def detailed_results(
    frame: pd.DataFrame, canonical: dict[str, str], period: str | None, file: str, rows_read: int, layout: str
) -> tuple[IngestResult, IngestResult]:
    """``workforce_roles`` and ``workforce_age`` of the parsed file, with notes on what was kept."""
    roles = roles_frame(frame, canonical)
    ages = age_frame(frame, canonical)
    source = f"NHS England GP Workforce practice-level detailed CSV, {layout} layout"
    kept = ", ".join(dict.fromkeys(roles["role"])) or "none"
    role_notes = (
        source,
        f"{roles['practice_code'].nunique():,} practices; roles kept: {kept}",
        "NA/ND (no valid records) stay missing, never zero; roles from several published columns are summed "
        "over the valid ones",
    )
    groups = ", ".join(dict.fromkeys(ages["staff_group"])) or "none"
    age_notes = (source, f"{ages['practice_code'].nunique():,} practices; age bands of: {groups}")
    return (
        IngestResult(ROLES_KIND, roles, period, file, rows_read, role_notes),
        IngestResult(AGE_KIND, ages, period, file, rows_read, age_notes),
    )
