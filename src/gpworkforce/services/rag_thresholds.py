"""The retirement RAG thresholds in force: an administrator's stored values, else reference/general.csv.

Thresholds are shares (0..1) of a role's FTE: aged 55+, and expected to leave within 5 years,
each with a red and an amber level. An administrator changes them in the web app; every change
is audited (before and after). A setting with no stored row takes its default, so a new
reference default applies until someone overrides it. Functions taking a session never commit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.audit import UserLike, record_audit
from gpworkforce.services.retirement import Thresholds
from gpworkforce.store.settings import AppSetting

AUDIT_ENTITY: Final = "retirement_thresholds"
#: Stored setting name of each threshold field.
FIELDS: Final = ("red_share_55", "amber_share_55", "red_leave_5", "amber_leave_5")
SETTING: Final = {name: f"retirement_{name}" for name in FIELDS}
LABELS: Final = {
    "red_share_55": "Red at this share of FTE aged 55+",
    "amber_share_55": "Amber at this share of FTE aged 55+",
    "red_leave_5": "Red at this share of FTE expected to leave within 5 years",
    "amber_leave_5": "Amber at this share of FTE expected to leave within 5 years",
}


class ThresholdError(ValueError):
    """The thresholds cannot be saved as given; ``errors`` maps the field to a message to show."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def defaults(general: Mapping[str, float]) -> Thresholds:
    return Thresholds.from_reference(dict(general))


def stored_values(session: Session) -> dict[str, float]:
    """The stored threshold values by field name (only those an administrator has set)."""
    names = {v: k for k, v in SETTING.items()}
    rows = session.execute(select(AppSetting.name, AppSetting.value).where(AppSetting.name.in_(names))).all()
    return {names[n]: float(v) for n, v in rows}


def thresholds_in(session: Session, general: Mapping[str, float]) -> Thresholds:
    """The thresholds in force: stored values over the reference defaults."""
    return Thresholds(**{**asdict(defaults(general)), **stored_values(session)})


def current_thresholds(engine: Engine, general: Mapping[str, float]) -> Thresholds:
    """:func:`thresholds_in` in a read-only session of its own (defaults before the table exists)."""
    if not inspect(engine).has_table(AppSetting.__tablename__):
        return defaults(general)
    with store.session_scope(engine) as session:
        return thresholds_in(session, general)


def parse_thresholds(form: Mapping[str, str]) -> Thresholds:
    """Percentages as typed in the form (``50`` or ``50%``) -> shares; each field checked, and amber
    below red (at equal levels nothing would ever be amber)."""
    errors: dict[str, str] = {}
    values: dict[str, float] = {}
    for name, label in LABELS.items():
        text = str(form.get(name, "")).strip().rstrip("%").strip()
        try:
            pct = float(text)
        except ValueError:
            errors[name] = f"{label}: enter a percentage, like 50"
            continue
        if not math.isfinite(pct) or not 0 < pct <= 100:
            errors[name] = f"{label}: enter a percentage above 0 and at most 100"
            continue
        values[name] = round(pct / 100, 6)
    for kind in ("share_55", "leave_5"):
        red, amber = values.get(f"red_{kind}"), values.get(f"amber_{kind}")
        if red is not None and amber is not None and amber >= red:
            errors[f"amber_{kind}"] = f"{LABELS[f'amber_{kind}']}: must be below the red level ({red:.0%})"
    if errors:
        raise ThresholdError(errors)
    return Thresholds(**values)


def save_thresholds(
    session: Session,
    user: UserLike,
    new: Thresholds,
    general: Mapping[str, float],
    ip: str | None = None,
) -> Thresholds:
    """Store ``new`` (administrators only), audited with what was in force before."""
    if user.role != "admin":
        raise PermissionDenied("only an administrator may change the retirement RAG thresholds")
    before = thresholds_in(session, general)
    now = datetime.now(UTC)
    for name, value in asdict(new).items():
        row = session.get(AppSetting, SETTING[name])
        if row is None:
            session.add(AppSetting(name=SETTING[name], value=value, updated_by=user.id, updated_at=now))
        else:
            row.value, row.updated_by, row.updated_at = value, user.id, now
    session.flush()
    record_audit(session, user, "update", AUDIT_ENTITY, "retirement", asdict(before), asdict(new), ip)
    return new


def reset_thresholds(session: Session, user: UserLike, general: Mapping[str, float], ip: str | None = None) -> None:
    """Drop the stored values (administrators only): the reference defaults apply again; audited."""
    if user.role != "admin":
        raise PermissionDenied("only an administrator may change the retirement RAG thresholds")
    before = thresholds_in(session, general)
    for name in SETTING.values():
        row = session.get(AppSetting, name)
        if row is not None:
            session.delete(row)
    session.flush()
    record_audit(session, user, "reset", AUDIT_ENTITY, "retirement", asdict(before), asdict(defaults(general)), ip)
