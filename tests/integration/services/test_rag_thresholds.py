"""Integration: the stored retirement RAG thresholds (services.rag_thresholds): validation naming the
field, administrators only, audited, and the reference defaults when nothing is stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select

from gpworkforce import store
from gpworkforce.reference import load_reference
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.rag_thresholds import (
    ThresholdError,
    current_thresholds,
    defaults,
    parse_thresholds,
    reset_thresholds,
    save_thresholds,
)
from gpworkforce.store.accounts import AuditLog

GENERAL = load_reference().general


def test_parse_names_each_bad_field() -> None:
    with pytest.raises(ThresholdError) as err:
        parse_thresholds({"red_share_55": "abc", "amber_share_55": "0", "red_leave_5": "40", "amber_leave_5": "40%"})
    assert set(err.value.errors) == {"red_share_55", "amber_share_55", "amber_leave_5"}
    assert "below the red level" in err.value.errors["amber_leave_5"]
    for bad in ("nan", "inf", "1e400", "101", "-5", ""):
        with pytest.raises(ThresholdError):
            parse_thresholds({"red_share_55": bad, "amber_share_55": "1", "red_leave_5": "50", "amber_leave_5": "1"})
    ok = parse_thresholds({"red_share_55": "45%", "amber_share_55": "25", "red_leave_5": "60", "amber_leave_5": "40.5"})
    assert (ok.red_share_55, ok.amber_share_55, ok.red_leave_5, ok.amber_leave_5) == (0.45, 0.25, 0.6, 0.405)


def test_only_an_admin_saves_and_it_is_audited(engine: Engine, make_user) -> None:  # type: ignore[no-untyped-def]
    assert current_thresholds(engine, GENERAL) == defaults(GENERAL)
    new = parse_thresholds({"red_share_55": "45", "amber_share_55": "25", "red_leave_5": "60", "amber_leave_5": "40"})
    analyst = make_user("icb_analyst", "QHM")
    with pytest.raises(PermissionDenied), store.session_scope(engine, write=True) as s:
        save_thresholds(s, analyst, new, GENERAL)
    assert current_thresholds(engine, GENERAL) == defaults(GENERAL)
    admin = make_user("admin", None)
    with store.session_scope(engine, write=True) as s:
        save_thresholds(s, admin, new, GENERAL, ip="192.0.2.1")
    assert current_thresholds(engine, GENERAL) == new
    with store.session_scope(engine) as s:
        entry = s.execute(select(AuditLog).where(AuditLog.entity == "retirement_thresholds")).scalars().one()
        assert json.loads(entry.after or "{}")["red_share_55"] == 0.45
        assert json.loads(entry.before or "{}")["red_share_55"] == defaults(GENERAL).red_share_55
    with store.session_scope(engine, write=True) as s:
        reset_thresholds(s, admin, GENERAL)
    assert current_thresholds(engine, GENERAL) == defaults(GENERAL)
