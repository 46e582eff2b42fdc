"""Import every table module so ``Base.metadata`` is complete (Alembic, ``alembic check`` tests).

This is the one list of table modules. A module that does not exist yet (e.g. ``accounts``
while it is being written) is skipped; an import error *inside* an existing module is not.
"""

from __future__ import annotations

from importlib import import_module
from typing import Final

from sqlalchemy import MetaData

from gpworkforce.store.base import Base

#: Modules that define tables on :class:`~gpworkforce.store.base.Base`.
TABLE_MODULES: Final[tuple[str, ...]] = (
    "gpworkforce.store.tables",
    "gpworkforce.store.accounts",
    "gpworkforce.store.groups",
    "gpworkforce.store.register",
    "gpworkforce.store.settings",
)


def load_models() -> MetaData:
    """Import all table modules that exist and return the shared metadata."""
    for name in TABLE_MODULES:
        try:
            import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return Base.metadata


metadata: Final[MetaData] = load_models()
