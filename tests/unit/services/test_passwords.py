"""Unit: the password policy refuses the passwords people choose most, with a reason (issue 11).

Before, a 12-character minimum was the whole policy: ``aaaaaaaaaaaa`` and ``password1234`` passed.
"""

from __future__ import annotations

import pytest

from gpworkforce.services.passwords import WeakPassword, check_new_password, common_words


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short words", "at least 12"),
        ("x" * 1025, "1024 characters or fewer"),
        ("aaaaaaaaaaaa", "pattern"),
        ("abababababab", "pattern"),
        ("abcabcabcabc", "pattern"),
        ("passwordpassword", "pattern"),
        ("abcdefghijkl", "run"),
        ("lkjihgfedcba", "run"),
        ("123456789012", "run"),
        ("qwertyuiop12", "run"),
        ("1q2w3e4r5t6y", "run"),
        ("password1234", "most commonly used"),
        ("P@ssw0rd2024!", "most commonly used"),
        ("Welcome2024!", "most commonly used"),
        ("Liverpool1892", "most commonly used"),
        ("!!Surgery2025", "most commonly used"),
        ("trustno1trustno1", "pattern"),
        ("202420242025", "pattern"),
        ("9381-7720-4411", "most commonly used"),  # digits and symbols only
        ("jo.bloggs-in-leeds", "email address or name"),
        ("my example.org account", "email address or name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword, match=reason):
        check_new_password(password, "jo.bloggs@example.org")


@pytest.mark.parametrize(
    "password",
    [
        "plum cart seven lamps",
        "a perfectly long passphrase",
        "Tr0ub4dor&3-horse",
        "violet harbour kettle",
        "é" * 3 + "ñandú-árbol",
    ],
)
def test_ordinary_good_passwords_pass(password: str) -> None:
    check_new_password(password, "jo.bloggs@example.org")


def test_the_shipped_list_reads_and_holds_the_classics() -> None:
    words = common_words()
    assert {"password", "qwerty", "letmein", "welcome", "iloveyou", "nhs", "surgery"} <= words
    assert all(w == w.lower() and not w.startswith("#") for w in words)
