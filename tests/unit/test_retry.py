"""Capped exponential backoff with equal jitter, and which errors count as transient."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from celeriac.errors import DeclarationError
from celeriac.retry import backoff_bounds, compute_backoff, delay_for, is_transient
from celeriac.workloads import RetryPolicy


def test_ceiling_doubles_then_caps() -> None:
    ceilings = [backoff_bounds(n, 1.0, 10.0, jitter=False)[1] for n in range(6)]
    assert ceilings == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_equal_jitter_bounds_are_upper_half_of_ceiling() -> None:
    assert backoff_bounds(3, 2.0, 100.0) == (8.0, 16.0)
    assert backoff_bounds(10, 2.0, 100.0) == (50.0, 100.0)


def test_no_jitter_is_exactly_the_ceiling() -> None:
    assert backoff_bounds(2, 1.0, 300.0, jitter=False) == (4.0, 4.0)
    assert compute_backoff(2, base_s=1.0, cap_s=300.0, jitter=False, rand=lambda: 0.7) == 4.0


def test_rand_extremes_hit_the_bounds() -> None:
    assert compute_backoff(3, base_s=1.0, cap_s=300.0, rand=lambda: 0.0) == 4.0
    assert compute_backoff(3, base_s=1.0, cap_s=300.0, rand=lambda: 1 - 1e-12) == pytest.approx(8.0)
    assert compute_backoff(3, base_s=1.0, cap_s=300.0, rand=lambda: 0.5) == 6.0


def test_negative_attempt_raises() -> None:
    with pytest.raises(ValueError, match="from 0"):
        backoff_bounds(-1, 1.0, 10.0)
    with pytest.raises(ValueError):
        compute_backoff(-1, base_s=1.0, cap_s=10.0)


def test_huge_attempt_does_not_overflow() -> None:
    assert backoff_bounds(10_000, 1.0, 60.0) == (30.0, 60.0)


@given(
    attempt=st.integers(min_value=0, max_value=5000),
    base=st.floats(min_value=1e-3, max_value=1e3),
    extra=st.floats(min_value=0.0, max_value=1e4),
    jitter=st.booleans(),
    r=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
)
def test_every_delay_lies_within_bounds_and_cap(
    attempt: int, base: float, extra: float, jitter: bool, r: float
) -> None:
    cap = base + extra
    low, high = backoff_bounds(attempt, base, cap, jitter)
    delay = compute_backoff(attempt, base_s=base, cap_s=cap, jitter=jitter, rand=lambda: r)
    assert 0 < low <= delay <= high <= cap
    # 2**40 * base already exceeds every cap drawn here, so clamping the exponent changes nothing.
    assert high == min(cap, base * 2.0 ** min(attempt, 40))
    if jitter:
        assert low == high / 2


def test_delay_for_uses_the_policy_numbers() -> None:
    policy = RetryPolicy(on=(TimeoutError,), backoff_base_s=3.0, backoff_cap_s=20.0, jitter=False)
    assert [delay_for(policy, n) for n in range(4)] == [3.0, 6.0, 12.0, 20.0]


class _Flaky(ConnectionError):
    pass


def test_is_transient_only_for_declared_classes_and_subclasses() -> None:
    policy = RetryPolicy(on=(ConnectionError, TimeoutError))
    assert is_transient(policy, ConnectionError())
    assert is_transient(policy, _Flaky())
    assert is_transient(policy, TimeoutError())
    assert not is_transient(policy, ValueError())
    assert not is_transient(policy, OSError())  # a parent class is not declared
    assert not is_transient(RetryPolicy(), ConnectionError())


@pytest.mark.parametrize(
    ("policy", "longest"),
    [
        (RetryPolicy(on=(OSError,), max_retries=3, backoff_base_s=1.0, backoff_cap_s=300.0), 4.0),
        (RetryPolicy(on=(OSError,), max_retries=1, backoff_base_s=5.0, backoff_cap_s=300.0), 5.0),
        (RetryPolicy(on=(OSError,), max_retries=20, backoff_base_s=1.0, backoff_cap_s=300.0), 300.0),
        (RetryPolicy(on=(OSError,), max_retries=0), 0.0),
        (RetryPolicy(max_retries=5), 0.0),
    ],
)
def test_longest_delay(policy: RetryPolicy, longest: float) -> None:
    assert policy.longest_delay_s == longest


def test_longest_delay_matches_the_last_retry_ceiling() -> None:
    policy = RetryPolicy(on=(OSError,), max_retries=4, backoff_base_s=2.0, backoff_cap_s=1000.0)
    last = policy.max_retries - 1
    assert policy.longest_delay_s == backoff_bounds(last, policy.backoff_base_s, policy.backoff_cap_s)[1]


@pytest.mark.parametrize(
    "kwargs", [{"max_retries": -1}, {"backoff_base_s": 0.0}, {"backoff_base_s": 10.0, "backoff_cap_s": 5.0}]
)
def test_bad_policy_numbers_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(DeclarationError):
        RetryPolicy(on=(OSError,), **kwargs)  # type: ignore[arg-type]
