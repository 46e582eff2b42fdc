"""Organisational scope against the national data: which practices an organisation holds.

:class:`gpworkforce.services.access.Scope` decides from a practice -> (PCN, sub-ICB, ICB)
mapping and never touches data itself. This module derives that mapping from
:class:`~gpworkforce.services.versions.DataVersion` (memoised on the version, so a page asks
for it freely) and answers the organisation-level questions the web layer has.

Open organisations: England and the seven NHS regions are aggregates of hundreds of
practices; everyone may model them and save scenarios for them. Practices, PCNs, sub-ICBs and
ICBs need the user's scope (see docs/decisions/0001-web-security.md).
"""

from __future__ import annotations

from typing import Final

from gpworkforce.nomenclature import ENGLAND_CODE
from gpworkforce.services.access import Scope, scopes_overlap
from gpworkforce.services.organisations import UnknownOrganisation, resolve
from gpworkforce.services.versions import DataVersion

__all__ = [
    "OPEN_LEVELS",
    "is_open_org",
    "open_org_codes",
    "org_level",
    "org_practices",
    "practice_parents",
    "scope_allows_org",
    "scope_practices",
    "scopes_overlap",
]

#: Organisation levels whose figures every signed-in user may model (aggregates, open data).
OPEN_LEVELS: Final = frozenset({"england", "region"})


def practice_parents(version: DataVersion) -> dict[str, tuple[str, str, str]]:
    """``{practice_code: (pcn_code, sub_icb_code, icb_code)}`` for every practice with patients.

    The argument :class:`Scope` needs. Codes are upper case; unknown parents are ``""``. The
    dict is memoised per data version and shared between callers: do not modify it.
    """

    def build() -> dict[str, tuple[str, str, str]]:
        p = version.data.practices
        codes = p["practice_code"].astype(str).str.upper()
        parents = zip(
            p["pcn_code"].astype(str).str.upper(),
            p["sub_icb_code"].astype(str).str.upper(),
            p["icb_code"].astype(str).str.upper(),
            strict=True,
        )
        return dict(zip(codes, parents, strict=True))

    return version.memoised("derived", "practice-parents", build)


def org_level(version: DataVersion, org_code: str) -> str | None:
    """Level of an organisation code (``practice`` ... ``england``), or None if unknown."""
    try:
        return resolve(version, org_code).level
    except UnknownOrganisation:
        return None


def org_practices(version: DataVersion, org_code: str) -> set[str]:
    """Practice codes inside an organisation (any level, ONS aliases too); empty if unknown."""
    try:
        org = resolve(version, org_code)
    except UnknownOrganisation:
        return set()
    return set(version.data.practices.loc[org.mask, "practice_code"].astype(str))


def open_org_codes(version: DataVersion) -> frozenset[str]:
    """Upper-case codes of the open organisations: ``ENGLAND`` and every region code."""

    def build() -> frozenset[str]:
        regions = {str(c).upper() for c in version.data.practices["region_code"].unique() if str(c)}
        return frozenset({ENGLAND_CODE.upper(), *regions})

    return version.memoised("derived", "open-org-codes", build)


def is_open_org(version: DataVersion, org_code: str) -> bool:
    """True for England and regions (and their ONS aliases): figures anyone may model."""
    return org_level(version, org_code) in OPEN_LEVELS


def scope_allows_org(scope: Scope, org_code: str, version: DataVersion) -> bool:
    """True if the organisation lies wholly inside the scope (staff data may be shown).

    ONS aliases are resolved to the ODS code first. Open organisations are *not* allowed
    here for non-admins: they are covered by :func:`is_open_org` where a page permits them.
    """
    try:
        org = resolve(version, org_code)
    except UnknownOrganisation:
        return scope.is_all
    if org.level == "england":
        return scope.is_all
    if org.level == "group":  # inside the scope when every practice of the group is
        codes = version.data.practices["practice_code"].to_numpy()[org.mask]
        return scope.allows_all(map(str, codes), practice_parents(version))
    return scope.contains_org(org.code, practice_parents(version))


def scope_practices(scope: Scope, version: DataVersion) -> frozenset[str]:
    """Practices a scope allows (memoised per scope and data version), e.g. to filter audit entries."""
    return version.memoised("derived", ("scope-practices", scope), lambda: scope.practices(practice_parents(version)))
