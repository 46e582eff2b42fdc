"""The password policy: long enough, and not one of the passwords people choose most.

Length alone let ``aaaaaaaaaaaa`` and ``password1234`` through. The checks here follow NIST SP
800-63B 5.1.1.2 (a minimum length, a list of known-bad passwords, repetitive or sequential
characters, context-specific words such as the user's name) and no composition rules. The list
of base words and where it comes from: ``common_passwords.txt`` and ``common_passwords.md``
beside this module. Pure functions; the account services call :func:`check_new_password`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Final

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "WeakPassword", "check_new_password", "common_words"]

MIN_PASSWORD_LENGTH: Final = 12
#: Upper bound so a megabyte "password" cannot tie up an Argon2 worker.
MAX_PASSWORD_LENGTH: Final = 1024
#: Fewer different characters than this is a pattern, not a password (``abababababab``).
MIN_DISTINCT_CHARACTERS: Final = 5

_LIST_FILE: Final = Path(__file__).with_name("common_passwords.txt")
#: Look-alikes read as the letter they stand for before the list is consulted.
_LEET: Final = str.maketrans({"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"})
#: Runs a password may not be a piece of (forwards or backwards): alphabet, digits, keyboard rows.
_RUNS: Final = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
)
_ENDS: Final = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS: Final = re.compile(r"[\s._-]+")


class WeakPassword(ValueError):
    """The password breaks the policy; the message, safe to show, says how."""


@cache
def common_words() -> frozenset[str]:
    """The shipped list (comment lines start with ``#``)."""
    lines = _LIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _is_run(text: str) -> bool:
    return len(text) >= 3 and any(text in run or text in run[::-1] for run in _RUNS)


def _repeats_unit(text: str) -> bool:
    """``text`` is a shorter piece written out again and again (``abcabcabcabc``)."""
    return any(len(text) % n == 0 and text == text[:n] * (len(text) // n) for n in range(1, len(text) // 2 + 1))


def _core(password: str) -> str:
    """Letters left once separators go, look-alikes are read and digits/symbols at the ends drop."""
    stripped = _ENDS.sub("", _SEPARATORS.sub("", password.lower()))
    return _ENDS.sub("", stripped.translate(_LEET))


def _from_list(core: str, words: frozenset[str]) -> bool:
    if core in words:
        return True
    return any(core == w * (len(core) // len(w)) for w in words if len(w) >= 3 and len(core) % len(w) == 0)


def _personal_parts(email: str | None) -> list[str]:
    if not email or "@" not in email:
        return []
    local, _, domain = email.lower().partition("@")
    parts = [local, *re.split(r"[._+-]+", local), domain.split(".")[0]]
    return [_SEPARATORS.sub("", p) for p in parts if len(_SEPARATORS.sub("", p)) >= 4]


def check_new_password(password: str, email: str | None = None) -> None:
    """Raise :class:`WeakPassword` saying why ``password`` may not be used (by ``email``'s owner)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer")
    lowered = password.lower()
    compact = _SEPARATORS.sub("", lowered)
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS or _repeats_unit(compact):
        raise WeakPassword("Password is a pattern (the same characters again and again); use a few unrelated words")
    if _is_run(compact) or _is_run(_core(password)):
        raise WeakPassword("Password is a run of letters, numbers or keys (like abcdef or 123456); choose another")
    core = _core(password)
    if not core or _from_list(core, common_words()) or _from_list(compact, common_words()):
        raise WeakPassword(
            "Password is one of the most commonly used passwords, perhaps with numbers or symbols added; "
            "use three or four unrelated words instead"
        )
    if any(part in compact for part in _personal_parts(email)):
        raise WeakPassword("Password must not contain your email address or name")
