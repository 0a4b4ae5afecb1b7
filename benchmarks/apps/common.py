"""What every benchmark app shares: the broker URL and the execution counter each task bumps."""

from __future__ import annotations

import os
import time

import redis

#: The broker (and counter) URL; the harness points it at a dedicated, flushed Redis DB.
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9")
#: Incremented once per executed task, identically in all three apps, so the producer knows when
#: a results-off run is complete.
DONE_KEY = "bench:done"
SLEEP_S = 0.05

_client: redis.Redis | None = None


def counter() -> redis.Redis:
    """One client per process (redis-py resets its pool after a fork)."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(BROKER_URL)
    return _client


def noop_body() -> None:
    counter().incr(DONE_KEY)


def sleep_body() -> None:
    time.sleep(SLEEP_S)
    counter().incr(DONE_KEY)
