"""Retries follow the declared policy: delays within jitter bounds, capped attempts, declared errors only."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest

from celeriac.retry import backoff_bounds
from celeriac_site.demo import workloads as wl

pytestmark = pytest.mark.integration

#: A countdown is served by the worker's timer and a Redis round trip: allow this much lateness.
SCHEDULING_SLACK_S = 0.6


def _attempt_times(redis_client: Any, token: str) -> list[float]:
    return [float(x) for x in redis_client.lrange(f"celeriac:demo:attempts:{token}", 0, -1)]


def test_retry_delays_and_limits(workers: Any, redis_client: Any) -> None:
    from celeriac_site.demo import tasks

    workers(queues=["io"], pool="gevent", concurrency=10)
    policy = wl.FLAKY.retry

    ok_token, capped_token, bug_token = (uuid.uuid4().hex for _ in range(3))
    ok = tasks.flaky.delay(ok_token, 3)  # three transient failures, then success
    capped = tasks.flaky.delay(capped_token, 99)  # never succeeds
    bug = tasks.flaky.delay(bug_token, 5, "value")  # a non-declared error

    assert ok.get(timeout=60) == {"attempts": 4}
    times = _attempt_times(redis_client, ok_token)
    for attempt, (a, b) in enumerate(itertools.pairwise(times)):
        low, high = backoff_bounds(attempt, policy.backoff_base_s, policy.backoff_cap_s, policy.jitter)
        assert low - 0.05 <= b - a <= high + SCHEDULING_SLACK_S, (attempt, b - a, low, high)

    with pytest.raises(ConnectionError):
        capped.get(timeout=60)
    assert len(_attempt_times(redis_client, capped_token)) == policy.max_retries + 1

    with pytest.raises(ValueError):
        bug.get(timeout=30)
    assert len(_attempt_times(redis_client, bug_token)) == 1
