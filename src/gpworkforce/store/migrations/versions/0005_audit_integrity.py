"""Audit integrity: the actor on each row, a hash chain, and triggers that keep the log append-only.

Revision ID: 0005_audit_integrity
Revises: 0003_saved_scenario_json
Create Date: 2026-12-02

Adds ``actor_email``, ``actor_role``, ``actor_org`` (copied from the account at write time,
backfilled here from accounts that still exist), ``prev_hash`` and ``row_hash`` (backfilled
in id order with the hash of ``gpworkforce.services.audit_chain``, written out again here so
the revision stays what it was), then triggers refusing DELETE (and TRUNCATE on PostgreSQL)
and any UPDATE other than nulling ``user_id`` (``ON DELETE SET NULL``) and setting the hashes
of a row that has none. Depends on nothing but 0002's tables.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005_audit_integrity"
down_revision: str | Sequence[str] | None = "0004_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
#: Every column but ``user_id`` and the hashes: never updated.
FROZEN = (
    "id",
    "at",
    "action",
    "entity",
    "entity_key",
    "before",
    "after",
    "ip",
    "actor_email",
    "actor_role",
    "actor_org",
)
MESSAGE = "audit_log is append-only"

_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_key", sa.String()),
    sa.column("before", sa.Text()),
    sa.column("after", sa.Text()),
    sa.column("ip", sa.String()),
    sa.column("actor_email", sa.String()),
    sa.column("actor_role", sa.String()),
    sa.column("actor_org", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("row_hash", sa.String()),
)
_users = sa.table(
    "user_account",
    sa.column("id", sa.Integer()),
    sa.column("email", sa.String()),
    sa.column("role", sa.String()),
    sa.column("org_code", sa.String()),
)


def _hash(prev: str, row: sa.Row) -> str:
    at: datetime = row.at
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    payload = [
        prev,
        at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
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
    return hashlib.sha256(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")).hexdigest()


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("actor_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("actor_role", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("actor_org", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    for uid, email, role, org in conn.execute(sa.select(_users.c.id, _users.c.email, _users.c.role, _users.c.org_code)):
        conn.execute(
            _audit.update().where(_audit.c.user_id == uid).values(actor_email=email, actor_role=role, actor_org=org)
        )
    prev = GENESIS
    for row in conn.execute(sa.select(_audit).order_by(_audit.c.id)).all():
        row_hash = _hash(prev, row)
        conn.execute(_audit.update().where(_audit.c.id == row.id).values(prev_hash=prev, row_hash=row_hash))
        prev = row_hash
    if conn.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        run = "EXECUTE FUNCTION audit_log_append_only()"
        op.execute(f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW {run}")
        op.execute(f"CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT {run}")
        op.execute(
            f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE OF {_quoted(FROZEN)} ON audit_log FOR EACH ROW {run}"
        )
        op.execute(
            "CREATE TRIGGER audit_log_hash_once BEFORE UPDATE OF prev_hash, row_hash ON audit_log "
            f"FOR EACH ROW WHEN (OLD.row_hash IS NOT NULL) {run}"
        )
        return
    abort = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    op.execute(f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log {abort}")
    op.execute(f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE OF {_quoted(FROZEN)} ON audit_log {abort}")
    op.execute(
        "CREATE TRIGGER audit_log_hash_once BEFORE UPDATE OF prev_hash, row_hash ON audit_log "
        f"WHEN OLD.row_hash IS NOT NULL {abort}"
    )


def downgrade() -> None:
    for name in ("audit_log_no_delete", "audit_log_no_truncate", "audit_log_no_update", "audit_log_hash_once"):
        if name == "audit_log_no_truncate" and op.get_bind().dialect.name != "postgresql":
            continue
        suffix = " ON audit_log" if op.get_bind().dialect.name == "postgresql" else ""
        op.execute(f"DROP TRIGGER IF EXISTS {name}{suffix}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("audit_log") as batch:
        for column in ("row_hash", "prev_hash", "actor_org", "actor_role", "actor_email"):
            batch.drop_column(column)
