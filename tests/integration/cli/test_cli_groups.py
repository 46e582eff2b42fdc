"""``gpworkforce group add|list|delete``, and a group used wherever an ORG goes (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from gpworkforce import store
from gpworkforce.cli import app

runner = CliRunner()


def _groups(db: str) -> int:
    with store.session_scope(store.make_engine(db)) as s:
        return s.scalar(select(func.count()).select_from(store.PracticeGroup)) or 0


def test_group_add_from_a_file_then_report_list_and_delete(db: str, tmp_path: Path) -> None:
    codes = tmp_path / "federation.csv"
    codes.write_text("practice_code\nA81001\nA81002\n")
    added = runner.invoke(app, ["group", "add", "FED-CLI", "--name", "Cli federation", "--file", str(codes)])
    assert added.exit_code == 0, added.output
    gap = runner.invoke(app, ["gap", "fed-cli", "--format", "json"])
    assert gap.exit_code == 0, gap.output
    assert json.loads(gap.output)["organisation"]["level"] == "group"
    listed = runner.invoke(app, ["group", "list"])
    assert "FED-CLI\tCli federation\t2\tA81001 A81002" in listed.output
    assert runner.invoke(app, ["group", "delete", "FED-CLI"]).exit_code == 0
    assert _groups(db) == 0


def test_bad_groups_exit_non_zero_and_write_nothing(db: str) -> None:
    for args, words in (
        (["group", "add", "FED-X", "--name", "X", "--practices", "A81001 NOPE1"], "NOPE1"),
        (["group", "add", "QHM", "--name", "X", "--practices", "A81001"], "already an NHS organisation code"),
        (["group", "add", "FED-X", "--name", "X"], "Enter the practice codes"),
        (["group", "delete", "FED-NONE"], "no practice group FED-NONE"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code != 0 and words in result.output, (args, result.output)
    assert _groups(db) == 0
