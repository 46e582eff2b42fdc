"""Canonical names, codes and units shared by every layer.

Every array axis in :mod:`gpworkforce.model` is ordered as the tuples below, so a
model input built by the services layer and a reference table read from CSV line up
without lookups on the hot path. Codes are short snake_case strings; labels are what
users read. Units used throughout:

- ``registered_patients`` [patients]
- ``fte`` [full-time equivalents; 1 FTE = 37.5 hours/week]
- ``appointments_per_year`` / ``appointments_per_week`` [booked appointments, incl. DNAs]
- ``minutes`` [minutes per appointment slot]
- ``cost`` [GBP]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# --- Age bands and sex ----------------------------------------------------------------
#: Five-year age bands exactly as NHS England's GP registration file spells them.
AGE_BANDS: Final[tuple[str, ...]] = (
    "0_4",
    "5_9",
    "10_14",
    "15_19",
    "20_24",
    "25_29",
    "30_34",
    "35_39",
    "40_44",
    "45_49",
    "50_54",
    "55_59",
    "60_64",
    "65_69",
    "70_74",
    "75_79",
    "80_84",
    "85_89",
    "90_94",
    "95+",
)
#: Lower age of each band [years]; used for the "65 and over" splits and projections.
AGE_BAND_LOWER: Final[tuple[int, ...]] = tuple(range(0, 100, 5))
SEXES: Final[tuple[str, ...]] = ("female", "male")


# --- Need categories (NHS England national appointment categories) --------------------
@dataclass(frozen=True)
class NeedCategory:
    """One national appointment category; ``nhs_name`` is the GPAD spelling."""

    code: str
    label: str
    nhs_name: str


NEED_CATEGORIES: Final[tuple[NeedCategory, ...]] = (
    NeedCategory("acute", "General consultation: acute", "General Consultation Acute"),
    NeedCategory("routine", "General consultation: routine", "General Consultation Routine"),
    NeedCategory("triage", "Clinical triage", "Clinical Triage"),
    NeedCategory("planned_clinic", "Planned clinics", "Planned Clinics"),
    NeedCategory("planned_procedure", "Planned clinical procedure", "Planned Clinical Procedure"),
    NeedCategory("unplanned_activity", "Unplanned clinical activity", "Unplanned Clinical Activity"),
    NeedCategory("home_visit", "Home visit", "Home Visit"),
    NeedCategory("care_home_visit", "Care home visit", "Care Home Visit"),
    NeedCategory("care_home_round", "Care home round", "Patient contact during Care Home Round"),
    NeedCategory(
        "care_home_planning",
        "Care home needs assessment and care planning",
        "Care Home Needs Assessment & Personalised Care and Support Planning",
    ),
    NeedCategory("medication_review", "Structured medication review", "Structured Medication Review"),
    NeedCategory("social_prescribing", "Social prescribing", "Social Prescribing Service"),
    NeedCategory("group_session", "Group consultation and education", "Group Consultation and Group Education"),
    NeedCategory("walk_in", "Walk-in", "Walk-in"),
    NeedCategory(
        "other_care",
        "Other care-related encounter",
        "Care Related Encounter but does not fit into any other category",
    ),
    NeedCategory(
        "external_service",
        "Service by an external organisation",
        "Service provided by organisation external to the practice",
    ),
    NeedCategory("non_contractual", "Non-contractual chargeable work", "Non-contractual chargeable work"),
)
NEED_CODES: Final[tuple[str, ...]] = tuple(c.code for c in NEED_CATEGORIES)
NHS_CATEGORY_TO_CODE: Final[dict[str, str]] = {c.nhs_name: c.code for c in NEED_CATEGORIES}
#: GPAD categories that carry no usable need; their volume is spread pro rata over the
#: mapped categories and the share so spread is reported, never dropped.
UNCATEGORISED_NHS_NAMES: Final[tuple[str, ...]] = ("Inconsistent Mapping", "Unmapped")


# --- Roles -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Role:
    """A job role. ``staff_group`` is NHS England's workforce staff group."""

    code: str
    label: str
    staff_group: str  # gp | nurse | dpc | admin
    clinical: bool  # offers appointments (counts as capacity)


ROLES: Final[tuple[Role, ...]] = (
    Role("gp", "GP (qualified, permanent)", "gp", True),
    Role("gp_locum_trainee", "GP locum or in training", "gp", True),
    Role("anp", "Advanced nurse practitioner", "nurse", True),
    Role("practice_nurse", "Practice nurse", "nurse", True),
    Role("nursing_associate", "Nursing associate", "dpc", True),
    Role("hca", "Healthcare assistant", "dpc", True),
    Role("pharmacist", "Clinical pharmacist", "dpc", True),
    Role("pharmacy_technician", "Pharmacy technician", "dpc", True),
    Role("physiotherapist", "First-contact physiotherapist", "dpc", True),
    Role("paramedic", "Paramedic", "dpc", True),
    Role("physician_associate", "Physician associate", "dpc", True),
    Role("mental_health", "Mental health practitioner", "dpc", True),
    Role("social_prescriber", "Social prescribing link worker", "dpc", True),
    Role("care_coordinator", "Care coordinator", "dpc", True),
    Role("health_coach", "Health and wellbeing coach", "dpc", True),
    Role("gp_assistant", "General practice assistant", "dpc", True),
    Role("other_dpc", "Other direct patient care (dietitian, podiatrist, OT, ...)", "dpc", True),
    Role("practice_manager", "Practice manager", "admin", False),
    Role("care_navigator", "Receptionist / care navigator", "admin", False),
    Role("admin", "Other admin and non-clinical", "admin", False),
)
ROLE_CODES: Final[tuple[str, ...]] = tuple(r.code for r in ROLES)
ROLE_BY_CODE: Final[dict[str, Role]] = {r.code: r for r in ROLES}
CLINICAL_ROLE_CODES: Final[tuple[str, ...]] = tuple(r.code for r in ROLES if r.clinical)
STAFF_GROUPS: Final[tuple[str, ...]] = ("gp", "nurse", "dpc", "admin")
STAFF_GROUP_LABELS: Final[dict[str, str]] = {
    "gp": "GPs",
    "nurse": "Nurses",
    "dpc": "Direct patient care",
    "admin": "Admin and non-clinical",
}

#: PCN workforce file ``STAFF_ROLE`` -> our role code. Directors are management time and
#: are mapped to admin; "(Mental Health Practitioners)" variants follow their base role.
PCN_STAFF_ROLE_TO_ROLE: Final[dict[str, str]] = {
    "Clinical Director (DPC)": "admin",
    "Clinical Director (Nurse)": "admin",
    "Medical Clinical Director (GP)": "admin",
    "Non-clinical Director": "admin",
    "Apprentices": "admin",
    "Digital and Transformation Leads": "admin",
    "Estates and Ancillary": "admin",
    "Managers": "practice_manager",
    "Medical Secretaries": "admin",
    "Other Admin/Non-clinical": "admin",
    "Receptionists": "care_navigator",
    "Telephonists": "care_navigator",
    "Advanced Dietician Practitioners": "other_dpc",
    "Advanced Occupational Therapist Practitioners": "other_dpc",
    "Advanced Paramedic Practitioners": "paramedic",
    "Advanced Pharmacist Practitioners": "pharmacist",
    "Advanced Physiotherapist Practitioners": "physiotherapist",
    "Advanced Podiatrist Practitioners": "other_dpc",
    "Applied Psychologists – Clinical": "mental_health",
    "Applied Psychologists – Clinical (Mental Health Practitioners)": "mental_health",
    "Care Coordinators": "care_coordinator",
    "Clinical Associates in Psychology": "mental_health",
    "Clinical Associates in Psychology (Mental Health Practitioners)": "mental_health",
    "Dieticians": "other_dpc",
    "Dispensers": "other_dpc",
    "General Practice Assistants": "gp_assistant",
    "Health and Wellbeing Coaches": "health_coach",
    "Healthcare Assistants": "hca",
    "Healthcare Support Workers": "hca",
    "Mental Health and Wellbeing Practitioners": "mental_health",
    "Mental Health and Wellbeing Practitioners (Mental Health Practitioners)": "mental_health",
    "NHS Talking Therapies Therapists": "mental_health",
    "Nursing Associates": "nursing_associate",
    "Other Direct Patient Care": "other_dpc",
    "Paramedics": "paramedic",
    "Peer Support Workers": "mental_health",
    "Pharmacists": "pharmacist",
    "Pharmacy Technicians": "pharmacy_technician",
    "Phlebotomists": "hca",
    "Physician Associates": "physician_associate",
    "Physiotherapists": "physiotherapist",
    "Podiatrists": "other_dpc",
    "Social Prescribing Link Workers": "social_prescriber",
    "Social Prescribing Link Workers (Mental Health Practitioners)": "social_prescriber",
    "Social Workers": "mental_health",
    "Therapists": "other_dpc",
    "Therapists (Mental Health Practitioners)": "mental_health",
    "Trainee Mental Health and Wellbeing Practitioners": "mental_health",
    "Trainee Mental Health and Wellbeing Practitioners (Mental Health Practitioners)": "mental_health",
    "Trainee NHS Talking Therapies Therapists": "mental_health",
    "Trainee Nursing Associates": "nursing_associate",
    "Trainee Pharmacy Technicians": "pharmacy_technician",
    "GP Locums": "gp_locum_trainee",
    "Salaried GPs": "gp",
    "Advanced Nurse Practitioners": "anp",
    "Community Mental Health Nurses": "mental_health",
    "Community Mental Health Nurses (Mental Health Practitioners)": "mental_health",
    "Enhanced Practice Nurses": "practice_nurse",
    "Nurse Dispensers": "practice_nurse",
    "Nurse Specialists": "practice_nurse",
    "Other Nurses": "practice_nurse",
    "Trainee Nurses": "practice_nurse",
}

# --- Staff register (issue 12) ------------------------------------------------------------
#: How a register post is held; ``arrs`` is a PCN post funded by the Additional Roles
#: Reimbursement Scheme. Order is the order of the Excel template's drop-down list.
CONTRACT_TYPES: Final[tuple[str, ...]] = ("partner", "salaried", "retainer", "locum", "trainee", "arrs")
#: Why someone left; ``unknown`` when the practice does not know (never guessed).
LEAVING_REASONS: Final[tuple[str, ...]] = ("retirement", "other", "unknown")
#: How a vacancy closed.
VACANCY_OUTCOMES: Final[tuple[str, ...]] = ("filled", "withdrawn")

# --- Organisations -----------------------------------------------------------------------
ORG_LEVELS: Final[tuple[str, ...]] = ("practice", "pcn", "sub_icb", "icb", "region", "england")
UNALLOCATED_PCN: Final[str] = "U"
ENGLAND_CODE: Final[str] = "england"

# --- Booking intervals (GPAD spellings normalised) ----------------------------------------
BOOKING_INTERVALS: Final[tuple[str, ...]] = (
    "same_day",
    "1_day",
    "2_7_days",
    "8_14_days",
    "15_21_days",
    "22_28_days",
    "over_28_days",
    "unknown",
)
APPT_STATUSES: Final[tuple[str, ...]] = ("attended", "dna", "unknown")
HCP_TYPES: Final[tuple[str, ...]] = ("gp", "other", "unknown")
APPT_MODES: Final[tuple[str, ...]] = ("face_to_face", "telephone", "video_online", "home_visit", "unknown")

WEEKS_PER_YEAR: Final[float] = 52.0
MONTHS_PER_YEAR: Final[float] = 12.0
HOURS_PER_FTE: Final[float] = 37.5


# --- Organisation names as people write them -------------------------------------------------
#: Words kept in capitals when an all-capitals name is shown in title case. Besides these, any word
#: without a vowel (NPC, SWB, KWH) is taken for an acronym, except the abbreviations below.
NAME_ACRONYMS: Final = frozenset(
    {
        "NHS", "PCN", "GP", "GPS", "ICB", "ICS", "CCG", "NPC", "UK", "CIC", "LLP", "LTD", "PMS", "APMS", "GMS",
        "HC", "MC", "UTC", "QOF", "II", "III", "IV", "VI",
    }
)  # fmt: skip
#: Vowelless words that abbreviate an ordinary word, so are title-cased (DR -> Dr, ST -> St).
NAME_ABBREVIATIONS: Final = frozenset(
    {"DR", "DRS", "ST", "CTR", "CNTR", "RD", "PTNR", "PTNRS", "PRTNRS", "HLTH", "HTH", "MR", "MRS", "MS"}
)
_SMALL_WORDS: Final = frozenset({"and", "of", "the", "in", "on", "at", "for", "upon", "with"})


def display_name(name: object) -> str:
    """Organisation names as people write them: ``THE DENSHAM SURGERY`` -> ``The Densham Surgery``,
    ``NPC NORTH TYNESIDE`` -> ``NPC North Tyneside``.

    Practice and PCN names come in capitals; mixed-case names are left alone, and acronyms and
    codes (words with digits) stay in capitals.
    """
    text = "" if name is None else str(name)
    if not text.isupper():
        return text

    def cap(part: str) -> str:
        i = next((k for k, ch in enumerate(part) if ch.isalpha()), len(part))
        return part[:i] + part[i : i + 1].upper() + part[i + 1 :].lower()

    def acronym(core: str) -> bool:
        if core in NAME_ACRONYMS:
            return True
        vowelless = len(core) >= 2 and core.isalpha() and not any(ch in "AEIOUY" for ch in core)
        return vowelless and core not in NAME_ABBREVIATIONS

    def word(w: str, first: bool) -> str:
        core = w.strip("()[],.&'-/")
        if acronym(core) or any(ch.isdigit() for ch in w) or (len(core) == 1 and core not in "AI"):
            return w
        if not first and core.lower() in _SMALL_WORDS:
            return w.lower()
        return "-".join(cap(part) for part in w.split("-"))

    return " ".join(word(w, i == 0) for i, w in enumerate(text.split(" ")))
