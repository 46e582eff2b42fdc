"""Unit: the model core imports only numpy/scipy, never pandas, a database or a web framework."""

from __future__ import annotations

import subprocess
import sys


def test_model_imports_nothing_outward() -> None:
    code = (
        "import sys, gpworkforce.model, gpworkforce.model.calibration\n"
        "bad = [m for m in ('pandas', 'sqlalchemy', 'fastapi', 'typer', 'gpworkforce.store',"
        " 'gpworkforce.services', 'gpworkforce.ingest', 'gpworkforce.web') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"model pulled in: {out.stdout.strip()}"
