"""Cache-aside on real Redis (hits, stampede, SCAN invalidation), query budgets, and cancellation."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def test_second_call_is_served_from_cache(django_ready: None) -> None:
    from celeriac.contrib.django import caching
    from celeriac_site.demo import services

    caching.invalidate("demo:square:*")
    caching.reset_stats()
    n = 1000 + int(uuid.uuid4().int % 1000)
    t0 = time.perf_counter()
    assert services.square(n) == n * n
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert services.square(n) == n * n
    second_s = time.perf_counter() - t0
    assert caching.stats()["demo:square"] == {"hit": 1, "miss": 1, "hit_rate_pct": 50}
    assert second_s < first_s


def test_stampede_computes_once(django_ready: None) -> None:
    from celeriac.contrib.django import caching
    from celeriac_site.demo import services

    caching.reset_stats()
    n = 5000 + int(uuid.uuid4().int % 1000)
    with ThreadPoolExecutor(10) as pool:
        values = list(pool.map(lambda _: services.square(n), range(10)))
    assert values == [n * n] * 10
    assert caching.stats()["demo:square"]["miss"] == 1


def test_pattern_invalidation_removes_exactly_the_matches(django_ready: None) -> None:
    from django.core.cache import cache

    from celeriac.contrib.django import caching

    tag = uuid.uuid4().hex[:6]
    for i in range(5):
        cache.set(f"inv-{tag}:match:{i}", i, 60)
    cache.set(f"inv-{tag}:other", "keep", 60)
    cache.set(f"inv-{tag}-match:lookalike", "keep", 60)
    assert caching.invalidate(f"inv-{tag}:match:*") == 5
    assert [cache.get(f"inv-{tag}:match:{i}") for i in range(5)] == [None] * 5
    assert cache.get(f"inv-{tag}:other") == "keep"
    assert cache.get(f"inv-{tag}-match:lookalike") == "keep"


def test_query_budgets_hold_on_postgres(django_ready: None) -> None:
    from celeriac.contrib.django.queries import count_queries
    from celeriac_site.demo import tasks
    from celeriac_site.demo import workloads as wl
    from celeriac_site.demo.models import Account

    name = f"budget-{uuid.uuid4().hex[:6]}"
    Account.objects.create(name=name)
    with count_queries() as counted:
        assert tasks.credit.run(name, 3, uuid.uuid4().hex) == 3
    assert wl.CREDIT.query_budget is not None
    assert 0 < counted.count <= wl.CREDIT.query_budget
    with count_queries() as counted:
        assert tasks.slow_effect.run(f"budget-{uuid.uuid4().hex}", 0) is True
    assert wl.SLOW_EFFECT.query_budget is not None
    assert 0 < counted.count <= wl.SLOW_EFFECT.query_budget


def test_cancel_stops_a_running_task(workers: Any, celery_app: Any) -> None:
    import celeriac
    from celeriac_site.demo import tasks

    workers(queues=["io"], pool="gevent", concurrency=4)
    r = tasks.cancellable.delay(30)
    deadline = time.monotonic() + 30
    while r.state != "STARTED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    t0 = time.monotonic()
    celeriac.cancel(celery_app, r.id)
    while r.state != "REVOKED":
        assert time.monotonic() - t0 < 5, f"still {r.state}"
        time.sleep(0.05)
