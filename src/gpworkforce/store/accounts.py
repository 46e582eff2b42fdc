"""Tables for web users, their saved scenarios, the audit trail and sign-in rate limiting.

Kept apart from the dataset tables because they change for different reasons (security
policy, not NHS file formats). Migrations ``0002_accounts`` and ``0004_sessions`` create exactly
these tables; they are written out by hand, so a change here needs a new revision.

Timestamps are timezone-aware UTC (``DateTime(timezone=True)``); SQLite returns them naive,
so readers treat naive values as UTC (see :func:`gpworkforce.services.audit.as_utc`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gpworkforce.store.base import Base

#: Web roles, widest first. Not to be confused with ``nomenclature.ROLES`` (job roles).
USER_ROLES: Final[tuple[str, ...]] = ("admin", "icb_analyst", "pcn_lead", "practice_manager")

#: SQL form of USER_ROLES for the CHECK constraint (also spelled out in 0002_accounts).
_ROLE_SQL = ", ".join(f"'{r}'" for r in USER_ROLES)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class User(Base):
    """A person who signs in. ``org_code`` is the ODS code their scope hangs from (None for admin)."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_SQL})", name="role"),
        # Lookups lower-case the address; the constraint stops a writer bypassing the service.
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint(
            "(role = 'admin' AND org_code IS NULL) OR (role <> 'admin' AND org_code IS NOT NULL)",
            name="org_code",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    org_code: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:  # never show the hash in logs or tracebacks
        return f"User(id={self.id!r}, email={self.email!r}, role={self.role!r}, org_code={self.org_code!r})"


class AuditLog(Base):
    """Who changed what, when, from where. ``before``/``after`` are JSON text (None when absent).

    Append-only (migration ``0005_audit_integrity``): triggers refuse DELETE and any UPDATE
    but nulling ``user_id`` (when the account is deleted) and setting the hashes once; each row
    stores ``row_hash``, the SHA-256 of its content and ``prev_hash`` (the previous row's
    ``row_hash``), which ``gpworkforce audit verify`` checks. ``actor_*`` name who acted as
    they were at the time, so a deleted account is still named.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity_key", "entity", "entity_key"),
        # Ids are never reused, so a gap shows a deleted entry.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now, index=True)
    # SET NULL keeps the trail when a user row is removed.
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))
    actor_email: Mapped[str | None] = mapped_column(String(254))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_org: Mapped[str | None] = mapped_column(String(20))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class SavedScenario(Base):
    """A named Scenario for an organisation. ``slug`` (a UUID) is the share link; ``id`` never leaves the server."""

    __tablename__ = "saved_scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(36), unique=True)
    owner_id: Mapped[int] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    org_code: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The settings as ``Scenario.model_dump_json()``, in column ``params`` (migration 0003
    #: converted the query strings once kept there).
    scenario: Mapped[str] = mapped_column("params", Text)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)


class LoginAttempt(Base):
    """One sign-in attempt; failures in a recent window lock an email address or an IP address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str | None] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
    success: Mapped[bool] = mapped_column(Boolean)
    #: SHA-256 of the device cookie sent with the attempt (migration 0004), None without one:
    #: failures from a device its user has signed in on are counted apart (see sign_in_limits).
    device: Mapped[str | None] = mapped_column(String(64))


class UserSession(Base):
    """A signed-in browser (migration 0004). The cookie holds a random token; only its SHA-256 is
    stored, so a copy of the database opens no sessions. Deleting the row ends the session at once
    (sign-out, a password change, disabling or deleting the user)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
    ip: Mapped[str | None] = mapped_column(String(45))
