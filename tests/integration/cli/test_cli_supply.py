"""Integration: `gpworkforce retirement` and `gpworkforce supply` (contracts of issue 12)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gpworkforce.cli import app

runner = CliRunner()


def test_retirement_json_says_no_age_data(db: str) -> None:
    out = runner.invoke(app, ["retirement", "A81001", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    rows = data["tables"]["practices"]
    assert {r["rag"] for r in rows} == {"no age data"}  # the snapshot ships no GP ages
    assert data["summary"]["no_age_data"] == 1
    assert any("no GP age data loaded" in n for n in data["notes"])


def test_supply_csv_json_table_and_seed(db: str) -> None:
    args = ["supply", "A81001", "--years", "3", "--draws", "100", "--preset", "hee-100", "--seed", "4"]
    csv1 = runner.invoke(app, [*args, "--format", "csv"])
    csv2 = runner.invoke(app, [*args, "--format", "csv"])
    assert csv1.exit_code == 0, csv1.output
    assert csv1.output == csv2.output  # same seed, same figures
    assert csv1.output.splitlines()[0].startswith("year,calendar_year,role,heads_expected,fte_expected,fte_p10")
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).output)
    assert data["summary"]["preset"] == "hee-100" and data["summary"]["estimate"] is True
    assert data["notes"][0].startswith("estimate:")
    assert len(data["tables"]["gap"]) == 4
    table = runner.invoke(app, [*args, "--format", "table"])
    assert table.exit_code == 0 and "gp fte final p50" in table.output


def test_supply_refuses_bad_options(db: str) -> None:
    for extra in (["--years", "11"], ["--draws", "0"], ["--preset", "hee-90"], ["--recruit", "ship:gp:1"]):
        out = runner.invoke(app, ["supply", "A81001", *extra])
        assert out.exit_code != 0, extra
    out = runner.invoke(app, ["supply", "NOPE", "--draws", "5"])
    assert out.exit_code != 0 and "unknown organisation" in out.output


def test_retirement_uses_stored_thresholds_and_options_override(db: str) -> None:
    from gpworkforce import store
    from gpworkforce.services.accounts import create_user
    from gpworkforce.services.rag_thresholds import parse_thresholds, save_thresholds
    from gpworkforce.services.versions import open_workspace

    ws = open_workspace(db)
    general = ws.reference.general
    with store.session_scope(ws.engine, write=True) as s:
        admin = create_user(s, "admin@example.org", "a long enough pass phrase 42", "admin", None)
        values = {"red_share_55": "45", "amber_share_55": "25", "red_leave_5": "60", "amber_leave_5": "40"}
        new = parse_thresholds(values)
        save_thresholds(s, admin, new, general)
    ws.engine.dispose()
    summary = json.loads(runner.invoke(app, ["retirement", "A81001", "--format", "json"]).output)["summary"]
    assert (summary["red_share_55"], summary["amber_share_55"], summary["red_leave_5"]) == (0.45, 0.25, 0.6)
    out = runner.invoke(app, ["retirement", "A81001", "--format", "json", "--red-share-55", "0.7"])
    summary = json.loads(out.output)["summary"]
    assert summary["red_share_55"] == 0.7 and summary["amber_share_55"] == 0.25
