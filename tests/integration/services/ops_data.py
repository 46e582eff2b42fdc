"""Helpers for the backup and audit tests: fill every kind of table, and read every table back."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, inspect, select, table, text

from gpworkforce import store
from gpworkforce.scenario import Scenario
from gpworkforce.services import accounts
from gpworkforce.services import saved_scenarios as saved
from gpworkforce.services.access import OrgMapping
from gpworkforce.services.audit import record_audit

MAPPING: OrgMapping = {"A81001": ("U11111", "16C", "QHM")}
PASSWORD = "a perfectly long passphrase"  # only used inside these tests


def patients_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "practice_code": ["A81001", "A81001"],
            "sex": ["female", "male"],
            "age_band": ["0_4", "95+"],
            "patients": [120, 3],
        }
    )
    frame["patients"] = frame["patients"].astype("int64")
    return frame


def fill(engine: Engine, *, corrections: int = 5, audits: int = 20) -> None:
    """Users, a dataset, FTE corrections, saved scenarios, sign-in attempts and audit rows."""
    with store.session_scope(engine) as s:
        admin = accounts.create_user(s, "admin@example.nhs.uk", PASSWORD, "admin", None)
        manager = accounts.create_user(s, "pm@example.nhs.uk", PASSWORD, "practice_manager", "A81001")
        store.save_dataset(s, "patients", "2025-10", patients_frame(), "patients.csv")
    with store.session_scope(engine) as s:
        accounts.authenticate(s, "pm@example.nhs.uk", "wrong password!!", "10.0.0.1")
        accounts.authenticate(s, "pm@example.nhs.uk", PASSWORD, "10.0.0.1")
        for i in range(corrections):
            store.set_fte_override(s, "A81001", "gp", 1.0 + i, f"user:{manager.id}")
            record_audit(s, manager, "fte_correction", "practice_fte", "A81001", {"gp": i}, {"gp": i + 1}, "10.0.0.1")
        for i in range(2):
            saved.create_scenario(
                s, manager, name=f"Plan {i}", org_code="A81001", scenario=Scenario(shift_share=0.1 * i), mapping=MAPPING
            )
        for i in range(audits):
            record_audit(s, admin, "note", "test", str(i), None, {"i": i, "text": 'é\t"q"'}, "10.0.0.2")


def every_table(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in a stable order (alembic_version included)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(select(text("*")).select_from(table(name))).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out
