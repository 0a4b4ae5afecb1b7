"""Celery wiring of the demonstration workloads; the logic lives in services.py."""

from __future__ import annotations

import time
from typing import Any

from celeriac import ReliableTask, task
from celeriac.connections import client_for, state_url
from celeriac.contrib.django.caching import invalidate as invalidate_cache
from celeriac_site.demo import services
from celeriac_site.demo import workloads as wl


@task(wl.CHECKSUM)
def checksum(data: str, rounds: int) -> str:
    return services.checksum(data, rounds)


@task(wl.SLOW_EFFECT, bind=True)
def slow_effect(self: ReliableTask, key: str, seconds: float) -> bool:
    time.sleep(seconds)  # the window in which the crash tests kill the worker
    return services.record_effect(key, self.request.id or "")


@task(wl.WAIT_IO)
def wait_io(ms: int) -> dict[str, int]:
    time.sleep(ms / 1000)
    return {"waited_ms": ms}


@task(wl.CREDIT)
def credit(account: str, amount: int, request_id: str) -> int:
    return services.credit(account, amount, request_id)


@task(wl.FLAKY, bind=True)
def flaky(self: ReliableTask, token: str, failures: int, error: str = "connection") -> dict[str, Any]:
    """Record the attempt's time in Redis, then fail ``failures`` times with ``error``."""
    redis = client_for(state_url(self.app.conf.broker_url))
    attempts = redis.rpush(f"celeriac:demo:attempts:{token}", repr(time.time()))
    redis.expire(f"celeriac:demo:attempts:{token}", 3600)
    if attempts <= failures:
        if error == "value":
            raise ValueError("not transient: a bug, retrying will not help")
        raise ConnectionError(f"transient failure {attempts} of {failures}")
    return {"attempts": attempts}


@task(wl.CALL_SERVICE)
def call_service(url: str) -> dict[str, object]:
    return services.call_service(url)


@task(wl.CANCELLABLE, bind=True)
def cancellable(self: ReliableTask, seconds: float) -> dict[str, float]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        self.check_cancelled()
        time.sleep(0.1)
    return {"ran_s": seconds}


@task(wl.LOOKUP)
def lookup(n: int) -> dict[str, int]:
    return {"n": n, "square": services.square(n)}


@task(wl.WARM)
def warm_squares() -> int:
    for n in range(1, 51):
        services.square(n)
    return 50


@task(wl.INVALIDATE)
def invalidate(pattern: str) -> int:
    return invalidate_cache(pattern)
