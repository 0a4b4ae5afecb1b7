"""The pure breaker state machine: closed -> open -> half-open -> closed."""

from __future__ import annotations

import pytest

from celeriac.breaker import BreakerMode, BreakerState, before_call, on_failure, on_success
from celeriac.errors import DeclarationError
from celeriac.workloads import BreakerPolicy

POLICY = BreakerPolicy(name="llm", failures=3, window_s=60.0, cooldown_s=30.0)


def fail_times(*times: float, st: BreakerState | None = None) -> BreakerState:
    st = st or BreakerState()
    for t in times:
        st = on_failure(POLICY, st, t)
    return st


def opened_at(t: float) -> BreakerState:
    st = fail_times(t - 2, t - 1, t)
    assert st == BreakerState(mode=BreakerMode.OPEN, opened_at=t)
    return st


def test_closed_stays_closed_below_threshold() -> None:
    st = fail_times(0.0, 1.0)
    assert st.mode is BreakerMode.CLOSED
    assert st.failures == (0.0, 1.0)
    assert before_call(POLICY, st, 2.0).allowed


def test_failures_outside_the_window_are_forgotten() -> None:
    st = fail_times(0.0, 1.0, 61.0)
    assert st.mode is BreakerMode.CLOSED
    assert st.failures == (61.0,)


def test_threshold_failures_within_window_open() -> None:
    assert fail_times(0.0, 30.0, 59.0).mode is BreakerMode.OPEN


def test_open_refuses_with_retry_after_until_cooldown() -> None:
    st = opened_at(100.0)
    d = before_call(POLICY, st, 110.0)
    assert not d.allowed
    assert d.retry_after_s == pytest.approx(20.0)
    assert d.state is st
    assert on_failure(POLICY, st, 115.0) is st  # failures while open change nothing


def test_after_cooldown_one_probe_then_refuse_the_second() -> None:
    st = opened_at(100.0)
    probe = before_call(POLICY, st, 130.0)
    assert probe.allowed
    assert probe.state.mode is BreakerMode.HALF_OPEN
    assert probe.state.probe_at == 130.0
    second = before_call(POLICY, probe.state, 131.0)
    assert not second.allowed
    assert second.retry_after_s == pytest.approx(29.0)


def test_probe_success_closes() -> None:
    half = before_call(POLICY, opened_at(100.0), 130.0).state
    assert on_success(half) == BreakerState()
    assert before_call(POLICY, on_success(half), 131.0).allowed


def test_probe_failure_reopens_with_new_opened_at() -> None:
    half = before_call(POLICY, opened_at(100.0), 130.0).state
    st = on_failure(POLICY, half, 135.0)
    assert st == BreakerState(mode=BreakerMode.OPEN, opened_at=135.0)
    assert not before_call(POLICY, st, 160.0).allowed
    assert before_call(POLICY, st, 165.0).allowed


def test_stuck_probe_is_replaced_after_another_cooldown() -> None:
    half = before_call(POLICY, opened_at(100.0), 130.0).state
    assert not before_call(POLICY, half, 159.0).allowed
    again = before_call(POLICY, half, 160.0)
    assert again.allowed
    assert again.state.mode is BreakerMode.HALF_OPEN
    assert again.state.probe_at == 160.0


def test_success_while_closed_forgets_failures() -> None:
    assert on_success(fail_times(0.0, 1.0)) == BreakerState()
    clean = BreakerState()
    assert on_success(clean) is clean


@pytest.mark.parametrize("kwargs", [{"failures": 0}, {"window_s": 0.0}, {"cooldown_s": -1.0}])
def test_bad_breaker_policy_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(DeclarationError):
        BreakerPolicy(name="x", **kwargs)  # type: ignore[arg-type]
