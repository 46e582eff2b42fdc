"""Organisational scope against the national data: which practices an organisation holds.

:class:`gpworkforce.services.access.Scope` decides from a practice -> (PCN, sub-ICB, ICB)
mapping and never touches data itself. This module derives that mapping from
:class:`~gpworkforce.services.national.NationalData` (cached per data fingerprint, so a page
asks for it freely) and answers the organisation-level questions the web layer has.

Open organisations: England and the seven NHS regions are aggregates of hundreds of
practices; everyone may model them and save scenarios for them. Practices, PCNs, sub-ICBs and
ICBs need the user's scope (see docs/decisions/0001-web-security.md).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Final

from sqlalchemy import func, select

from gpworkforce import store
from gpworkforce.nomenclature import ENGLAND_CODE
from gpworkforce.services.access import Scope, scopes_overlap
from gpworkforce.services.analysis import Context
from gpworkforce.services.national import NationalData
from gpworkforce.services.organisations import UnknownOrganisation, resolve
from gpworkforce.store.tables import Dataset

__all__ = [
    "OPEN_LEVELS",
    "is_open_org",
    "open_org_codes",
    "org_level",
    "org_practices",
    "organisation_data",
    "practice_parents",
    "scope_allows_org",
    "scope_for",
    "scope_practices",
    "scopes_overlap",
]

#: Organisation levels whose figures every signed-in user may model (aggregates, open data).
OPEN_LEVELS: Final = frozenset({"england", "region"})

#: Small caches keyed by (id of the NationalData, its fingerprint). A NationalData object is
#: replaced, never changed, when the database changes, so the pair identifies its contents.
_CACHE_SIZE: Final = 4
_parents_cache: OrderedDict[tuple[int, str], tuple[NationalData, dict[str, tuple[str, str, str]]]] = OrderedDict()
_open_cache: OrderedDict[tuple[int, str], tuple[NationalData, frozenset[str]]] = OrderedDict()
_structure_cache: OrderedDict[tuple[str, str], NationalData] = OrderedDict()
_practices_cache: OrderedDict[tuple[int, str, Scope], tuple[NationalData, frozenset[str]]] = OrderedDict()
_lock = threading.Lock()


def organisation_data(ctx: Context) -> NationalData:
    """National data whose *organisations* are current; its FTE may predate recent corrections.

    Why: an FTE correction changes the data fingerprint, and the next ``ctx.data`` rebuilds
    every national array (~7 s for England). Scope checks, organisation names and the practice
    list do not depend on FTE, so they use the arrays built for the current *datasets*
    (keyed on the dataset table alone) and a correction never makes them wait. Use
    ``ctx.data`` for anything that shows FTE, capacity or gaps.
    """
    with store.session_scope(ctx.engine) as s:
        top, count = s.execute(select(func.max(Dataset.id), func.count(Dataset.id))).one()
    key = (ctx.engine.url.render_as_string(hide_password=True), f"{top}|{count}")
    with _lock:
        cached = _structure_cache.get(key)
        if cached is not None:
            _structure_cache.move_to_end(key)
            return cached
    nd = ctx.data  # at least as new as the datasets counted above
    with _lock:
        _structure_cache[key] = nd
        while len(_structure_cache) > _CACHE_SIZE:
            _structure_cache.popitem(last=False)
    return nd


def _key(nd: NationalData) -> tuple[int, str]:
    return (id(nd), nd.fingerprint)


def practice_parents(nd: NationalData) -> dict[str, tuple[str, str, str]]:
    """``{practice_code: (pcn_code, sub_icb_code, icb_code)}`` for every practice with patients.

    The argument :class:`Scope` needs. Codes are upper case; unknown parents are ``""``. The
    dict is shared between callers: do not modify it.
    """
    key = _key(nd)
    with _lock:
        hit = _parents_cache.get(key)
        if hit is not None:
            _parents_cache.move_to_end(key)
            return hit[1]
    p = nd.practices
    codes = p["practice_code"].astype(str).str.upper()
    parents = zip(
        p["pcn_code"].astype(str).str.upper(),
        p["sub_icb_code"].astype(str).str.upper(),
        p["icb_code"].astype(str).str.upper(),
        strict=True,
    )
    mapping = dict(zip(codes, parents, strict=True))
    with _lock:
        # Keep a reference to nd so its id cannot be reused by another object while cached.
        _parents_cache[key] = (nd, mapping)
        while len(_parents_cache) > _CACHE_SIZE:
            _parents_cache.popitem(last=False)
    return mapping


def org_level(nd: NationalData, org_code: str) -> str | None:
    """Level of an organisation code (``practice`` ... ``england``), or None if unknown."""
    try:
        return resolve(nd, org_code).level
    except UnknownOrganisation:
        return None


def org_practices(nd: NationalData, org_code: str) -> set[str]:
    """Practice codes inside an organisation (any level, ONS aliases too); empty if unknown."""
    try:
        org = resolve(nd, org_code)
    except UnknownOrganisation:
        return set()
    return set(nd.practices.loc[org.mask, "practice_code"].astype(str))


def open_org_codes(nd: NationalData) -> frozenset[str]:
    """Upper-case codes of the open organisations: ``ENGLAND`` and every region code."""
    key = _key(nd)
    with _lock:
        hit = _open_cache.get(key)
        if hit is not None:
            return hit[1]
    regions = {str(c).upper() for c in nd.practices["region_code"].unique() if str(c)}
    codes = frozenset({ENGLAND_CODE.upper(), *regions})
    with _lock:
        _open_cache[key] = (nd, codes)
        while len(_open_cache) > _CACHE_SIZE:
            _open_cache.popitem(last=False)
    return codes


def is_open_org(nd: NationalData, org_code: str) -> bool:
    """True for England and regions (and their ONS aliases): figures anyone may model."""
    return org_level(nd, org_code) in OPEN_LEVELS


def scope_allows_org(scope: Scope, org_code: str, nd: NationalData) -> bool:
    """True if the organisation lies wholly inside the scope (staff data may be shown).

    ONS aliases are resolved to the ODS code first. Open organisations are *not* allowed
    here for non-admins: they are covered by :func:`is_open_org` where a page permits them.
    """
    try:
        org = resolve(nd, org_code)
    except UnknownOrganisation:
        return scope.is_all
    if org.level == "england":
        return scope.is_all
    return scope.contains_org(org.code, practice_parents(nd))


def scope_practices(scope: Scope, nd: NationalData) -> frozenset[str]:
    """Practices a scope allows (cached per scope and data), e.g. to filter audit entries."""
    key = (id(nd), nd.fingerprint, scope)
    with _lock:
        cached = _practices_cache.get(key)
        if cached is not None:
            return cached[1]
    allowed = scope.practices(practice_parents(nd))
    with _lock:
        _practices_cache[key] = (nd, allowed)
        while len(_practices_cache) > 4 * _CACHE_SIZE:
            _practices_cache.popitem(last=False)
    return allowed


def scope_for(role: str, org_code: str | None) -> Scope:
    """The scope of a role and organisation (:meth:`Scope.of`)."""
    return Scope.of(role, org_code)
