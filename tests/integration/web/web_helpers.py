"""Helpers shared by the web integration tests (imported by name, like store_samples)."""

from __future__ import annotations

import re
from dataclasses import dataclass

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Person:
    """A user row plus the password it was created with."""

    id: int
    email: str
    password: str
    role: str
    org_code: str | None


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page's forms."""
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)
