"""Helpers shared by the service integration tests (imported by name, like store_samples)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """A user row plus the password it was created with."""

    id: int
    email: str
    password: str
    role: str
    org_code: str | None
