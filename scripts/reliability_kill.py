"""Reliability run: kill -9 during an import, and during web writes, on SQLite.

Imports: each run copies a national database, starts `gpworkforce import appointments` on the
real practice-level crosstab, kills it with SIGKILL after a random delay, and checks that the
database is intact (`PRAGMA integrity_check`) and holds either the dataset it had before or the
complete new import, never a half-written one.

Web writes: each run starts `gpworkforce serve` on a copy, has several signed-in clients save
scenarios and correct FTE as fast as the server answers, kills the server with SIGKILL, and
checks that every write the server acknowledged is in the database with its audit row, that no
saved scenario lacks its audit row (half-written), and that `gpworkforce audit verify` passes.

Writes the table between the ``kill`` markers of docs/reliability.md (``make reliability``).
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from serving import free_port, wait_until_up  # noqa: E402

DOC = REPO / "docs" / "reliability.md"
SHARED = Path(os.environ.get("GPWORKFORCE_SHARED_DATA", REPO.parent / "shared" / "data"))
CROSSTAB = SHARED / "gpad-practice-level-crosstab_2025-10_london-east-south.csv.gz"
GPW = [str(Path(sys.executable).parent / "gpworkforce")]
RUNS = 8
WEB_RUNS = 6
WEB_CLIENTS = 6
PRACTICE = "A81001"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


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


def imports_at_once(tmp: Path) -> str:
    """Two imports of the same crosstab started together, three times: both must finish (or one
    answer "busy" with exit 75), with no traceback and one whole dataset afterwards."""
    base, cache = tmp / "base.db", tmp / "cache"
    before = _state(base)
    finished = busy = tracebacks = whole = intact = 0
    runs = 3
    for _ in range(runs):
        live = tmp / "twice.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{live}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(base, live)
        procs = [
            subprocess.Popen(
                [*GPW, "import", "appointments", str(CROSSTAB)],
                env=_env(live, cache),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate()
            finished += proc.returncode == 0
            busy += proc.returncode == 75
            tracebacks += "Traceback" in err
        ok, sets, _ = _state(live)
        intact += ok == "ok"
        whole += [n for *_, n in sets] == [n for *_, n in before[1]]
    return (
        f"| Two `gpworkforce import appointments` at once (SQLite, national database) | {runs} pairs | "
        f"{finished} of {2 * runs} imports finished, {busy} answered busy (exit 75), {tracebacks} tracebacks; "
        f"integrity_check ok {intact} of {runs}; one whole dataset afterwards {whole} of {runs} |"
    )


def _client(base: str, password: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/sign-in")
    token = CSRF_INPUT.search(page.text)
    assert token
    data = {"email": "kill@example.org", "password": password, "csrf_token": token.group(1)}
    client.post("/sign-in", data=data)
    token = CSRF_INPUT.search(client.get("/account").text)
    assert token
    return client, token.group(1)


def _writer(base: str, password: str, acked: list[str], stop: threading.Event, seed: int) -> None:
    """Save scenarios (and correct FTE) until the server dies; note each name the server acknowledged."""
    client, token = _client(base, password)
    headers = {"X-CSRF-Token": token}
    n = 0
    while not stop.is_set():
        n += 1
        name = f"kill {seed}-{n}"
        try:
            if n % 3 == 0:
                client.put(f"/api/practices/{PRACTICE}/fte", json={"pharmacist": 0.1 + n % 7}, headers=headers)
            body = {"name": name, "org": PRACTICE, "params": {"shift_share": 0.2}}
            if client.post("/api/scenarios", json=body, headers=headers).status_code == 201:
                acked.append(name)
        except httpx.HTTPError:
            return  # the server is gone


def _web_state(db: Path) -> tuple[str, set[str], int]:
    """integrity_check, saved scenario names, and saved scenarios without their audit row."""
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        names = {str(n) for (n,) in con.execute("SELECT name FROM saved_scenario")}
        orphans = con.execute(
            "SELECT count(*) FROM saved_scenario s WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
            "WHERE a.entity = 'saved_scenario' AND a.entity_key = s.slug AND a.action = 'create')"
        ).fetchone()[0]
        return ok, names, int(orphans)
    finally:
        con.close()


def web_writes_killed(tmp: Path) -> str:
    base_db, cache = tmp / "base.db", tmp / "cache"
    password = secrets.token_urlsafe(16)
    add = ["user", "add", "kill@example.org", "--role", "practice_manager", "--org", PRACTICE, "--password-stdin"]
    subprocess.run(
        [*GPW, *add], env=_env(base_db, cache), input=password + "\n", text=True, check=True, capture_output=True
    )
    rng = random.Random(11)
    intact = verified = lost = orphans = acked_total = 0
    for run in range(WEB_RUNS):
        live = tmp / "web.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{live}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(base_db, live)
        port = free_port()
        env = {**_env(live, cache), "GPWORKFORCE_SECRET_KEY": secrets.token_urlsafe(32)}
        proc = subprocess.Popen(
            [*GPW, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz", proc)
        acked: list[str] = []
        stop = threading.Event()
        threads = [
            threading.Thread(target=_writer, args=(url, password, acked, stop, run * 100 + i))
            for i in range(WEB_CLIENTS)
        ]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(2.0, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
        ok, names, missing_audit = _web_state(live)
        intact += ok == "ok"
        acked_total += len(acked)
        lost += len(set(acked) - names)
        orphans += missing_audit
        check = subprocess.run([*GPW, "audit", "verify"], env=_env(live, cache), capture_output=True)
        verified += check.returncode == 0
    return (
        f"| kill -9 during web writes (`gpworkforce serve`, SQLite, {WEB_CLIENTS} clients saving scenarios and "
        f"correcting FTE) | {WEB_RUNS} servers killed after 2-6 s | integrity_check ok {intact} of {WEB_RUNS}; "
        f"{acked_total:,} acknowledged writes, {lost} lost; {orphans} saved scenarios without their audit row; "
        f"`audit verify` passed {verified} of {WEB_RUNS} |"
    )


def main() -> None:
    if not CROSSTAB.exists():
        sys.exit(f"needs {CROSSTAB} (../shared/data)")
    with tempfile.TemporaryDirectory(prefix="gpw-kill-") as folder:
        rows = [imports_killed(Path(folder)), imports_at_once(Path(folder)), web_writes_killed(Path(folder))]
    table = "\n".join(["| Run | What was done | Result |", "|---|---|---|", *rows])
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
