"""Users' corrections of a practice's FTE by clinical role, which capacity then uses.

Published FTE are a year old, estimated for some practices, and share PCN staff by list size;
the people running a practice know better. A correction replaces the practice's whole FTE for
that role (its own staff plus its PCN share), is kept in ``practice_fte_override`` and is
audited. Only users whose scope includes the practice may correct it.

Functions work in the caller's session and never commit: the writes and the audit entry of one
request commit together or not at all (the web request's session, or a CLI command's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.nomenclature import CLINICAL_ROLE_CODES, ROLE_BY_CODE, ROLE_CODES
from gpworkforce.services.access import Principal, Scope
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.audit import UserLike, as_utc, record_audit, user_label
from gpworkforce.services.national import NationalData
from gpworkforce.services.organisations import LEVEL_LABELS, code_index
from gpworkforce.services.practice_fte import FTE_SOURCE_ESTIMATE, FTE_SOURCE_OVERRIDE, FTE_SOURCE_REGISTER
from gpworkforce.services.scopes import practice_parents
from gpworkforce.services.versions import DataVersion
from gpworkforce.store.accounts import User
from gpworkforce.store.tables import PracticeFteOverride

__all__ = [
    "AUDIT_ACTION",
    "AUDIT_ENTITY",
    "CORRECTABLE_ROLES",
    "MAX_FTE",
    "Changes",
    "InvalidCorrection",
    "RoleFte",
    "UnknownPractice",
    "apply_corrections",
    "can_correct",
    "check_can_correct",
    "corrections_of",
    "form_field",
    "parse_form",
    "parse_json",
    "plausible_limit",
    "practice_fte",
    "updated_by_key",
]

#: Roles whose FTE can be corrected: the ones that offer appointments (capacity).
CORRECTABLE_ROLES: Final[tuple[str, ...]] = CLINICAL_ROLE_CODES
#: Upper bound per role and practice; the largest practices have about 60 clinical FTE in total.
MAX_FTE: Final = 200.0
AUDIT_ACTION: Final = "fte.correct"
AUDIT_ENTITY: Final = "practice"
#: Form fields are ``fte.<role>``; the API takes bare role codes.
FORM_PREFIX: Final = "fte."
_UPDATED_BY: Final = re.compile(r"^user:(\d+)$")
#: Form fields that belong to the page, not to a role.
_FORM_IGNORED: Final = frozenset({"csrf_token"})

#: role -> new FTE, or None to remove the correction.
Changes = dict[str, float | None]


class Corrector(Principal, UserLike, Protocol):
    """Who corrects: checked by the access policy, named on the audit entry (email and role)."""


class UnknownPractice(LookupError):
    """No practice with registered patients has this code."""


class NotAPractice(UnknownPractice):
    """The code is an organisation of another level (open data, so saying which leaks nothing)."""

    def __init__(self, code: str, level_label: str) -> None:
        article = "an" if level_label[:1] in "AEIOU" else "a"
        super().__init__(f"FTE can only be corrected for a practice; {code} is {article} {level_label}")


class InvalidCorrection(ValueError):
    """One or more values are unusable; ``errors`` maps the role (or field) to a message to show."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class RoleFte:
    """One role's FTE at a practice as capacity uses it, and where that figure comes from."""

    role: str
    label: str
    fte: float
    fte_practice: float
    fte_pcn: float
    source: str  # correction | workforce | estimate | register | pcn | workforce+pcn | estimate+pcn | register+pcn
    source_text: str
    correction: float | None = None
    corrected_by: str | None = None
    corrected_at: datetime | None = None


# --- Scope ----------------------------------------------------------------------------------


def _normalise(practice_code: str) -> str:
    return practice_code.strip().upper()


def check_can_correct(user: Principal, practice_code: str, version: DataVersion) -> str:
    """The practice code, normalised, if ``user`` may correct it.

    Scope is checked first, so a non-admin learns nothing about codes outside their scope
    (:class:`PermissionDenied`); an admin gets :class:`UnknownPractice` for a code with no
    registered patients.
    """
    code = _normalise(practice_code)
    mapping = practice_parents(version)
    other = code_index(version).get(code) if code not in mapping else None
    if other is not None and other[0] != "practice":
        raise NotAPractice(code, LEVEL_LABELS[other[0]])
    if user.disabled or not Scope.for_user(user).allows(code, mapping):
        raise PermissionDenied(f"Practice {code} is outside your organisation, so you cannot correct its FTE")
    if code not in mapping:
        raise UnknownPractice(code)
    return code


def can_correct(scope: Scope, practice_code: str, version: DataVersion) -> bool:
    """True if the scope includes this practice and the practice exists (for showing links)."""
    code = _normalise(practice_code)
    mapping = practice_parents(version)
    return code in mapping and scope.allows(code, mapping)


# --- Parsing --------------------------------------------------------------------------------


def form_field(role: str) -> str:
    """The form field name of a role's input."""
    return f"{FORM_PREFIX}{role}"


def _label(role: str) -> str:
    return ROLE_BY_CODE[role].label if role in ROLE_BY_CODE else role


def _check_value(role: str, value: float) -> str | None:
    if not math.isfinite(value):
        return f"Enter FTE for {_label(role)} as a number, like 2.5"
    if value < 0:
        return f"FTE for {_label(role)} must be 0 or more"
    if value > MAX_FTE:
        return f"FTE for {_label(role)} must be {MAX_FTE:g} or less"
    return None


def _check_role(role: str) -> str | None:
    if role in CORRECTABLE_ROLES:
        return None
    if role in ROLE_CODES:
        return f"{role} is not a clinical role; only clinical roles count as capacity"
    return f"{role} is not a role; use one of {', '.join(CORRECTABLE_ROLES)}"


def parse_form(form: Mapping[str, str]) -> Changes:
    """Role -> FTE from ``fte.<role>`` fields; an empty field means "remove the correction".

    Raises :class:`InvalidCorrection` keyed by field name with every problem found.
    """
    changes: Changes = {}
    errors: dict[str, str] = {}
    for key, raw in form.items():
        if key in _FORM_IGNORED:
            continue
        role = key[len(FORM_PREFIX) :] if key.startswith(FORM_PREFIX) else key
        if (problem := _check_role(role)) is not None:
            errors[key] = problem
            continue
        text = str(raw).strip()
        if text == "":
            changes[role] = None
            continue
        try:
            value = float(text)
        except ValueError:
            errors[key] = f"Enter FTE for {_label(role)} as a number, like 2.5"
            continue
        if (problem := _check_value(role, value)) is not None:
            errors[key] = problem
            continue
        changes[role] = value
    if errors:
        raise InvalidCorrection(errors)
    return changes


def parse_json(payload: Any) -> Changes:
    """Role -> FTE from a JSON object (numbers, or null to remove); :class:`InvalidCorrection` keyed by role."""
    if not isinstance(payload, Mapping) or not payload:
        raise InvalidCorrection({"body": 'Send a JSON object of role to FTE, like {"gp": 4.5, "pharmacist": null}'})
    changes: Changes = {}
    errors: dict[str, str] = {}
    for role, raw in payload.items():
        role = str(role)
        if (problem := _check_role(role)) is not None:
            errors[role] = problem
        elif raw is None:
            changes[role] = None
        elif isinstance(raw, bool) or not isinstance(raw, int | float):
            errors[role] = f"FTE for {_label(role)} must be a number or null"
        elif (problem := _check_value(role, float(raw))) is not None:
            errors[role] = problem
        else:
            changes[role] = float(raw)
    if errors:
        raise InvalidCorrection(errors)
    return changes


# --- Reading --------------------------------------------------------------------------------


def updated_by_key(user: Principal) -> str:
    """What ``practice_fte_override.updated_by`` holds: the user id, not the email address, so the
    address is shown only to those allowed to see it (and a changed address stays linked).
    """
    return f"user:{user.id}"


def corrections_of(session: Session, practice_code: str) -> dict[str, PracticeFteOverride]:
    """The practice's current corrections by role."""
    rows = session.scalars(
        select(PracticeFteOverride).where(PracticeFteOverride.practice_code == _normalise(practice_code))
    )
    return {row.role: row for row in rows}


def _who(session: Session, viewer: UserLike | None, updated_by: str) -> str:
    match = _UPDATED_BY.fullmatch(updated_by)
    if match is None:  # written by another tool: show it only if it cannot be an address
        return "Another tool" if "@" in updated_by else updated_by
    return user_label(viewer, session.get(User, int(match.group(1))))


def _base_source(nd: NationalData, index: int, code: str) -> str:
    """workforce | estimate for the practice's own staff, as it was before any correction."""
    source = str(nd.fte_source[index])
    if source != FTE_SOURCE_OVERRIDE:
        return source
    history = nd.workforce_history
    period = nd.periods.get("workforce")
    if history.empty or period is None:
        return FTE_SOURCE_ESTIMATE
    rows = history[(history["practice_code"] == code) & (history["period"] == period) & (history["staff"] == "gp")]
    return "workforce" if not rows.empty else FTE_SOURCE_ESTIMATE


def practice_fte(session: Session, nd: NationalData, practice_code: str, viewer: UserLike | None) -> list[RoleFte]:
    """FTE by clinical role at one practice, with the source of each figure (for the correction page).

    ``nd`` must be current (it is rebuilt when corrections change), so ``fte`` is what capacity uses.
    """
    code = _normalise(practice_code)
    index = np.flatnonzero((nd.practices["practice_code"].astype(str).str.upper() == code).to_numpy())
    if index.size == 0:
        raise UnknownPractice(code)
    i = int(index[0])
    corrections = corrections_of(session, code)
    base = _base_source(nd, i, code)
    wf_period = nd.periods.get("workforce") or "latest"
    pcn_period = nd.periods.get("pcn_workforce") or "latest"
    # a role is estimated where a staff group it is split from had no value in the workforce table
    role_estimated = (nd.fte_estimated[i].astype(float) @ (nd.staff_mix > 0).astype(float)) > 0
    rows: list[RoleFte] = []
    for role in CORRECTABLE_ROLES:
        r = ROLE_CODES.index(role)
        published = base != FTE_SOURCE_ESTIMATE and not role_estimated[r]
        own, pcn = float(nd.fte_practice[i, r]), float(nd.fte_pcn[i, r])
        label = ROLE_BY_CODE[role].label
        fix = corrections.get(role)
        if fix is not None:
            who = _who(session, viewer, fix.updated_by)
            when = as_utc(fix.updated_at)
            rows.append(
                RoleFte(
                    role, label, fix.fte, fix.fte, 0.0, "correction",
                    f"Corrected by {'you' if who == 'You' else who} on {when:%-d %B %Y at %H:%M} (UTC)", fix.fte, who,
                    when,
                )
            )  # fmt: skip
            continue
        own_text = (
            "practice's staff register (in post at the end of this month)"
            if base == FTE_SOURCE_REGISTER
            else f"workforce table ({wf_period})"
            if published
            else "estimate from the median FTE per 1,000 patients of the sub-ICB's practices (else ICB, England)"
        )
        own_source = FTE_SOURCE_REGISTER if base == FTE_SOURCE_REGISTER else "workforce" if published else "estimate"
        if pcn > 0 and own > 0:
            source, text = (
                f"{own_source}+pcn",
                (f"{own:.2f} from the {own_text} plus {pcn:.2f} PCN share ({pcn_period})"),
            )
        elif pcn > 0:
            source, text = "pcn", f"PCN share by list size ({pcn_period})"
        else:
            source = own_source
            text = own_text[0].upper() + own_text[1:] + ("" if own > 0 else ": none recorded")
        rows.append(RoleFte(role, label, own + pcn, own, pcn, source, text))
    return rows


# --- Writing --------------------------------------------------------------------------------


def plausible_limit(patients: float, per_1000: float, floor: float) -> float:
    """Highest FTE of one role a correction may set at a practice of ``patients``:
    ``max(floor, per_1000 x patients / 1000)`` (reference/general.csv: a bound on typing errors)."""
    return max(floor, per_1000 * patients / 1000.0)


def _check_plausible(version: DataVersion, code: str, changes: Changes) -> dict[str, str]:
    nd, general = version.data, version.reference.general
    index = np.flatnonzero((nd.practices["practice_code"].astype(str).str.upper() == code).to_numpy())
    if len(index) == 0:
        return {}
    patients = float(nd.patients[index[0]].sum())
    per_1000, floor = general["correction_max_fte_per_1000_patients"], general["correction_min_cap_fte"]
    limit = plausible_limit(patients, per_1000, floor)
    return {
        role: (
            f"{value:g} FTE of {_label(role)} would be {1000 * value / patients:.1f} per 1,000 patients at a practice "
            f"of {patients:,.0f}; the most a correction can set is {limit:.1f} ({per_1000:g} per 1,000 patients, "
            f"at least {floor:g}). Check the figure is FTE (37.5 hours a week = 1), not hours or headcount"
        )
        for role, value in changes.items()
        if value is not None and value > limit
    }


def apply_corrections(
    session: Session,
    user: Corrector,
    practice_code: str,
    changes: Changes,
    version: DataVersion,
    *,
    ip: str | None = None,
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Write the corrections that differ from the stored ones and audit them in one entry.

    The caller has checked scope (:func:`check_can_correct`) and owns the transaction: commit
    once, so the corrections and their audit entry are saved together or not at all. Values
    beyond what the practice's list size makes plausible are refused (:func:`plausible_limit`).
    Returns (before, after) of the roles that changed; both are empty when nothing did. Where
    no correction existed, ``before`` is the figure capacity used until now (published or
    estimated FTE plus the PCN share), so the audit log shows what the correction replaced.
    """
    code = _normalise(practice_code)
    errors: dict[str, str] = {}
    for role, value in changes.items():  # the store checks too, but fail before any write
        problem = _check_role(role) or (None if value is None else _check_value(role, value))
        if problem is not None:
            errors[role] = problem
    errors |= {r: m for r, m in _check_plausible(version, code, changes).items() if r not in errors}
    if errors:
        raise InvalidCorrection(errors)
    existing = corrections_of(session, code)
    in_use = {r.role: r.fte for r in practice_fte(session, version.data, code, None)}
    before: dict[str, float | None] = {}
    after: dict[str, float | None] = {}
    for role in sorted(changes):
        value = changes[role]
        old = existing[role].fte if role in existing else None
        if old == value:
            continue
        replaced = store.set_fte_override(session, code, role, value, updated_by_key(user))
        before[role] = replaced if replaced is not None else round(in_use.get(role, 0.0), 4)
        after[role] = value
    if after:
        record_audit(session, user, AUDIT_ACTION, AUDIT_ENTITY, code, before, after, ip)
    return before, after
