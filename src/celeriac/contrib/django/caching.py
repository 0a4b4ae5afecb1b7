"""Cache-aside on Django's cache: TTL, stampede protection, pattern invalidation, hit/miss counters."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.core.cache import caches

P = ParamSpec("P")
R = TypeVar("R")

_MISS = object()
#: Hash holding ``<name>:hit`` / ``<name>:miss`` counters for every cached function.
STATS_KEY = "celeriac:cache:stats"


def _cache(alias: str) -> Any:
    return caches[alias]


def _raw_redis(alias: str) -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection(alias)


def count(name: str, outcome: str, alias: str = "default") -> None:
    _raw_redis(alias).hincrby(STATS_KEY, f"{name}:{outcome}", 1)


def stats(alias: str = "default") -> dict[str, dict[str, int]]:
    """``{name: {"hit": n, "miss": m, "hit_rate_pct": r}}`` for every cached function seen so far."""
    raw = _raw_redis(alias).hgetall(STATS_KEY)
    out: dict[str, dict[str, int]] = {}
    for field, value in raw.items():
        name, _, outcome = field.decode().rpartition(":")
        out.setdefault(name, {"hit": 0, "miss": 0})[outcome] = int(value)
    for entry in out.values():
        total = entry["hit"] + entry["miss"]
        entry["hit_rate_pct"] = round(100 * entry["hit"] / total) if total else 0
    return out


def reset_stats(alias: str = "default") -> None:
    _raw_redis(alias).delete(STATS_KEY)


def cached(
    name: str,
    *,
    ttl_s: float,
    key: Callable[..., str] | None = None,
    lock_timeout_s: float = 30.0,
    wait_s: float = 10.0,
    alias: str = "default",
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache the function's result under ``<name>:<key(*args)>`` for ``ttl_s`` seconds.

    Stampede protection: on a miss, one caller computes while the others poll for its result (up to
    ``wait_s``) instead of all hitting the backend at once; a caller that waited too long computes
    itself. ``key`` builds the key suffix from the arguments (default: their reprs joined by ':').
    """

    def decorate(fun: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fun)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            suffix = (
                key(*args, **kwargs)
                if key
                else ":".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in sorted(kwargs.items())])
            )
            full = f"{name}:{suffix}"
            cache = _cache(alias)
            value = cache.get(full, _MISS)
            if value is not _MISS:
                count(name, "hit", alias)
                return value  # type: ignore[no-any-return]
            lock = f"lock:{full}"
            owned = bool(cache.add(lock, 1, timeout=lock_timeout_s))
            if not owned:
                deadline = time.monotonic() + wait_s
                while time.monotonic() < deadline:
                    time.sleep(0.05)
                    value = cache.get(full, _MISS)
                    if value is not _MISS:
                        count(name, "hit", alias)
                        return value  # type: ignore[no-any-return]
            try:
                count(name, "miss", alias)
                result = fun(*args, **kwargs)
                cache.set(full, result, timeout=ttl_s)
                return result
            finally:
                if owned:
                    cache.delete(lock)

        wrapper.cache_name = name  # type: ignore[attr-defined]
        return wrapper

    return decorate


def invalidate(pattern: str, alias: str = "default") -> int:
    """Delete every key matching ``pattern`` (glob) with SCAN, never KEYS; returns how many."""
    return int(_cache(alias).delete_pattern(pattern))
