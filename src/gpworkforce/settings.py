"""Every environment variable the product reads, in one pydantic-settings class.

Read afresh by :func:`get_settings` on each use (a few microseconds), so a test or a
deployment script that changes the environment is seen at once. Names and defaults:

- ``GPWORKFORCE_DATABASE_URL``: SQLAlchemy URL of the database (default: SQLite file
  ``gpworkforce.db`` in the user data directory).
- ``GPWORKFORCE_CACHE_DIR``: built national arrays and download folders (default: the user
  cache directory).
- ``GPWORKFORCE_SECRET_KEY``: web session signing key, 32+ characters (default: a key generated
  once and kept next to the SQLite file or in the user data directory).
- ``GPWORKFORCE_HTTPS_ONLY``: ``1``/``true``/``yes``/``on`` marks the session cookie Secure and
  sends HSTS (default: off).
- ``GPWORKFORCE_BUSY_TIMEOUT``: seconds a SQLite writer waits for another writer to finish
  before answering "busy, try again" (default: 30).

Empty values of the URL and cache folder count as unset, as they always have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX: Final = "GPWORKFORCE_"
DATABASE_URL_ENV: Final = "GPWORKFORCE_DATABASE_URL"
CACHE_DIR_ENV: Final = "GPWORKFORCE_CACHE_DIR"
SECRET_KEY_ENV: Final = "GPWORKFORCE_SECRET_KEY"
HTTPS_ONLY_ENV: Final = "GPWORKFORCE_HTTPS_ONLY"
BUSY_TIMEOUT_ENV: Final = "GPWORKFORCE_BUSY_TIMEOUT"
#: Default of GPWORKFORCE_BUSY_TIMEOUT [s].
DEFAULT_BUSY_TIMEOUT: Final = 30.0
APP_NAME: Final = "gpworkforce"
_TRUE: Final = frozenset({"1", "true", "yes", "on"})


class Settings(BaseSettings):
    """The environment as typed values; the derived properties apply the documented defaults."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str | None = None
    cache_dir: str | None = None
    secret_key: str | None = None
    https_only: str | None = None
    busy_timeout: float = Field(default=DEFAULT_BUSY_TIMEOUT, ge=0, le=3600)

    @property
    def database(self) -> str:
        """The database URL, else a SQLite file in the per-user data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(platformdirs.user_data_dir(APP_NAME)) / 'gpworkforce.db'}"

    @property
    def cache_path(self) -> Path:
        """Folder of the product's caches."""
        return Path(self.cache_dir or platformdirs.user_cache_dir(APP_NAME))

    @property
    def https(self) -> bool:
        """True when the app is served over TLS (Secure cookie, HSTS)."""
        return (self.https_only or "").strip().lower() in _TRUE


def get_settings() -> Settings:
    """The current environment's settings."""
    return Settings()
