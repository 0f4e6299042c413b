"""Progressive delays after failed sign-ins, and the sign-up allowance per address.

Failures are counted per client address, per (account, address) pair and per account. Each
count past a few free tries sets a wait that doubles up to a cap. The per-account wait is
capped low on purpose: one address failing against an owner slows everyone's guesses on that
account a little but never locks the owner out; the owner's own address has its own pair.
State lives in the shared key-value store (``luneo_app.core.kv``), so every process agrees.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app, request

from ..core.errors import LuneoError

WINDOW = 3600.0  # failures are forgotten an hour after the last one


@dataclass(frozen=True)
class Rule:
    name: str
    free: int  # failures before any wait
    cap: float  # longest wait, seconds


ADDRESS = Rule("ip", free=10, cap=900)
PAIR = Rule("pair", free=3, cap=900)
ACCOUNT = Rule("acct", free=10, cap=30)


class TooManyAttempts(LuneoError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many failed attempts. Try again in {retry_after} s.",
            details={"retryAfter": retry_after},
        )
        self.retry_after = retry_after


def client_address() -> str:
    """The caller's address as this process sees it (behind a trusted proxy, ProxyFix)."""
    return request.remote_addr or "unknown"


def _kv():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.kv"]


def _keys(email: str, address: str) -> list[tuple[Rule, str]]:
    email = email.strip().lower()
    return [
        (ADDRESS, f"luneo:signin:ip:{address}"),
        (PAIR, f"luneo:signin:pair:{email}:{address}"),
        (ACCOUNT, f"luneo:signin:acct:{email}"),
    ]


def check(email: str, address: str) -> None:
    """Raise :class:`TooManyAttempts` while any of the waits is running."""
    now = time.time()
    for _rule, key in _keys(email, address):
        until = _kv().get(key + ":until")
        if until and float(until) > now:
            raise TooManyAttempts(max(1, int(float(until) - now + 0.999)))


def failed(email: str, address: str) -> None:
    """Count a failed sign-in and start the waits it earns."""
    now = time.time()
    for rule, key in _keys(email, address):
        count = _kv().incr(key, WINDOW)
        if count > rule.free:
            wait = min(rule.cap, 2.0 ** (count - rule.free - 1))
            _kv().delete(key + ":until")
            _kv().set_if_absent(key + ":until", str(now + wait), wait)


def succeeded(email: str, address: str) -> None:
    """A good sign-in clears its pair and account counts (not the address's)."""
    for rule, key in _keys(email, address):
        if rule is not ADDRESS:
            _kv().delete(key)
            _kv().delete(key + ":until")


def allow_signup(address: str) -> None:
    """At most ``SIGNUPS_PER_ADDRESS_PER_DAY`` sign-ups from one address."""
    limit = int(current_app.config["SIGNUPS_PER_ADDRESS_PER_DAY"])
    if _kv().incr(f"luneo:signup:ip:{address}", 86400) > limit:
        raise LuneoError(
            "Too many sign-ups from this address today.", code="rate_limited", status=429
        )
