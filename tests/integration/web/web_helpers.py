"""Helpers shared by the web integration tests (imported by name, like store_samples)."""

from __future__ import annotations

import re

from people import Person  # noqa: F401  (re-exported for the tests here)

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page's forms."""
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)
