"""Saved scenarios hold the Scenario model's JSON instead of the web panel's query string.

Revision ID: 0003_saved_scenario_json
Revises: 0002_accounts
Create Date: 2027-01-12

``saved_scenario.params`` held ``{"year": "2030", "added_fte.pharmacist": "1", ...}`` (text
values, the share link's fields); it now holds ``Scenario.model_dump_json()``. The conversion
is written out here (no imports from the package), so the revision stays what it was when the
Scenario model changes later. Downgrade writes the query-string form back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_saved_scenario_json"
down_revision: str | Sequence[str] | None = "0002_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The Scenario fields when this revision was written, in order, with their defaults.
DEFAULTS: dict[str, Any] = {
    "year": None,
    "growth_rate": None,
    "shift_share": 0.0,
    "dna_rate": None,
    "minutes": {},
    "added_fte": {},
    "demand_change": 0.0,
    "local_calibration": False,
}
_TRUE = frozenset({"1", "true", "on", "yes"})

_table = sa.table("saved_scenario", sa.column("id", sa.Integer()), sa.column("params", sa.Text()))


def _number(text: Any) -> float | None:
    value = str(text).strip()
    return None if value == "" else float(value)


def to_scenario_json(params: dict[str, Any]) -> str:
    """Query-string fields -> the Scenario's JSON (what ``scenario_from_params`` built)."""
    out: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    for key, raw in params.items():
        prefix, _, role = key.partition(".")
        if prefix in ("added_fte", "minutes") and role:
            number = _number(raw)
            if number is not None and (number or prefix == "minutes"):
                out[prefix][role] = number
        elif key == "local_calibration":
            out[key] = str(raw).strip().lower() in _TRUE
        elif key in DEFAULTS:
            number = _number(raw)
            if number is not None:
                out[key] = int(number) if key == "year" else number
    return json.dumps(out, separators=(",", ":"))


def to_params_json(scenario: dict[str, Any]) -> str:
    """The Scenario's JSON -> the fields that differ from the baseline, as text."""
    out: dict[str, str] = {}
    for name, default in DEFAULTS.items():
        value = scenario.get(name, default)
        if name in ("added_fte", "minutes"):
            for role, number in sorted((value or {}).items()):
                out[f"{name}.{role}"] = f"{number:g}"
        elif value != default:
            out[name] = ("true" if value else "false") if isinstance(value, bool) else f"{value:g}"
    return json.dumps(out, sort_keys=True)


def _convert(change: Any) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_table.c.id, _table.c.params)).all()
    for row_id, text in rows:
        conn.execute(_table.update().where(_table.c.id == row_id).values(params=change(json.loads(text))))


def upgrade() -> None:
    _convert(to_scenario_json)


def downgrade() -> None:
    _convert(to_params_json)
