"""Declarative list of the published file layouts the readers understand.

Used for two things: sniffing which kind of file a user handed us (so that a mapping file
passed as "patients" fails with "this looks like a practice mapping file"), and the
snapshot's attribution (publisher, licence, URL). A header signature is a set of published
column names that only that layout has; the most specific (largest) matching signature wins.

Plain data: it imports no reader, so the readers' header checks can use it. Which reader
reads which kind is in :mod:`gpworkforce.ingest.registry`, on top of the readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gpworkforce.ingest.text import header_key

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
NHS_LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0 (NHS England / NHS Digital)"
)
FINGERTIPS_LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0 (OHID Fingertips)"
)
ONS_LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(Office for National Statistics)"
)
HEEC_LICENCE = (
    "Derived by the Health Equity Evidence Centre (third party) from NHS England GP Workforce data, which "
    "is licensed under the Open Government Licence v3.0; not an NHS publication"
)

#: Short human title per canonical kind, for messages ("looks like a ... file").
KIND_TITLES: dict[str, str] = {
    "patients": "registered patients by age and sex (gp-reg-pat-prac-quin-age)",
    "mapping": "practice mapping",
    "appointments": "GPAD practice-level appointments crosstab",
    "subicb_appointments": "GPAD sub-ICB monthly appointments",
    "workforce": "practice workforce",
    "gp_age": "GP age-band (GP Workforce detailed practice CSV)",
    "workforce_roles": "staff roles (GP Workforce detailed practice CSV)",
    "workforce_age": "staff age-band (GP Workforce detailed practice CSV)",
    "pcn_workforce": "PCN workforce individual-level",
    "imd": "IMD by GP practice",
    "qof": "QOF prevalence",
    "population_projection": "ONS population projection",
}


@dataclass(frozen=True)
class Source:
    """One published file layout: who publishes it, under which licence, how often, and the
    header columns (``signature``) that identify it."""

    id: str
    kind: str
    title: str
    publisher: str
    licence: str
    signature: frozenset[str]
    cadence: str
    url: str
    also_kinds: tuple[str, ...] = ()


def _sig(*names: str) -> frozenset[str]:
    return frozenset(header_key(n) for n in names)


SOURCES: tuple[Source, ...] = (
    Source(
        "gp-reg-pat-prac-quin-age",
        "patients",
        "Patients Registered at a GP Practice: practice, sex and 5-year age band",
        "NHS England",
        NHS_LICENCE,
        _sig("ORG_TYPE", "ORG_CODE", "SEX", "AGE_GROUP_5", "NUMBER_OF_PATIENTS"),
        "monthly",
        "https://digital.nhs.uk/data-and-information/publications/statistical/patients-registered-at-a-gp-practice",
    ),
    Source(
        "gp-reg-pat-prac-map",
        "mapping",
        "Patients Registered at a GP Practice: practice to PCN, sub-ICB, ICB and region mapping",
        "NHS England",
        NHS_LICENCE,
        _sig("PRACTICE_CODE", "PRACTICE_NAME", "PCN_CODE", "COMM_REGION_CODE"),
        "monthly",
        "https://digital.nhs.uk/data-and-information/publications/statistical/patients-registered-at-a-gp-practice",
    ),
    Source(
        "gpad-mapping",
        "mapping",
        "Appointments in General Practice: practice mapping (Mapping.csv)",
        "NHS England",
        NHS_LICENCE,
        _sig("GP_CODE", "GP_NAME", "SUPPLIER", "PCN_CODE", "ICB_CODE", "REGION_CODE"),
        "monthly",
        "https://digital.nhs.uk/data-and-information/publications/statistical/appointments-in-general-practice",
    ),
    Source(
        "gpad-practice-crosstab",
        "appointments",
        "Appointments in General Practice: Practice Level Crosstab",
        "NHS England",
        NHS_LICENCE,
        _sig("GP_CODE", "NATIONAL_CATEGORY", "TIME_BETWEEN_BOOK_AND_APPT", "COUNT_OF_APPOINTMENTS", "APPT_STATUS"),
        "monthly",
        "https://digital.nhs.uk/data-and-information/publications/statistical/appointments-in-general-practice",
    ),
    Source(
        "gpad-regional-csv",
        "subicb_appointments",
        "Appointments in General Practice: regional CSVs (sub-ICB x month)",
        "NHS England",
        NHS_LICENCE,
        _sig(
            "APPOINTMENT_MONTH",
            "APPT_STATUS",
            "HCP_TYPE",
            "APPT_MODE",
            "TIME_BETWEEN_BOOK_AND_APPT",
            "COUNT_OF_APPOINTMENTS",
        ),
        "monthly",
        "https://digital.nhs.uk/data-and-information/publications/statistical/appointments-in-general-practice",
    ),
    Source(
        "pcn-wf-individual",
        "pcn_workforce",
        "Primary Care Network Workforce: individual-level CSV",
        "NHS England",
        NHS_LICENCE,
        _sig("PCN_CODE", "STAFF_GROUP", "STAFF_ROLE", "FTE", "UNIQUE_IDENTIFIER"),
        "monthly (quarterly before 2024)",
        "https://digital.nhs.uk/data-and-information/publications/statistical/primary-care-network-workforce",
    ),
    Source(
        "gpw-practice-detailed",
        "workforce",
        "General Practice Workforce: Practice Level - Detailed CSV",
        "NHS England",
        NHS_LICENCE,
        _sig("PRAC_CODE", "TOTAL_GP_FTE", "TOTAL_NURSES_FTE"),
        "monthly",
        "https://digital.nhs.uk/data-and-information/publications/statistical/general-and-personal-medical-services",
        also_kinds=("gp_age", "workforce_roles", "workforce_age"),
    ),
    Source(
        "heec-workforce-year",
        "workforce",
        "HEEC practice x financial-year workforce table (derived from NHS GP Workforce)",
        "Health Equity Evidence Centre (third party)",
        HEEC_LICENCE,
        _sig("Practice.Code", "Year", "TOTAL_GP_EXTGL_FTE"),
        "irregular (third-party repository)",
        "https://github.com/HealthEquityEvidenceCentre/HEEC",
    ),
    Source(
        "fingertips-imd-gp",
        "imd",
        "Deprivation score (IMD 2025) by GP practice, Fingertips indicator 94240",
        "OHID Fingertips",
        FINGERTIPS_LICENCE,
        _sig("PRACTICE_CODE", "IMD_SCORE"),
        "with each IMD release",
        "https://fingertips.phe.org.uk/",
    ),
    Source(
        "qof-prevalence",
        "qof",
        "Quality and Outcomes Framework: prevalence (registers and list sizes)",
        "NHS England",
        NHS_LICENCE,
        _sig("PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"),
        "annual",
        "https://digital.nhs.uk/data-and-information/publications/statistical/"
        "quality-and-outcomes-framework-achievement-prevalence-and-exceptions-data",
    ),
    Source(
        "ons-npp-england",
        "population_projection",
        "ONS national population projections, England, 2022-based (principal), 5-year or single age",
        "Office for National Statistics",
        ONS_LICENCE,
        _sig("Sex", "Age"),
        "every 2 years",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationprojections/"
        "datasets/z3zippedpopulationprojectionsdatafilesengland",
    ),
)

SOURCES_BY_ID: dict[str, Source] = {s.id: s for s in SOURCES}


def title_of(kind: str) -> str:
    """Human title of a canonical kind (falls back to the kind itself)."""
    return KIND_TITLES.get(kind, kind)


def sniff_header(header: Sequence[str]) -> Source | None:
    """The source whose signature is the largest subset of ``header``, or None."""
    keys = {header_key(h) for h in header}
    matches = [s for s in SOURCES if s.signature <= keys]
    if not matches:
        return None
    return max(matches, key=lambda s: len(s.signature))
