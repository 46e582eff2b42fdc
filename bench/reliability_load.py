"""`make reliability`: N clients of mixed reads and writes against a real `gpworkforce serve`.

Not a test (it runs for minutes). It builds a national database (``gpworkforce init``) on
SQLite, or with ``--postgres`` on a throwaway PostgreSQL server it starts itself (or the one
``--database-url`` names), starts ``gpworkforce serve``, signs every client in, and for
``--seconds`` each client loops over: the gap API for England, an ICB and a practice (reads),
a practice page, an FTE correction (PUT), a saved scenario created then deleted (POST,
DELETE), and a failed sign-in (POST). It prints one JSON line with the figures the
reliability table needs: requests, server errors (5xx other than 503, and dropped
connections), 503 "busy" answers, p50/p95 latency and throughput, per operation and in all.

    .venv/bin/python bench/reliability_load.py --clients 50 --seconds 120
    .venv/bin/python bench/reliability_load.py --clients 50 --seconds 120 --postgres --workers 2
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from serving import free_port

GPWORKFORCE = Path(sys.executable).with_name("gpworkforce")
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
PRACTICE = "A81001"
OPERATIONS = (("gap", 5), ("page", 1), ("fte", 1), ("scenario", 1), ("bad_sign_in", 1))


@contextmanager
def throwaway_postgres(tmp: Path) -> Iterator[str]:
    """A PostgreSQL server in ``tmp`` (as in tests/integration/conftest.py), stopped afterwards."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    pg_bin = bins[-1]
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = tmp / "data", free_port()
    subprocess.run(
        [*as_user, f"{pg_bin}/initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-N"],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c max_connections=200"
    subprocess.run(
        [*as_user, f"{pg_bin}/pg_ctl", "-D", str(data), "-l", f"{tmp}/pg.log", "-w", "-o", opts, "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, f"{pg_bin}/pg_ctl", "-D", str(data), "-m", "fast", "stop"], capture_output=True)


@contextmanager
def server(url: str, workers: int, tmp: Path) -> Iterator[str]:
    """``gpworkforce serve`` on ``url`` (initialised, one practice manager added): its base URL."""
    env = {
        **os.environ,
        "GPWORKFORCE_DATABASE_URL": url,
        "GPWORKFORCE_SECRET_KEY": secrets.token_urlsafe(32),
        "GPWORKFORCE_CACHE_DIR": str(tmp / "cache"),
    }
    subprocess.run([str(GPWORKFORCE), "init"], env=env, check=True, capture_output=True)
    password = secrets.token_urlsafe(16)
    add = ["user", "add", "load@example.org", "--role", "practice_manager", "--org", PRACTICE, "--password-stdin"]
    subprocess.run([str(GPWORKFORCE), *add], env=env, input=password + "\n", text=True, check=True, capture_output=True)
    port = free_port()
    log = (tmp / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(GPWORKFORCE), "serve", "--port", str(port), "--workers", str(workers)], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while (tmp / "serve.log").read_text(errors="replace").count("Application startup complete") < workers:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp / "serve.log").read_text(errors="replace")[-3000:])
            time.sleep(1)
        os.environ["LOAD_PASSWORD"] = password
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        keep = os.environ.get("LOAD_SERVER_LOG")  # where to keep the server's log (tracebacks of any 500)
        if keep:
            shutil.copyfile(tmp / "serve.log", keep)


class Tally:
    """Latencies and outcomes per operation, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, op: str, seconds: float, outcome: str) -> None:
        with self.lock:
            self.latency[op].append(seconds)
            self.status[op][outcome] += 1


def _signed_in(base: str, tally: Tally) -> tuple[httpx.Client, str]:
    """A client signed in as the load user; a 503 "busy" is retried after its Retry-After, as a person would."""
    client = httpx.Client(base_url=base, timeout=120)
    for _ in range(20):
        token = CSRF_INPUT.search(client.get("/sign-in").text)
        assert token
        data = {"email": "load@example.org", "password": os.environ["LOAD_PASSWORD"], "csrf_token": token.group(1)}
        started = time.perf_counter()
        response = client.post("/sign-in", data=data)
        outcome = "busy" if response.status_code == 503 else str(response.status_code)
        tally.add("sign_in", time.perf_counter() - started, outcome)
        if response.status_code != 503:
            break
        time.sleep(float(response.headers.get("retry-after", "5")))
    token = CSRF_INPUT.search(client.get("/account").text)
    assert token, response.status_code
    return client, token.group(1)


def _one(client: httpx.Client, token: str, op: str, rng: random.Random) -> list[httpx.Response]:
    headers = {"X-CSRF-Token": token}
    if op == "gap":
        org = rng.choice(("england", "QHM", PRACTICE))
        return [client.get(f"/api/org/{org}/gap", params={"year": rng.choice((2026, 2028, 2030))})]
    if op == "page":
        return [client.get(f"/org/{PRACTICE}")]
    if op == "fte":
        body = {"pharmacist": round(rng.uniform(0.1, 3.0), 2)}
        return [client.put(f"/api/practices/{PRACTICE}/fte", json=body, headers=headers)]
    if op == "scenario":
        body = {"name": f"load {rng.random()}", "org": PRACTICE, "params": {"shift_share": 0.2}}
        created = client.post("/api/scenarios", json=body, headers=headers)
        out = [created]
        if created.status_code == 201:
            slug = created.json().get("slug")
            out.append(client.delete(f"/api/scenarios/{slug}", headers=headers))
        return out
    sign_in = f"{str(client.base_url).rstrip('/')}/sign-in"
    page = httpx.get(sign_in, timeout=60)
    cookies = page.cookies
    match = CSRF_INPUT.search(page.text)
    data = {
        "email": f"nobody{rng.randrange(10**6)}@example.org",
        "password": "wrong-password-123",
        "csrf_token": match.group(1) if match else "",
    }
    return [httpx.post(sign_in, data=data, cookies=cookies, timeout=120)]


def run_clients(base: str, clients: int, seconds: float) -> Tally:
    tally = Tally()
    ops = [op for op, weight in OPERATIONS for _ in range(weight)]
    stop = [0.0]
    # Every client signs in before any starts its loop: the loop's failed sign-ins all come from
    # this one address, and past ADDRESS_FREE_FAILURES they (rightly) slow that address down.
    ready = threading.Barrier(clients, action=lambda: stop.__setitem__(0, time.monotonic() + seconds))

    def client_loop(seed: int) -> None:
        rng = random.Random(seed)
        client, token = _signed_in(base, tally)
        ready.wait()
        while time.monotonic() < stop[0]:
            op = rng.choice(ops)
            started = time.perf_counter()
            try:
                responses = _one(client, token, op, rng)
                codes = [r.status_code for r in responses]
                worst = max(codes)
                outcome = "busy" if 503 in codes else "error" if worst >= 500 else str(worst)
            except httpx.HTTPError as exc:
                outcome = f"error:{type(exc).__name__}"
            tally.add(op, time.perf_counter() - started, outcome)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def summary(tally: Tally, seconds: float) -> dict[str, object]:
    def figures(latencies: list[float], statuses: dict[str, int]) -> dict[str, object]:
        ordered = sorted(latencies)
        errors = sum(n for k, n in statuses.items() if k.startswith("error"))
        return {
            "requests": len(ordered),
            "server_errors": errors,
            "busy_503": statuses.get("busy", 0),
            "p50_ms": round(1000 * statistics.median(ordered), 1) if ordered else None,
            "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
            "outcomes": dict(statuses),
        }

    every = [x for op in tally.latency for x in tally.latency[op]]
    merged: dict[str, int] = defaultdict(int)
    for statuses in tally.status.values():
        for k, n in statuses.items():
            merged[k] += n
    out = figures(every, merged)
    out["per_second"] = round(len(every) / seconds, 1)
    out["operations"] = {op: figures(tally.latency[op], tally.status[op]) for op in sorted(tally.latency)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server instead of SQLite")
    parser.add_argument("--database-url", help="an existing, empty or initialised database instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gpw-load.") as tmp_name:
        tmp = Path(tmp_name)
        tmp.chmod(0o755)
        pg_dir = tmp / "pg"
        pg_dir.mkdir()
        with throwaway_postgres(pg_dir) if args.postgres and not args.database_url else _no_server() as pg_url:
            url = args.database_url or pg_url or f"sqlite:///{tmp / 'load.db'}"
            with server(url, args.workers, tmp) as base:
                tally = run_clients(base, args.clients, args.seconds)
        backend = "postgresql" if url.startswith("postgres") else "sqlite"
        result = {"backend": backend, "clients": args.clients, "seconds": args.seconds, "workers": args.workers}
        result.update(summary(tally, args.seconds))
        print(json.dumps(result))


@contextmanager
def _no_server() -> Iterator[str]:
    yield ""


if __name__ == "__main__":
    main()
