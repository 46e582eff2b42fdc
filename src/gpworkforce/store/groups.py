"""User-defined groups of practices (a federation, a locality, a group sharing staff, an old CCG).

Migration ``0008_practice_groups`` creates exactly these tables. A group is named by a code its
creator chooses (never an ODS code, so it cannot shadow an organisation) and lists its practices
by ODS code; the national data resolve them (a closed practice simply drops out).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gpworkforce.store.base import Base


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PracticeGroup(Base):
    """A named set of practices that every page, table and projection can treat as one organisation."""

    __tablename__ = "practice_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Who made it (NULL once that account is deleted; the audit log keeps their email and role).
    created_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)


class PracticeGroupMember(Base):
    """One practice of a group."""

    __tablename__ = "practice_group_member"

    group_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("practice_group.id", ondelete="CASCADE"), primary_key=True
    )
    practice_code: Mapped[str] = mapped_column(String(10), primary_key=True)


def load_groups(session: Session) -> pd.DataFrame:
    """Every group's members: code, name, practice_code (one row per member; code order)."""
    rows = session.execute(
        select(PracticeGroup.code, PracticeGroup.name, PracticeGroupMember.practice_code)
        .join(PracticeGroupMember, PracticeGroupMember.group_id == PracticeGroup.id, isouter=True)
        .order_by(PracticeGroup.code, PracticeGroupMember.practice_code)
    ).all()
    return pd.DataFrame(
        [(c, n, p or "") for c, n, p in rows], columns=["code", "name", "practice_code"], dtype="object"
    ).astype(str)
