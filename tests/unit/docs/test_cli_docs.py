"""Unit: docs/cli.md is exactly what the CLI's --help says (regenerate with scripts/gen_cli_docs.py)."""

from __future__ import annotations

import runpy
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_cli_reference_is_current() -> None:
    render = runpy.run_path(str(REPO / "scripts" / "gen_cli_docs.py"))["render"]
    assert (REPO / "docs" / "cli.md").read_text() == render(), "run: .venv/bin/python scripts/gen_cli_docs.py"


def test_every_command_is_in_the_readme_or_docs() -> None:
    text = (REPO / "README.md").read_text() + (REPO / "docs" / "cli.md").read_text()
    for command in ("demand", "capacity", "gap", "benchmark", "import", "init", "serve", "validate", "user add"):
        assert f"gpworkforce {command}" in text
