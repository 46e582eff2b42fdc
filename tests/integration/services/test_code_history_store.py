"""Integration: the old-code history read from a small store (two mappings, a workforce year)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from gpworkforce import store
from gpworkforce.services.code_history import derive_history, load_history_sources
from gpworkforce.store.aggregates import load_distinct

ROW = {
    "practice_name": "X",
    "postcode": "",
    "pcn_code": "U1",
    "pcn_name": "PCN",
    "sub_icb_code": "S1",
    "sub_icb_ons_code": "",
    "sub_icb_name": "SUB",
    "icb_ons_code": "",
    "region_code": "Y1",
    "region_ons_code": "",
    "region_name": "REGION",
}


def _mapping(codes: list[str], icb: str) -> pd.DataFrame:
    frame = pd.DataFrame([{"practice_code": c, **ROW, "icb_code": icb, "icb_name": f"ICB {icb}"} for c in codes])
    return frame[list(store.canonical_columns("mapping"))].astype("str")


def test_history_from_the_store(engine: Engine) -> None:
    workforce = pd.DataFrame(
        {"practice_code": ["P1", "P7"], "staff": ["gp", "gp"], "fte": [1.0, 2.0], "headcount": [1.0, 2.0]}
    ).astype({"practice_code": "str", "staff": "str"})
    with store.session_scope(engine) as s:
        store.save_dataset(s, "mapping", "2025-10", _mapping(["P1", "P2", "P3"], "QOLD"), "old.csv")
        store.save_dataset(s, "mapping", "2026-07", _mapping(["P1", "P2"], "QNEW"), "new.csv")
        store.save_dataset(s, "workforce", "FY2019", workforce, "wf.csv")
    with store.session_scope(engine) as s:
        seen = load_distinct(s, "workforce", "practice_code")
        sources = load_history_sources(s, "2026-07", seen.iloc[0:0])
    assert seen.to_dict("list") == {"practice_code": ["P1", "P7"], "period": ["FY2019", "FY2019"]}
    assert set(sources.mappings["period"]) == {"2025-10"}  # the latest mapping is not history
    now = _mapping(["P1", "P2"], "QNEW").assign(patients=[10.0, 30.0])
    h = derive_history(now, sources)
    icb = h[(h["code"] == "QOLD") & (h["relation"] == "successor")]
    assert icb[["new_code", "new_practices", "practices"]].values.tolist() == [["QNEW", 2, 3]]
    closed = h[h["level"] == "practice"].set_index("code")["last_seen"].to_dict()
    assert closed == {"P3": "2025-10"}  # P7 only via also_seen (the workforce years national data read)
    with store.session_scope(engine) as s:
        sources = load_history_sources(s, "2026-07", seen)
    h = derive_history(now, sources)
    closed = h[h["level"] == "practice"].set_index("code")["last_seen"].to_dict()
    assert closed == {"P3": "2025-10", "P7": "FY2019"}
