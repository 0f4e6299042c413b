"""The circuit breaker: failures in a window open it, the cooldown half-opens it, one probe
decides. State lives in the shared kv store (Redis when the run has it)."""

from __future__ import annotations

import pytest

from luneo_app.ai.breaker import BreakerSettings, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock():  # type: ignore[no-untyped-def]
    return Clock()


@pytest.fixture()
def breaker(app, clock):  # type: ignore[no-untyped-def]
    return CircuitBreaker(
        app.extensions["luneo.kv"], "test", BreakerSettings(5, 60.0, 60.0), clock=clock
    )


def test_five_failures_within_a_minute_open_the_circuit(breaker, clock):
    opened = []
    for _ in range(5):
        clock.now += 5
        opened.append(breaker.record_failure())
    assert opened == [False, False, False, False, True]
    assert breaker.is_open() and not breaker.allow()


def test_failures_spread_over_several_minutes_do_not_open_it(breaker, clock):
    for _ in range(6):
        clock.now += 70  # each failure lands in a new window
        assert breaker.record_failure() is False
    assert breaker.allow()


def test_a_second_process_sees_the_open_circuit(app, breaker, clock):
    other = CircuitBreaker(app.extensions["luneo.kv"], "test", breaker.settings, clock=clock)
    for _ in range(5):
        breaker.record_failure()
    assert not other.allow()


def test_after_the_cooldown_one_probe_decides(app, breaker, clock):
    kv = app.extensions["luneo.kv"]
    for _ in range(5):
        breaker.record_failure()
    kv.delete("luneo:breaker:test:open")  # what the key's 60 s expiry does in real time
    assert breaker.allow() is True  # the probe
    assert breaker.allow() is False  # everyone else waits for it
    breaker.record_success()
    assert breaker.allow() and breaker.allow()
    assert breaker.record_failure() is False  # closed again: a single failure is fine


def test_a_failed_probe_opens_the_circuit_again_at_once(app, breaker, clock):
    kv = app.extensions["luneo.kv"]
    for _ in range(5):
        breaker.record_failure()
    kv.delete("luneo:breaker:test:open")
    assert breaker.allow()
    assert breaker.record_failure() is True
    assert breaker.is_open()
