"""Reliability run: kill -9 during an import, on SQLite.

Each run copies a national database, starts `gpworkforce import appointments` on the real
practice-level crosstab, kills it with SIGKILL after a random delay, and checks that the database
is intact (`PRAGMA integrity_check`) and holds either the dataset it had before or the complete
new import, never a half-written one. Writes the table between the ``kill`` markers of
docs/reliability.md (``make reliability``).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "reliability.md"
SHARED = Path(os.environ.get("GPWORKFORCE_SHARED_DATA", REPO.parent / "shared" / "data"))
CROSSTAB = SHARED / "gpad-practice-level-crosstab_2025-10_london-east-south.csv.gz"
GPW = [str(Path(sys.executable).parent / "gpworkforce")]
RUNS = 8


def _env(db: Path, cache: Path) -> dict[str, str]:
    return {**os.environ, "GPWORKFORCE_DATABASE_URL": f"sqlite:///{db}", "GPWORKFORCE_CACHE_DIR": str(cache)}


def _state(db: Path) -> tuple[str, list[tuple[str, str, int]], int]:
    """integrity_check, the appointments datasets (id, period, rows stored) and how many there are."""
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        sets = con.execute(
            "SELECT d.id, d.period, (SELECT count(*) FROM appointment_count a WHERE a.dataset_id = d.id) "
            "FROM dataset d WHERE d.kind = 'appointments' ORDER BY d.id"
        ).fetchall()
        return ok, [(str(k), str(p), int(n)) for k, p, n in sets], len(sets)
    finally:
        con.close()


def imports_killed(tmp: Path) -> str:
    base, cache = tmp / "base.db", tmp / "cache"
    subprocess.run([*GPW, "init"], env=_env(base, cache), check=True, capture_output=True)
    before = _state(base)
    rng = random.Random(7)
    intact = complete = unchanged = 0
    delays = []
    for _ in range(RUNS):
        live = tmp / "live.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{live}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(base, live)
        delay = rng.uniform(0.5, 6.0)
        delays.append(delay)
        proc = subprocess.Popen(
            [*GPW, "import", "appointments", str(CROSSTAB)],
            env=_env(live, cache),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        ok, sets, _ = _state(live)
        intact += ok == "ok"
        # the crosstab replaces the dataset of the same period (a new id): afterwards there is one,
        # fully stored, with as many rows as the earlier one (the same file)
        whole = len(sets) == len(before[1]) and [n for *_, n in sets] == [n for *_, n in before[1]]
        unchanged += sets == before[1]
        complete += whole and sets != before[1]
        if not whole:
            print("half-written:", sets, file=sys.stderr)
    return (
        f"| kill -9 during `gpworkforce import appointments` (SQLite, national database) | {RUNS} imports "
        f"killed after {min(delays):.1f}-{max(delays):.1f} s | integrity_check ok {intact} of {RUNS}; "
        f"the earlier dataset whole {unchanged}, the new one whole {complete}, half-written "
        f"{RUNS - unchanged - complete} |"
    )


def main() -> None:
    if not CROSSTAB.exists():
        sys.exit(f"needs {CROSSTAB} (../shared/data)")
    with tempfile.TemporaryDirectory(prefix="gpw-kill-") as folder:
        row = imports_killed(Path(folder))
    table = "\n".join(["| Run | What was done | Result |", "|---|---|---|", row])
    note = f"Last run {time.strftime('%Y-%m-%d')} by `make reliability` (`scripts/reliability_kill.py`)."
    block = f"<!-- kill:start -->\n{table}\n\n{note}\n<!-- kill:end -->"
    doc = DOC.read_text()
    if "<!-- kill:start -->" in doc:
        doc = re.sub(r"<!-- kill:start -->.*<!-- kill:end -->", lambda _m: block, doc, flags=re.DOTALL)
    else:
        doc = doc.replace("## Load held", f"## Faults injected\n\n{block}\n\n## Load held", 1)
    DOC.write_text(doc)
    print(table)


if __name__ == "__main__":
    main()
