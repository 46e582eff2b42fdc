"""Integration: failed sign-ins slow guessing down without locking the real user out (issue 11).

Before: five wrong passwords from anywhere locked the account for 15 minutes, and 20 failures
from one address locked out everyone behind that NAT. Now a delay grows with failures (per
account and per address), a browser the user has signed in on skips it, a success ends it and
an administrator can clear it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from gpworkforce.services import accounts as svc
from gpworkforce.services import sign_in_limits as limits
from gpworkforce.services import users
from gpworkforce.store.accounts import LoginAttempt

KEY = "k" * 40
PASSWORD = "plum cart seven lamps"


def _user(db: Session, email: str) -> svc.User:
    user = svc.create_user(db, email, PASSWORD, "admin", None)
    db.commit()
    return user


def _fail(db: Session, email: str, ip: str, times: int, device: str | None = None) -> None:
    """``times`` failures over the last 50 minutes, the latest just now (an attacker who waits out each delay)."""
    now = datetime.now(UTC)
    for i in range(times):
        at = now - timedelta(minutes=50) * (times - 1 - i) / times
        db.add(LoginAttempt(email=email, ip=ip, at=at, success=False, device=device))
    db.commit()


def _age(db: Session, seconds: float) -> None:
    """Move every recorded attempt ``seconds`` into the past."""
    db.execute(update(LoginAttempt).values(at=LoginAttempt.at - timedelta(seconds=seconds)))
    db.commit()


def test_delay_doubles_after_the_free_failures_and_is_capped() -> None:
    free = limits.ACCOUNT_FREE_FAILURES
    assert limits.delay_after(free - 1, free) == timedelta(0)
    assert limits.delay_after(free, free) == limits.BASE_DELAY
    assert limits.delay_after(free + 1, free) == 2 * limits.BASE_DELAY
    assert limits.delay_after(free + 50, free) == limits.MAX_DELAY


def test_failures_past_the_free_ones_make_the_next_attempt_wait(db: Session) -> None:
    _user(db, "kim@example.org")
    for _ in range(limits.ACCOUNT_FREE_FAILURES):
        assert svc.authenticate(db, "kim@example.org", "wrong guess here", "10.0.0.2") is None
    db.commit()
    with pytest.raises(svc.SignInLocked, match="Wait 2 seconds") as caught:
        svc.authenticate(db, "kim@example.org", PASSWORD, "10.0.0.3")  # right password, other address
    assert caught.value.retry_after == 2
    _age(db, 3)
    assert svc.authenticate(db, "kim@example.org", PASSWORD, "10.0.0.3") is not None  # waited: in


def test_an_attacker_cannot_keep_the_owner_out_of_their_own_browser(db: Session) -> None:
    user = _user(db, "victim@example.org")
    device = limits.make_device_token(user.id, KEY)  # the owner signed in on this browser before
    _fail(db, "victim@example.org", "203.0.113.7", 30)
    with pytest.raises(svc.SignInLocked) as caught:  # a stranger's browser must wait ...
        svc.authenticate(db, "victim@example.org", PASSWORD, "198.51.100.1", secret_key=KEY)
    assert caught.value.retry_after <= limits.MAX_DELAY.total_seconds()  # ... minutes at most, not a lock
    # the owner's browser goes straight in, and the success ends the account's delay
    assert svc.authenticate(db, "victim@example.org", PASSWORD, "198.51.100.1", device_token=device, secret_key=KEY)
    db.commit()
    assert svc.authenticate(db, "victim@example.org", PASSWORD, "198.51.100.2", secret_key=KEY) is not None


def test_a_forged_or_borrowed_device_token_skips_nothing(db: Session) -> None:
    victim = _user(db, "v2@example.org")
    other = _user(db, "other@example.org")
    _fail(db, "v2@example.org", "203.0.113.8", limits.ACCOUNT_FREE_FAILURES + 3)
    genuine = limits.make_device_token(victim.id, KEY)
    for token in (
        limits.make_device_token(other.id, KEY),  # another account's browser
        limits.make_device_token(victim.id, "another key entirely, 40 characters"),
        genuine[:-1] + ("0" if genuine[-1] != "0" else "1"),
        f"{victim.id}.x.0000",
    ):
        with pytest.raises(svc.SignInLocked):
            svc.authenticate(db, "v2@example.org", PASSWORD, "198.51.100.3", device_token=token, secret_key=KEY)


def test_a_device_token_stops_helping_after_its_own_failures(db: Session) -> None:
    user = _user(db, "dev@example.org")
    device = limits.make_device_token(user.id, KEY)
    for _ in range(limits.DEVICE_FAILURE_LIMIT):  # not delayed: the device is trusted until now
        svc.authenticate(db, "dev@example.org", "wrong guess here", "10.9.9.9", device_token=device, secret_key=KEY)
    db.commit()
    with pytest.raises(svc.SignInLocked):
        svc.authenticate(db, "dev@example.org", PASSWORD, "10.9.9.9", device_token=device, secret_key=KEY)


def test_one_noisy_address_slows_but_does_not_lock_everyone_behind_it(db: Session) -> None:
    user = _user(db, "colleague@example.org")
    for i in range(limits.ADDRESS_FREE_FAILURES + 5):  # spraying: one guess per account
        _fail(db, f"guess{i}@example.org", "192.0.2.9", 1)
    with pytest.raises(svc.SignInLocked) as caught:
        svc.authenticate(db, "colleague@example.org", PASSWORD, "192.0.2.9")
    assert caught.value.retry_after <= limits.MAX_DELAY.total_seconds()
    device = limits.make_device_token(user.id, KEY)
    assert svc.authenticate(db, "colleague@example.org", PASSWORD, "192.0.2.9", device_token=device, secret_key=KEY)
    assert svc.authenticate(db, "colleague@example.org", PASSWORD, "192.0.2.10") is not None  # elsewhere: no wait


def test_an_admin_unlock_ends_the_delay_and_keeps_the_audit(db: Session, engine: object) -> None:
    _user(db, "locked@example.org")
    _fail(db, "locked@example.org", "203.0.113.9", limits.ACCOUNT_FREE_FAILURES + 4)
    with pytest.raises(svc.SignInLocked):
        svc.authenticate(db, "locked@example.org", PASSWORD, "198.51.100.9")
    db.commit()
    assert users.unlock(engine, "LOCKED@example.org") == limits.ACCOUNT_FREE_FAILURES + 4  # type: ignore[arg-type]
    assert svc.authenticate(db, "locked@example.org", PASSWORD, "198.51.100.9") is not None


def test_old_failures_are_forgotten(db: Session) -> None:
    _user(db, "old@example.org")
    _fail(db, "old@example.org", "10.0.0.8", limits.ACCOUNT_FREE_FAILURES + 8)
    with pytest.raises(svc.SignInLocked):
        svc.authenticate(db, "old@example.org", PASSWORD, "10.0.0.8")
    db.commit()
    _age(db, limits.FAILURE_WINDOW.total_seconds() + 1)
    assert svc.authenticate(db, "old@example.org", PASSWORD, "10.0.0.8") is not None


def test_a_check_made_against_an_older_password_hash_is_not_trusted(db: Session) -> None:
    """check_password verifies before the write; if the password changed in between, the
    write must verify again rather than accept a result about the old password."""
    user = _user(db, "lee@example.org")
    stale = svc.PasswordCheck("lee@example.org", "an-earlier-hash", ok=True)
    assert svc.authenticate(db, "lee@example.org", "a wrong password", "10.0.0.9", checked=stale) is None
    fresh = svc.PasswordCheck("lee@example.org", user.password_hash, ok=True)
    assert svc.authenticate(db, "lee@example.org", "whatever", "10.0.0.9", checked=fresh) is not None
