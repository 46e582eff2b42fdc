"""Settings an administrator changes in the web app (today: the retirement RAG thresholds).

Migration ``0009_app_settings`` creates exactly this table. One row per setting name with a
numeric value; a missing row means "use the default in reference/general.csv".
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gpworkforce.store.base import Base


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AppSetting(Base):
    """A named numeric setting, who set it and when (the audit log keeps the history)."""

    __tablename__ = "app_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
