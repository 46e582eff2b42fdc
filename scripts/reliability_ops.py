"""Reliability runs for operations: backups under writes, the cp defect, audit tamper detection.

Writes the table between the ``ops`` markers of docs/reliability.md (``make reliability``).
SQLite only (PostgreSQL's backup and restore are covered by tests/integration/services).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, text

from gpworkforce import store
from gpworkforce.services import backup as svc
from gpworkforce.services.audit import record_audit
from gpworkforce.services.audit_chain import verify_chain

DOC = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"
BACKUPS = 10


def _engine(path: Path) -> Engine:
    engine = store.make_engine(f"sqlite:///{path}")
    store.upgrade(engine)
    return engine


def backups_under_writes(tmp: Path) -> str:
    engine = _engine(tmp / "live.db")
    stop, written, errors = threading.Event(), [0], []

    def writer() -> None:
        try:
            while not stop.is_set():
                with store.session_scope(engine) as s:
                    store.set_fte_override(s, "A81001", "gp", float(written[0] % 40), "user:1")
                    record_audit(s, None, "writer", "test", str(written[0]), None, None, None)
                written[0] += 1
        except Exception as exc:  # reported in the table
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    good, seconds = 0, []
    try:
        for n in range(BACKUPS):
            time.sleep(0.2)
            start = time.perf_counter()
            svc.backup_database(engine, tmp / f"b{n}.backup")
            seconds.append(time.perf_counter() - start)
    finally:
        stop.set()
        thread.join()
    for n in range(BACKUPS):
        target = store.make_engine(f"sqlite:///{tmp / f'r{n}' / 'g.db'}")
        result = svc.restore_database(target, tmp / f"b{n}.backup")
        with target.connect() as conn:
            keys = sorted(int(k) for (k,) in conn.execute(text("SELECT entity_key FROM audit_log")))
            fte = conn.execute(text("SELECT fte FROM practice_fte_override")).scalar_one()
        target.dispose()
        if result.audit.intact and keys == list(range(len(keys))) and fte == float((len(keys) - 1) % 40):
            good += 1
    engine.dispose()
    return (
        f"| Backup while a writer thread commits (SQLite) | {BACKUPS} backups during {written[0]:,} commits, "
        f"each {min(seconds):.2f}-{max(seconds):.2f} s; writer errors {len(errors)} | "
        f"{good} of {BACKUPS} restored to one consistent moment (audit chain intact, FTE matches last audit row) |"
    )


def cp_against_backup(tmp: Path) -> str:
    engine = _engine(tmp / "wal.db")
    engine.dispose()  # the last connection to close checkpoints the schema into the file
    holder = sqlite3.connect(tmp / "wal.db")
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM audit_log").fetchone()  # pins the WAL: no checkpoint
    with store.session_scope(engine) as s:
        for i in range(237):
            record_audit(s, None, "note", "test", str(i), None, None, None)
    shutil.copyfile(tmp / "wal.db", tmp / "cp.db")
    svc.backup_database(engine, tmp / "wal.backup")
    holder.rollback()
    holder.close()
    engine.dispose()
    counts = []
    for name in ("cp.db", "wal.backup"):
        with sqlite3.connect(tmp / name) as conn:
            counts.append(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    return (
        f"| `cp` of the live file against `gpworkforce backup` (WAL not checkpointed) | 237 audit rows committed | "
        f"cp held {counts[0]}, backup held {counts[1]} |"
    )


def tamper_detection(tmp: Path) -> str:
    cases = {
        "UPDATE of a change recorded": "UPDATE audit_log SET after = 'x' WHERE id = 5",
        "DELETE of a row": "DELETE FROM audit_log WHERE id = 5",
        "UPDATE of the stored IP address": "UPDATE audit_log SET ip = '1.2.3.4' WHERE id = 5",
    }
    refused = detected = 0
    for n, statement in enumerate(cases.values()):
        engine = _engine(tmp / f"t{n}.db")
        with store.session_scope(engine) as s:
            for i in range(10):
                record_audit(s, None, "note", "test", str(i), None, None, None)
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        except Exception:
            refused += 1
        with engine.begin() as conn:
            for trigger in ("audit_log_no_delete", "audit_log_no_update", "audit_log_hash_once"):
                conn.execute(text(f"DROP TRIGGER {trigger}"))
            conn.execute(text(statement))
        with store.session_scope(engine) as s:
            report = verify_chain(s)
        detected += report.first_broken in (5, 6)
        engine.dispose()
    return (
        f"| Audit log tampering with SQL (SQLite) | {len(cases)} kinds: {'; '.join(cases)} | "
        f"triggers refused {refused} of {len(cases)}; with the triggers dropped, `audit verify` named the "
        f"first broken row in {detected} of {len(cases)} |"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gpw-reliability-") as folder:
        tmp = Path(folder)
        rows = [backups_under_writes(tmp), cp_against_backup(tmp), tamper_detection(tmp)]
    table = "\n".join(["| Run | What was done | Result |", "|---|---|---|", *rows])
    stamp = time.strftime("%Y-%m-%d")
    note = f"Last run {stamp} by `make reliability` (`scripts/reliability_ops.py`)."
    block = f"<!-- ops:start -->\n{table}\n\n{note}\n<!-- ops:end -->"
    doc = DOC.read_text()
    doc = re.sub(r"<!-- ops:start -->.*<!-- ops:end -->", lambda _m: block, doc, flags=re.DOTALL)
    DOC.write_text(doc)
    print(table, file=sys.stdout)


if __name__ == "__main__":
    main()
