"""Helpers shared by the service integration tests (imported by name, like store_samples)."""

from __future__ import annotations

from people import Person  # noqa: F401  (re-exported for the tests here)
