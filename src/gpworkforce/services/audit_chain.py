"""The audit log's hash chain: what each row's hash covers, and the check that finds the first broken row.

Each row stores ``row_hash = SHA-256(JSON[prev_hash, at, actor, action, entity, key, before,
after, ip])`` and ``prev_hash``, the previous row's ``row_hash`` (:data:`GENESIS` for the
first). Changing, deleting or inserting a row in the middle breaks the chain at that row;
``user_id`` is left out because deleting an account sets it to NULL (the actor's email and role,
which are covered, still name them). Migration ``0005_audit_integrity`` spells the same hash out
for the rows it backfills; a test keeps the two equal.

A chain proves nothing against someone who can rewrite every later row's hash too: record the
head that ``gpworkforce audit verify`` prints somewhere else (a ticket, the backup log) and
compare it later.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gpworkforce.store.accounts import AuditLog

__all__ = ["GENESIS", "ChainReport", "entry_hash", "lock_chain", "verify_chain"]

#: ``prev_hash`` of the first row.
GENESIS: Final = "0" * 64
#: PostgreSQL advisory lock that serialises audit writers (``pg_advisory_xact_lock``), so two
#: transactions never chain onto the same previous row. SQLite serialises writers itself.
_CHAIN_LOCK_KEY: Final = 0x67706175  # "gpau"


class _Hashed(Protocol):
    at: datetime
    actor_email: str | None
    actor_role: str | None
    actor_org: str | None
    action: str
    entity: str
    entity_key: str | None
    before: str | None
    after: str | None
    ip: str | None


def _at_text(value: datetime) -> str:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, row: _Hashed) -> str:
    """SHA-256 (hex) of ``prev_hash`` and the row's content."""
    payload = [
        prev_hash,
        _at_text(row.at),
        row.actor_email,
        row.actor_role,
        row.actor_org,
        row.action,
        row.entity,
        row.entity_key,
        row.before,
        row.after,
        row.ip,
    ]
    encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def lock_chain(session: Session) -> None:
    """On PostgreSQL, hold the chain's lock until the transaction ends (no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found: ``first_broken`` is the id of the first row that does not
    follow from the ones before it (None when the chain is intact), ``head`` the last row's hash."""

    rows: int
    first_broken: int | None
    problem: str | None
    head: str

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the audit log in id order and recompute every hash."""
    expected_prev = GENESIS
    count = 0
    for row in session.scalars(select(AuditLog).order_by(AuditLog.id).execution_options(yield_per=2000)):
        count += 1
        if row.prev_hash != expected_prev:
            problem = (
                "has no hash (written without the chain)"
                if row.prev_hash is None
                else "does not follow the row before it (a row was deleted, inserted or changed before it)"
            )
            return ChainReport(count, row.id, f"row {row.id} {problem}", expected_prev)
        if row.row_hash != entry_hash(row.prev_hash, row):
            return ChainReport(count, row.id, f"row {row.id} was changed after it was written", expected_prev)
        expected_prev = row.row_hash
    return ChainReport(count, None, None, expected_prev)
