"""Checks beyond the output: Django query budgets, a cache hit on the second call, results expiring."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from celery import Celery

from celeriac.ops import probes
from celeriac.ops.doctor.findings import failed, one_line, passed, skipped
from celeriac.ops.report import Finding, Severity
from celeriac.ops.verify.examples import ExampleRun, cache_delta
from celeriac.workloads import Workload

BUDGET = "{task} query budget"
OVER_BUDGET = "{count} queries, budget {budget}"
BUDGET_FIX = "cut queries (select_related, only(), bulk_create/bulk_update) or raise the declared budget"
NO_EXAMPLE = "declares query_budget={budget} but no Example to run it with"
CACHE = "{task} cache hit on the second call"
NO_HIT = "second call of the same example: {delta}; expected a hit and no miss on {names}"
CACHE_FIX = "check the cache key is stable across calls and the TTL is not zero"
EXPIRY = "results expire"
EXPIRY_FIX = "set result_expires (Celeriac: 86400 s); results that never expire fill the backend"
#: TTL may lag result_expires by the time since the result was stored plus this slack.
EXPIRY_SLACK_S = 60.0

CacheStats = Callable[[], Mapping[str, Mapping[str, int]]]


def cache_stats_reader() -> CacheStats | None:
    """Celeriac's hit/miss counters if this is a Django project with a Redis cache, else ``None``."""
    try:
        from celeriac.contrib.django import caching

        caching.stats()
    except Exception:  # no Django, no django-redis, or an unreachable cache: no counters to read
        return None
    return caching.stats


def query_budget(app: Celery, wl: Workload) -> Finding:
    """Run the task body in this process under the Django query counter, with the example's arguments.

    The worker logs its own count, but in another process; running the body (``task.run``, what the
    worker's counter wraps) against the same database measures the same statements.
    """
    from celeriac.contrib.django.queries import count_queries

    title = BUDGET.format(task=wl.name)
    example = wl.example
    if example is None:
        return skipped("V002", title, NO_EXAMPLE.format(budget=wl.query_budget))
    task = app.tasks.get(wl.name)
    if task is None:
        return skipped("V002", title, "the task is not registered (V001)")
    try:
        kwargs = {**example.kwargs, **(example.setup() if example.setup else {})}
        with count_queries() as counted:
            task.run(*example.args, **kwargs)
    except Exception as exc:
        return failed("V002", title, f"running the body in-process failed: {one_line(exc)}")
    budget = wl.query_budget or 0
    if counted.count > budget:
        return failed("V002", title, OVER_BUDGET.format(count=counted.count, budget=budget), BUDGET_FIX)
    return passed("V002", title, f"{counted.count} queries (budget {budget})", queries=counted.count)


def cache_second_call(app: Celery, run: ExampleRun, stats: CacheStats, timeout_s: float) -> Finding:
    """Send the same example again: every cached function the first call touched must now hit."""
    wl = run.workload
    title = CACHE.format(task=wl.name)
    example = wl.example
    assert example is not None  # only runs of examples reach here
    before = stats()
    result = app.tasks[wl.name].apply_async(args=example.args, kwargs=run.kwargs)
    try:
        result.get(timeout=timeout_s, propagate=True)
    except Exception as exc:
        return failed("V003", title, f"the second call failed: {one_line(exc)}")
    delta = cache_delta(before, stats())
    touched = sorted(run.cache_touched)
    good = all(delta.get(n, {}).get("hit", 0) >= 1 and delta.get(n, {}).get("miss", 0) == 0 for n in touched)
    if not good:
        return failed(
            "V003", title, NO_HIT.format(delta=delta or "no cache activity", names=touched), CACHE_FIX
        )
    shown = ", ".join(f"{n} +{delta[n]['hit']} hit" for n in touched)
    return passed("V003", title, shown, first=run.cache_touched, second=delta)


def result_expiry(app: Celery, runs: list[ExampleRun]) -> Finding:
    """The stored result of a real run carries a TTL close to ``result_expires``."""
    expires = app.conf.result_expires
    expires_s = expires.total_seconds() if isinstance(expires, timedelta) else float(expires or 0)
    backend_url = str(app.conf.result_backend or "")
    if not probes.is_redis(backend_url):
        return skipped(
            "V004",
            EXPIRY,
            f"the result backend ({backend_url.split(':')[0] or 'none'}) is not "
            "Redis; its expiry is not a key TTL",
        )
    done = [r for r in runs if r.task_id and r.ok]
    if not done:
        return skipped("V004", EXPIRY, "no example produced a stored result to inspect")
    if not expires_s:
        return failed(
            "V004",
            EXPIRY,
            f"result_expires is {expires!r}: results never expire",
            EXPIRY_FIX,
            Severity.WARNING,
        )
    run = done[-1]
    backend: Any = app.backend
    key = backend.get_key_for_task(run.task_id)
    ttl = int(backend.client.ttl(key))
    age = time.time() - run.finished_at
    if ttl == -2:
        return failed("V004", EXPIRY, f"the result of {run.workload.name} ({run.task_id}) is not in Redis")
    if ttl == -1:
        return failed("V004", EXPIRY, f"the result of {run.workload.name} has no TTL", EXPIRY_FIX)
    if not expires_s - age - EXPIRY_SLACK_S <= ttl <= expires_s:
        return failed("V004", EXPIRY, f"TTL {ttl} s, expected about {expires_s:g} s", EXPIRY_FIX)
    return passed("V004", EXPIRY, f"result of {run.workload.name}: TTL {ttl} s of {expires_s:g} s", ttl=ttl)
