"""Golden outputs: every figure the CLI, the JSON API, the pages and the downloads show for
England, an ICB, a PCN and a practice, with and without a scenario.

Recorded once before a restructuring (``python -m tests.golden.capture record``) and compared
after it by ``tests/integration/test_golden.py``: a refactor that moves code must not move a
number. Pages are compared by their visible text and chart data (the ``<main>`` element,
whitespace collapsed, CSRF tokens dropped), so markup may change but no figure may.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import secrets
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

GOLDEN_FILE = Path(__file__).with_name("outputs.json.gz")

ORGS = ("england", "QHM", "U89141", "A81001")
#: A scenario that moves every lever the model has.
SCENARIO_CLI = ["--year", "2030", "--add-fte", "pharmacist=1.5", "--minutes", "gp=12"]
SCENARIO_QUERY = (
    "year=2030&shift_share=0.3&dna_rate=0.05&demand_change=0.02"
    "&added_fte.pharmacist=1.5&added_fte.gp=-0.5&minutes.gp=12&local_calibration=true"
)
TABLES = ("summary", "categories", "age_bands", "capacity_roles", "gap_roles", "benchmarks", "children")
GAP_CLI = ["--year", "2030", "--shift", "0.3", "--dna-rate", "0.05", "--add-fte", "pharmacist=1.5"]


class _MainText(HTMLParser):
    """Text of ``<main>`` (including the chart JSON in hidden blocks), whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        if self.depth and tag in ("a", "input", "option") and attrs:
            keep = {k: v for k, v in attrs if k in ("href", "value") and v and "csrf" not in (v or "")}
            if keep:
                self.parts.append(json.dumps(keep, sort_keys=True))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def page_text(html: str) -> list[str]:
    parser = _MainText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    text = re.sub(r'"csrf[^"]*"\s*:\s*"[^"]*"', "", text)
    return [line for line in re.split(r"(?<=[.:;]) ", text) if line]


def _cli(args: list[str]) -> Any:
    from typer.testing import CliRunner

    from gpworkforce.cli import app

    out = CliRunner().invoke(app, args)
    if out.exit_code != 0:
        raise AssertionError(f"gpworkforce {' '.join(args)} failed: {out.output}")
    text = out.stdout
    if "--format" in args and args[args.index("--format") + 1] == "json":
        return json.loads(text)
    return text.splitlines()


def capture(url: str, orgs: tuple[str, ...] = ORGS) -> dict[str, Any]:
    """Every output for ``orgs`` on the database at ``url`` (``GPWORKFORCE_DATABASE_URL`` set to it)."""
    from fastapi.testclient import TestClient

    from gpworkforce.web.app import create_app

    out: dict[str, Any] = {}
    for org in orgs:
        for cmd in ("demand", "capacity", "gap", "benchmark"):
            out[f"cli {cmd} {org}"] = _cli([cmd, org, "--format", "json"])
        out[f"cli demand {org} scenario"] = _cli(["demand", org, "--format", "json", "--year", "2030"])
        out[f"cli capacity {org} scenario"] = _cli(["capacity", org, "--format", "json", *SCENARIO_CLI])
        out[f"cli gap {org} scenario"] = _cli(["gap", org, "--format", "json", *GAP_CLI, "--minutes", "gp=12"])
        out[f"cli gap {org} local"] = _cli(["gap", org, "--format", "json", "--local-calibration"])
        if org != "A81001":
            out[f"cli gap {org} by"] = _cli(
                ["gap", org, "--format", "csv", "--by", "pcn" if org != "england" else "icb"]
            )
    app = create_app(url, secret_key=secrets.token_urlsafe(32))
    with TestClient(app) as client:
        for org in orgs:
            for query in ("", SCENARIO_QUERY):
                tag = " scenario" if query else ""
                for kind in ("demand", "capacity", "gap", "benchmark", "children"):
                    if kind == "children" and org == "A81001":
                        continue
                    r = client.get(f"/api/org/{org}/{kind}?{query}")
                    assert r.status_code == 200, (org, kind, r.text)
                    out[f"api {kind} {org}{tag}"] = r.json()
                r = client.get(f"/org/{org}?{query}")
                assert r.status_code == 200, (org, r.text[:500])
                out[f"page {org}{tag}"] = page_text(r.text)
                for table in TABLES:
                    if table == "children" and org == "A81001":
                        continue
                    r = client.get(f"/org/{org}/download/{table}.csv?{query}")
                    assert r.status_code == 200, (org, table, r.text[:300])
                    out[f"csv {table} {org}{tag}"] = r.text.splitlines()
    return out


def _close(a: Any, b: Any, path: str, problems: list[str]) -> None:
    if len(problems) > 20:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                problems.append(f"{path}.{key}: only in {'recorded' if key in a else 'now'}")
                continue
            _close(a[key], b[key], f"{path}.{key}", problems)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            problems.append(f"{path}: {len(a)} items recorded, {len(b)} now")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _close(x, y, f"{path}[{i}]", problems)
    elif isinstance(a, float) and isinstance(b, int | float) and not isinstance(b, bool):
        if not (math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))):
            problems.append(f"{path}: recorded {a!r}, now {b!r}")
    elif a != b:
        problems.append(f"{path}: recorded {a!r}, now {b!r}")


def of_org(outputs: dict[str, Any], org: str) -> dict[str, Any]:
    """The outputs about ``org`` (keys name it as a word)."""
    return {k: v for k, v in outputs.items() if org in k.split(" ")}


def differences(recorded: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Paths where ``now`` differs from ``recorded`` (floats to 1e-9 relative)."""
    problems: list[str] = []
    _close(recorded, now, "", problems)
    return problems


def load() -> dict[str, Any]:
    with gzip.open(GOLDEN_FILE, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def record(url: str) -> None:
    data = capture(url)
    with gzip.open(GOLDEN_FILE, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(data, fh, sort_keys=True)
    print(f"recorded {len(data)} outputs in {GOLDEN_FILE}")


if __name__ == "__main__":  # python -m tests.golden.capture record sqlite:///path
    if len(sys.argv) != 3 or sys.argv[1] != "record":
        sys.exit("usage: python -m tests.golden.capture record DATABASE_URL")
    import os

    os.environ["GPWORKFORCE_DATABASE_URL"] = sys.argv[2]
    record(sys.argv[2])
