"""A circuit breaker shared by every process through the key-value store (Redis in production).

``failures`` failures within ``window`` seconds open the circuit for ``cooldown`` seconds:
callers skip the provider (and use the procedural generator) instead of waiting on a
service that is down. After the cooldown one caller at a time may probe; a success closes
the circuit, a failure opens it again at once.

Failures are counted in ten slices of the window (short-lived counters); the oldest slice
counts in proportion to how much of it still lies within the window, so "N failures in the
last ``window`` seconds" is known to within a tenth of the window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..core.kv import KeyValueStore

log = logging.getLogger("luneo.ai")

SLICES = 10  # the window is counted in ten slices: at most a tenth of a slice is guessed


@dataclass(frozen=True)
class BreakerSettings:
    """How many failures in how many seconds open the circuit, and for how long."""

    failures: int = 5
    window: float = 60.0
    cooldown: float = 60.0


class CircuitBreaker:
    """The breaker of one outside service (``name``), state kept in ``kv``."""

    def __init__(
        self,
        kv: KeyValueStore,
        name: str,
        settings: BreakerSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kv = kv
        self.settings = settings
        self.clock = clock
        self._prefix = f"luneo:breaker:{name}"

    # -- state ------------------------------------------------------------------------

    def is_open(self) -> bool:
        """True while the circuit is open (calls must not be attempted)."""
        return self.kv.get(f"{self._prefix}:open") is not None

    def allow(self) -> bool:
        """May a call be attempted now? Half-open lets exactly one probe through."""
        if self.is_open():
            return False
        if self.kv.get(f"{self._prefix}:tripped") is None:
            return True
        probe_ttl = max(1.0, self.settings.cooldown)
        return self.kv.set_if_absent(f"{self._prefix}:probe", "1", ttl=probe_ttl)

    def record_success(self) -> None:
        """A call worked: a half-open circuit closes and forgets its failures."""
        if self.kv.get(f"{self._prefix}:tripped") is not None:
            for key in ("tripped", "probe", *self._bucket_names()):
                self.kv.delete(f"{self._prefix}:{key}")
            log.info("circuit %s closed", self._prefix)

    def record_failure(self) -> bool:
        """Count a failed call; returns True when this failure opened the circuit."""
        count = self._count_failure()
        half_open = self.kv.get(f"{self._prefix}:tripped") is not None
        if half_open or count >= self.settings.failures:
            self._open()
            return True
        return False

    def _count_failure(self) -> float:
        """Add a failure and return the failures of the last ``window`` seconds."""
        now = self.clock()
        span = max(1.0, self.settings.window) / SLICES
        current = int(now // span)
        total = float(self.kv.incr(f"{self._prefix}:fails:{current}", ttl=span * (SLICES + 2)))
        for age in range(1, SLICES + 1):
            value = int(self.kv.get(f"{self._prefix}:fails:{current - age}") or 0)
            # the oldest slice only partly lies within the window
            share = 1.0 - (now % span) / span if age == SLICES else 1.0
            total += value * share
        return total

    def _open(self) -> None:
        cooldown = max(1.0, self.settings.cooldown)
        self.kv.delete(f"{self._prefix}:open")
        self.kv.set_if_absent(f"{self._prefix}:open", str(self.clock() + cooldown), ttl=cooldown)
        # "tripped" outlives the open state: after the cooldown the circuit is half-open.
        self.kv.delete(f"{self._prefix}:tripped")
        self.kv.set_if_absent(
            f"{self._prefix}:tripped", "1", ttl=cooldown + max(1.0, self.settings.window)
        )
        self.kv.delete(f"{self._prefix}:probe")
        log.warning("circuit %s opened for %ss", self._prefix, int(cooldown))

    def _bucket_names(self) -> list[str]:
        span = max(1.0, self.settings.window) / SLICES
        current = int(self.clock() // span)
        return [f"fails:{current - age}" for age in range(SLICES + 1)]
