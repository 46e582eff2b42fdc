"""The user a test signs in as (imported by name from the integration tests' folders)."""

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
